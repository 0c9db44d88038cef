package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// livePoll is how often the stream looks for new items. The database is the
// only shared state, so this works the same when several instances serve
// one PostgreSQL: whichever instance stored an item, every stream sees it.
const livePoll = 2 * time.Second

// liveMaxAge ends a stream after a while; the browser's EventSource
// reconnects by itself, and long-lived connections do not pile up.
const liveMaxAge = 10 * time.Minute

// inboxLive streams new items matching the page's filter as server-sent
// events, each carrying the rendered table row.
func (s *Server) inboxLive(w http.ResponseWriter, r *http.Request) error {
	f, _, err := inboxFilter(r)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("live_after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > after {
		after = id
	}
	f.Oldest, f.Limit = true, 20
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	_ = rc.Flush()
	ticker := time.NewTicker(livePoll)
	defer ticker.Stop()
	deadline := time.After(liveMaxAge)
	l := Localizer{Lang: lang(r)}
	for {
		f.After = after
		items, err := s.Inbox.List(r.Context(), f)
		if err != nil {
			return nil
		}
		for _, it := range items {
			var buf bytes.Buffer
			if err := s.pages["inbox"].ExecuteTemplate(&buf, "row", inboxRow{L: l, Item: it}); err != nil {
				return nil
			}
			data, _ := json.Marshal(map[string]any{"id": it.ID, "html": buf.String()})
			fmt.Fprintf(w, "id: %d\nevent: item\ndata: %s\n\n", it.ID, data)
			after = it.ID
		}
		if len(items) == 0 {
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-deadline:
			return nil
		case <-ticker.C:
		}
	}
}
