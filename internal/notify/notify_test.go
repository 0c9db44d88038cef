package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"tilltal/internal/clock"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/secret"
)

// smtpServer is a real SMTP server that keeps what it receives and refuses
// the first failFirst deliveries with a temporary error.
type smtpServer struct {
	mu        sync.Mutex
	messages  []string
	failFirst int32
	tries     atomic.Int32
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }

type smtpSession struct {
	srv *smtpServer
	to  string
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if s.srv.tries.Add(1) <= s.srv.failFirst {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, "To:"+s.to+"\n"+string(b))
	s.srv.mu.Unlock()
	return err
}

func startSMTP(t *testing.T, failFirst int32) (*smtpServer, config.SMTP) {
	be := &smtpServer{failFirst: failFirst}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return be, config.SMTP{Host: "127.0.0.1", Port: addr.Port, From: "tilltal@exempelby.se", TLS: "none"}
}

func setup(t *testing.T, d *db.DB, mailer notify.Mailer) *notify.Outbox {
	t.Helper()
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	out := &notify.Outbox{DB: d, Secrets: box, Now: clock.Real{}.Now}
	river.AddWorker(workers, &notify.SendWorker{Outbox: out, Mailer: mailer})
	q, err := jobs.New(d, log, jobs.Options{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	out.Queue = q
	ctx := context.Background()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return out
}

func waitStatus(t *testing.T, out *notify.Outbox, id int64, want string, within time.Duration) notify.Notification {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n, err := out.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status == want {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification %d: status %q (attempts %d, %q), want %q", id, n.Status, n.Attempts, n.LastError, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEmailThroughSMTPWithRetry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv, cfg := startSMTP(t, 1)
		out := setup(t, d, notify.NewSMTPMailer(cfg))
		id, err := out.Enqueue(context.Background(), notify.Message{Email: "anna@exempelby.se", Subject: "Lucka i jourschemat", Body: "Julafton saknar bevakning.", Link: "http://localhost/kanaler/1"})
		if err != nil {
			t.Fatal(err)
		}
		// The first delivery gets a 451; River retries with backoff.
		n := waitStatus(t, out, id, "sent", 20*time.Second)
		if n.Attempts != 2 {
			t.Fatalf("attempts = %d, want 2 (one refused, one sent)", n.Attempts)
		}
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if len(srv.messages) != 1 {
			t.Fatalf("got %d messages, want exactly 1", len(srv.messages))
		}
		m := srv.messages[0]
		for _, want := range []string{"To:anna@exempelby.se", "Subject: Lucka i jourschemat", "Julafton saknar bevakning.", "http://localhost/kanaler/1"} {
			if !strings.Contains(m, want) {
				t.Errorf("message lacks %q:\n%s", want, m)
			}
		}
	})
}

func TestDedupeKeySendsOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv, cfg := startSMTP(t, 0)
		out := setup(t, d, notify.NewSMTPMailer(cfg))
		msg := notify.Message{Email: "a@exempelby.se", Subject: "s", Body: "b", DedupeKey: "gap:1:2026-12-24"}
		id1, err := out.Enqueue(context.Background(), msg)
		if err != nil || id1 == 0 {
			t.Fatal(id1, err)
		}
		id2, err := out.Enqueue(context.Background(), msg)
		if err != nil || id2 != 0 {
			t.Fatalf("second enqueue: id %d, %v", id2, err)
		}
		waitStatus(t, out, id1, "sent", 10*time.Second)
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if len(srv.messages) != 1 {
			t.Fatalf("%d messages", len(srv.messages))
		}
	})
}

func TestNoSMTPFailsAtOnceWithReason(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		out := setup(t, d, notify.NewSMTPMailer(config.SMTP{}))
		id, err := out.Enqueue(context.Background(), notify.Message{Email: "a@exempelby.se", Subject: "s", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		n := waitStatus(t, out, id, "failed", 10*time.Second)
		if !strings.Contains(n.LastError, "TILLTAL_SMTP_HOST") || n.Attempts != 1 {
			t.Fatalf("got %+v", n)
		}
	})
}

func TestChatWebhook(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var got atomic.Value
		var calls atomic.Int32
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			b, _ := io.ReadAll(r.Body)
			got.Store(string(b))
		}))
		defer hook.Close()
		out := setup(t, d, notify.NewSMTPMailer(config.SMTP{}))
		secretURL := hook.URL + "/webhookb2/SECRET-PART"
		wid, err := out.AddWebhook(context.Background(), "Kommunikation", "teams", secretURL, 0)
		if err != nil {
			t.Fatal(err)
		}
		var enc []byte
		if err := d.QueryRow(context.Background(), "SELECT url_enc FROM chat_webhooks WHERE id = ?", wid).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(enc), "SECRET-PART") {
			t.Fatal("webhook URL stored in clear text")
		}
		id, err := out.Enqueue(context.Background(), notify.Message{WebhookID: wid, Subject: "Nytt konto begärt", Body: "Biblioteket vill starta ett Instagramkonto."})
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, out, id, "sent", 20*time.Second)
		body, _ := got.Load().(string)
		if !strings.Contains(body, "MessageCard") || !strings.Contains(body, "Biblioteket vill") {
			t.Fatalf("webhook got %q", body)
		}
	})
}
