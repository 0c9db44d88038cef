package intake_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cfg "tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
)

func TestVerificationHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		token       string
		status      int
		body        string
	}{
		{"ok", "hub.mode=subscribe&hub.verify_token=verifiera-mig&hub.challenge=1158201444", verifyToken, 200, "1158201444"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=fel&hub.challenge=1", verifyToken, 403, ""},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=verifiera-mig&hub.challenge=1", verifyToken, 403, ""},
		{"no token configured", "hub.mode=subscribe&hub.verify_token=&hub.challenge=1", "", 403, ""},
		{"prefix of the token", "hub.mode=subscribe&hub.verify_token=verifiera&hub.challenge=1", verifyToken, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &intake.MetaWebhook{VerifyToken: config(tt.token), Log: discard()}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/webhooks/meta?"+tt.query, nil))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status == 200 && (w.Body.String() != tt.body || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain")) {
				t.Errorf("body %q type %q", w.Body.String(), w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestRefusedDeliveriesLeaveNoTrace(t *testing.T) {
	t.Parallel()
	body := readFile(t, "page_feed.json")
	huge := append(bytes.Repeat([]byte(" "), intake.MaxDeliveryBytes), body...)
	tests := []struct {
		name      string
		body      []byte
		signature string
		chunked   bool
		status    int
	}{
		{"missing signature", body, "", false, http.StatusUnauthorized},
		{"wrong secret", body, meta.Sign("någon annans", body), false, http.StatusForbidden},
		{"garbage signature", body, "sha256=abc", false, http.StatusForbidden},
		{"signature of another body", body, meta.Sign(appSecret, []byte("{}")), false, http.StatusForbidden},
		{"over 1 MiB, signed", huge, meta.Sign(appSecret, huge), false, http.StatusRequestEntityTooLarge},
		{"over 1 MiB without length", huge, meta.Sign(appSecret, huge), true, http.StatusRequestEntityTooLarge},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		h := newHandler(newStore(t, d))
		before := tableCounts(t, d)
		if len(before) < 20 {
			t.Fatalf("only %d tables found", len(before))
		}
		for _, tt := range tests {
			r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(tt.body))
			if tt.chunked {
				r.ContentLength = -1
			}
			if tt.signature != "" {
				r.Header.Set(meta.SignatureHeader, tt.signature)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.status)
			}
		}
		for table, n := range tableCounts(t, d) {
			if n != before[table] {
				t.Errorf("%s went from %d to %d rows after refused deliveries", table, before[table], n)
			}
		}
		if n := count(t, d, "webhook_deliveries") + count(t, d, "platform_events"); n != 0 {
			t.Errorf("%d intake rows", n)
		}
	})
}

func TestReplayedDeliveryStoresOneEvent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ch := addChannel(t, d, "facebook", pageID)
		s := newStore(t, d)
		h := newHandler(s)
		body := readFile(t, "page_feed.json")
		for i := range 5 {
			if w := post(h, body, meta.Sign(appSecret, body)); w.Code != 200 {
				t.Fatalf("delivery %d: %d %s", i, w.Code, w.Body)
			}
		}
		// The same change in a differently batched body is still one event.
		other := readFile(t, "rebatched.json")
		if w := post(h, other, meta.Sign(appSecret, other)); w.Code != 200 {
			t.Fatal(w.Code)
		}
		if n := count(t, d, "platform_events"); n != 6 {
			t.Fatalf("%d events, want 6", n)
		}
		ds, err := s.Deliveries(context.Background(), false, 10)
		if err != nil || len(ds) != 2 {
			t.Fatalf("deliveries %d %v", len(ds), err)
		}
		if first := ds[1]; first.ReceiveCount != 5 || !bytes.Equal(first.Body, body) || first.EventCount != 6 || first.Object != "page" {
			t.Errorf("delivery %+v", first)
		}
		evs, err := s.Events(context.Background(), intake.Filter{ChannelID: ch})
		if err != nil || len(evs) != 6 {
			t.Fatalf("channel events %d %v", len(evs), err)
		}
		if e := evs[0]; e.EventID != "200_300:create" || e.Object.Text == "" || e.Source != intake.SourceWebhook || e.DeliveryID != ds[1].ID {
			t.Errorf("first event %+v", e)
		}
	})
}

func TestSignedButUnreadableIsKeptRaw(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		h := newHandler(s)
		for _, name := range []string{"truncated.json", "unknown_object.json"} {
			body := readFile(t, name)
			if w := post(h, body, meta.Sign(appSecret, body)); w.Code != 200 {
				t.Fatalf("%s: %d", name, w.Code)
			}
		}
		failed, err := s.Deliveries(context.Background(), true, 10)
		if err != nil || len(failed) != 1 || !strings.Contains(failed[0].ParseError, "malformed") || !bytes.Equal(failed[0].Body, readFile(t, "truncated.json")) {
			t.Fatalf("failed deliveries %+v %v", failed, err)
		}
		if n := count(t, d, "webhook_deliveries"); n != 2 {
			t.Errorf("%d deliveries", n)
		}
		if n := count(t, d, "platform_events"); n != 0 {
			t.Errorf("%d events", n)
		}
	})
}

func TestUnroutedEventsAreKeptAndRoutedLater(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		addChannel(t, d, "facebook", pageID)
		var hooked []intake.Stored
		s := newStore(t, d)
		s.AfterStore = func(ctx context.Context, tx *db.Tx, evs []intake.Stored) error {
			hooked = append(hooked, evs...)
			return nil
		}
		h := newHandler(s)
		body := readFile(t, "instagram.json")
		if w := post(h, body, meta.Sign(appSecret, body)); w.Code != 200 {
			t.Fatal(w.Code)
		}
		un, err := s.Unrouted(ctx, 10)
		if err != nil || len(un) != 4 {
			t.Fatalf("unrouted %d %v", len(un), err)
		}
		accts, err := s.UnroutedAccounts(ctx)
		if err != nil || len(accts) != 1 || accts[0].AccountID != igID || accts[0].Events != 4 || !accts[0].Last.Equal(testNow) {
			t.Fatalf("accounts %+v %v", accts, err)
		}
		if len(hooked) != 4 || hooked[0].ChannelID != 0 {
			t.Fatalf("hook saw %d", len(hooked))
		}
		ch := addChannel(t, d, "instagram", igID)
		n, err := s.RouteUnrouted(ctx, ch)
		if err != nil || n != 4 {
			t.Fatalf("routed %d %v", n, err)
		}
		if un, _ := s.Unrouted(ctx, 10); len(un) != 0 {
			t.Errorf("%d still unrouted", len(un))
		}
		if len(hooked) != 8 || hooked[7].ChannelID != ch {
			t.Errorf("hook after routing: %d", len(hooked))
		}
	})
}

func TestEventsOutOfOrderAreKept(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		s := newStore(t, d)
		h := newHandler(s)
		for _, name := range []string{"edit_only.json", "create_later.json"} {
			body := readFile(t, name)
			if w := post(h, body, meta.Sign(appSecret, body)); w.Code != 200 {
				t.Fatal(w.Code)
			}
		}
		evs, err := s.Events(context.Background(), intake.Filter{})
		if err != nil || len(evs) != 2 || evs[0].Verb != platform.VerbEdit || evs[1].Verb != platform.VerbCreate || evs[0].Object.ExternalID != evs[1].Object.ExternalID {
			t.Fatalf("%+v %v", evs, err)
		}
	})
}

func TestDatabaseDownAnswers503(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		h := newHandler(newStore(t, d))
		d.Close()
		body := readFile(t, "page_feed.json")
		if w := post(h, body, meta.Sign(appSecret, body)); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d", w.Code)
		}
	})
}

func TestPolledEventsDedupeWithWebhooks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		s := newStore(t, d)
		body := readFile(t, "page_feed.json")
		if w := post(newHandler(s), body, meta.Sign(appSecret, body)); w.Code != 200 {
			t.Fatal(w.Code)
		}
		polled := platform.Event{Platform: platform.Facebook, AccountID: pageID, EventID: "200_300:create", Verb: platform.VerbCreate,
			Object: platform.Object{ExternalID: "200_300", Kind: platform.KindComment, Text: "with\x00nul and \xff bad utf-8"}}
		fresh := polled
		fresh.EventID, fresh.Object.ExternalID = "200_999:create", "200_999"
		saved, err := s.SaveEvents(context.Background(), []platform.Event{polled, fresh})
		if err != nil || saved.New != 1 || saved.Duplicates != 1 {
			t.Fatalf("%+v %v", saved, err)
		}
	})
}

func config(s string) cfg.Secret { return cfg.Secret(s) }
