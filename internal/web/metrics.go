package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Request metrics, labelled by route pattern (never by raw path, which would
// let anyone create new series).
var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tilltal_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"method", "route", "status"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tilltal_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
)

// Collectors returns the web layer's metrics for registration.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{requests, latency, storageUnavailable}
}

func observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
	latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
}
