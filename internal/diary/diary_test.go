package diary_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/diary"
)

func store(d *db.DB) *diary.Store {
	return &diary.Store{DB: d, Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
}

func TestNumbersPerYear(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "INSERT INTO municipality (id, name, diary_prefix, created_at) VALUES (1, 'Exempelby kommun', 'KS', ?)", time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		s := store(d)
		reg := func(received time.Time) string {
			e, err := s.Register(ctx, diary.New{ReceivedAt: received, Direction: diary.Incoming, Sender: "Anna Andersson", Description: "Hot i kommentar på Facebook"})
			if err != nil {
				t.Fatal(err)
			}
			return e.Number
		}
		// New Year's Eve 23:30 UTC is already the new year in Stockholm.
		got := []string{
			reg(time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)),
			reg(time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC)),
			reg(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)),
		}
		want := []string{"KS 2025/0001", "KS 2026/0001", "KS 2026/0002"}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("number %d = %s, want %s", i, got[i], want[i])
			}
		}
		// Concurrent registrations each get their own number.
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[string]bool{}
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := reg(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
				mu.Lock()
				defer mu.Unlock()
				if seen[n] {
					t.Errorf("number %s given twice", n)
				}
				seen[n] = true
			}()
		}
		wg.Wait()
		if len(seen) != 10 {
			t.Fatalf("%d distinct numbers", len(seen))
		}
	})
}

func TestSecretEntriesAreMaskedAndExported(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store(d)
		at := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
		if _, err := s.Register(ctx, diary.New{ReceivedAt: at, Direction: diary.Incoming, Sender: "Okänd", Description: "Uppgift om hälsa", Secret: true}); err == nil {
			t.Fatal("a secret entry without a ground was registered")
		}
		secret, err := s.Register(ctx, diary.New{ReceivedAt: at, Direction: diary.Incoming, Sender: "Bo Berg", Description: "Uppgift om hälsa", Secret: true, SecrecyGround: "OSL 26 kap. 1 §"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(ctx, diary.New{ReceivedAt: at, Direction: diary.Outgoing, Sender: "=HYPERLINK(\"http://evil\")", Description: "Svar om bygglov"}); err != nil {
			t.Fatal(err)
		}
		m := secret.Masked()
		if strings.Contains(m.Sender+m.Description, "Bo Berg") || strings.Contains(m.Description, "hälsa") || m.Number != secret.Number {
			t.Fatalf("masked: %+v", m)
		}
		list, err := s.List(ctx, diary.Filter{Year: 2026})
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %d %v", len(list), err)
		}
		if got, _ := s.List(ctx, diary.Filter{Query: "hälsa"}); len(got) != 0 {
			t.Fatal("a secret description is searchable")
		}
		var csv, js bytes.Buffer
		if err := diary.WriteCSV(&csv, list); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), `"'=HYPERLINK(""http://evil"")"`) || !strings.HasPrefix(csv.String(), "diarienummer,") {
			t.Fatalf("csv:\n%s", csv.String())
		}
		if err := diary.WriteJSON(&js, list); err != nil || !strings.Contains(js.String(), `"diary_number": "KS 2026/0002"`) {
			t.Fatalf("json: %s %v", js.String(), err)
		}
	})
}
