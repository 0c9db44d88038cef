// Package server assembles a running Tilltal from its configuration: the
// database, the migrations, the stores, the job queue with its workers and
// the HTTP handler. cmd/tilltal and the end-to-end tests both build it here,
// so the tests exercise exactly what runs in production.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"tilltal/internal/api"
	"tilltal/internal/auth"
	"tilltal/internal/channel"
	"tilltal/internal/clock"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/secret"
	"tilltal/internal/web"
)

// App is an assembled Tilltal.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *db.DB
	Org     *org.Store
	Auth    *auth.Service
	Outbox  *notify.Outbox
	Queue   *jobs.Queue
	Secrets *secret.Box
	Handler http.Handler
	Web     *web.Server
	Now     func() time.Time

	// Channels is the channel registry.
	Channels *channel.Store
}

// Options change how an App is built, for tests.
type Options struct {
	// Mailer replaces SMTP delivery.
	Mailer notify.Mailer
	// HTTPClient is used for outbound calls (OIDC, webhooks).
	HTTPClient *http.Client
	// FetchPollInterval overrides the job queue's poll interval.
	FetchPollInterval time.Duration
	// GapCheckInterval overrides how often every active channel's rota is
	// checked for gaps (default hourly).
	GapCheckInterval time.Duration
}

// New opens the database, applies migrations and builds everything.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (*App, error) {
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, d, o)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, o Options) (*App, error) {
	if err := migrations.Up(ctx, d, log); err != nil {
		return nil, err
	}
	box, err := secret.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	now := clock.Real{}.Now
	a := &App{Config: cfg, Log: log, DB: d, Secrets: box, Now: now}
	a.Org = &org.Store{DB: d, Now: now}
	a.Auth = &auth.Service{DB: d, Org: a.Org, Now: now}
	a.Outbox = &notify.Outbox{DB: d, Secrets: box, Now: now}
	a.Channels = &channel.Store{DB: d, Outbox: a.Outbox, Now: now, BaseURL: cfg.BaseURL}

	mailer := o.Mailer
	if mailer == nil {
		mailer = notify.NewSMTPMailer(cfg.SMTP)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &notify.SendWorker{Outbox: a.Outbox, Mailer: mailer, HTTP: o.HTTPClient})
	river.AddWorker(workers, &channel.GapWorker{Store: a.Channels})
	gapEvery := o.GapCheckInterval
	if gapEvery == 0 {
		gapEvery = time.Hour
	}
	periodic := []*river.PeriodicJob{channel.PeriodicGapCheck(gapEvery)}
	a.Queue, err = jobs.New(d, log, jobs.Options{Workers: workers, FetchPollInterval: o.FetchPollInterval, PeriodicJobs: periodic})
	if err != nil {
		return nil, err
	}
	a.Outbox.Queue = a.Queue
	a.Channels.Queue = a.Queue

	var oidc web.OIDCFlow
	if cfg.OIDC.Enabled() {
		flow, err := auth.NewOIDC(ctx, cfg.OIDC, cfg.BaseURL, a.Auth, o.HTTPClient)
		if err != nil {
			return nil, err
		}
		oidc = flow
	}
	apiSurface := &api.API{DB: d, Org: a.Org, Channels: a.Channels}
	mounts := append(apiSurface.Routes(), web.Mount{Pattern: "GET /metrics", Access: web.Public, Handler: metricsHandler()})
	a.Web, err = web.New(web.Deps{Config: cfg, DB: d, Org: a.Org, Auth: a.Auth, Outbox: a.Outbox, Channels: a.Channels, OIDC: oidc, Log: log, Now: now, Mount: mounts})
	if err != nil {
		return nil, err
	}
	a.Handler = a.Web
	return a, nil
}

var registry = newRegistry()

func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r.MustRegister(web.Collectors()...)
	return r
}

func metricsHandler() http.Handler { return promhttp.HandlerFor(registry, promhttp.HandlerOpts{}) }

// Listen opens the configured address, with a clear error when it is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w (is another Tilltal or program using the port? set TILLTAL_LISTEN)", addr, err)
	}
	return ln, nil
}

// Serve runs the job queue and the HTTP server on ln until ctx ends, then
// shuts down gracefully: HTTP first (no new work), then the queue, which
// lets running jobs finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Queue.Start(ctx); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("tilltal listening", "addr", ln.Addr().String(), "database", string(a.DB.Dialect))
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	qctx, qcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer qcancel()
	if err := a.Queue.Stop(qctx); err != nil {
		a.Log.Warn("job queue stop", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }
