package intake

import (
	"io"
	"log/slog"

	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
)

// reading is what the body of a delivery says.
type reading struct {
	object     string
	parseError string
	events     []platform.Event
	// skipped names the parts that became no event, for the log.
	skipped []string
}

// parse reads a delivery's body by its source. A body that cannot be read
// is kept raw, with its error: it was signed and acknowledged.
func (s *Store) parse(source string, body []byte) reading {
	if source != "meta" {
		return reading{parseError: "no parser for the source " + clean(source, 100)}
	}
	d, err := meta.ParseDelivery(body)
	if err != nil {
		return reading{parseError: err.Error()}
	}
	return reading{object: d.Object, events: d.Events, skipped: d.Skipped}
}

// logRead says what a delivery's body did not give: once, when the
// delivery is done, not at every try of a batch that fails.
func (s *Store) logRead(id int64, r reading, unrouted int) {
	l := s.logger()
	if r.parseError != "" {
		l.Warn("meta webhook delivery could not be parsed; kept raw", "delivery_id", id, "err", r.parseError)
	}
	if len(r.skipped) > 0 {
		l.Info("meta webhook: parts not turned into events (kept in the raw delivery)", "delivery_id", id, "object", r.object, "skipped", r.skipped)
	}
	if unrouted > 0 {
		l.Warn("meta webhook: events for accounts no channel owns, kept as unrouted", "delivery_id", id, "unrouted", unrouted)
	}
}

func (s *Store) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
