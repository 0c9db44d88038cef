package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/dbtest"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// comments reads the test comments, one per line.
func comments(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/comments.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// testRecord makes the n-th item_version record of a test.
func testRecord(n int, text string) Record {
	content, _ := json.Marshal(map[string]any{"text": text, "n": n})
	return Record{Kind: KindItemVersion, ChannelID: 1 + int64(n%3), DepartmentID: 1, ItemID: int64(n), ItemVersion: 1, ThreadID: int64(n / 4),
		Platform: "facebook", ExternalID: fmt.Sprintf("post_%d", n), AuthorID: fmt.Sprintf("u%d", n%5), AuthorName: fmt.Sprintf("Medborgare %d", n%5),
		Direction: In, OccurredAt: t0.Add(time.Duration(n) * time.Minute), CapturedAt: t0.Add(time.Duration(n)*time.Minute + time.Second),
		Content: content, IndexText: text}
}

// appendN appends n records, each in its own transaction.
func appendN(t testing.TB, d *db.DB, n int) {
	t.Helper()
	texts := comments(t)
	for i := 1; i <= n; i++ {
		err := d.InTx(context.Background(), func(tx *db.Tx) error {
			_, err := AppendTx(context.Background(), tx, testRecord(i, texts[i%len(texts)]))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, d *db.DB) Report {
	t.Helper()
	rep, err := Verify(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendAndVerify(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rep := mustVerify(t, d)
		if !rep.OK() || rep.Records != 0 {
			t.Fatalf("empty chain: %+v", rep)
		}
		appendN(t, d, 12)
		rep = mustVerify(t, d)
		if !rep.OK() || rep.Records != 12 || rep.LastSeq != 12 {
			t.Fatalf("after 12 appends: %+v", rep)
		}
		// Times keep microseconds on both databases, so hashes recompute.
		r, err := Get(context.Background(), d, 3)
		if err != nil {
			t.Fatal(err)
		}
		if want := archiveTime(t0.Add(3 * time.Minute)); !r.OccurredAt.Equal(want) {
			t.Fatalf("occurred_at = %v, want %v", r.OccurredAt, want)
		}
	})
}

func TestAppendRefusesIncompleteRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Record)
	}{
		{"unknown kind", func(r *Record) { r.Kind = "note" }},
		{"unknown direction", func(r *Record) { r.Direction = "sideways" }},
		{"no capture time", func(r *Record) { r.CapturedAt = time.Time{} }},
		{"no content", func(r *Record) { r.Content = nil }},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, tt := range tests {
			r := testRecord(1, "text")
			tt.edit(&r)
			err := d.InTx(context.Background(), func(tx *db.Tx) error {
				_, err := AppendTx(context.Background(), tx, r)
				return err
			})
			if err == nil {
				t.Errorf("%s: appended", tt.name)
			}
		}
		if rep := mustVerify(t, d); rep.Records != 0 || !rep.OK() {
			t.Fatalf("something was appended: %+v", rep)
		}
	})
}

// TestTamperingIsCaught changes a stored chain the ways an intruder with
// database access could, and checks that Verify names the right record.
func TestTamperingIsCaught(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tamper  []string
		wantSeq int64
		want    string
	}{
		{"a byte of content", []string{"UPDATE archive_records SET content = ? WHERE seq = 3"}, 3, "content does not match"},
		{"metadata", []string{"UPDATE archive_records SET author_name = 'Någon annan' WHERE seq = 4"}, 4, "hash does not match"},
		{"a time", []string{"UPDATE archive_records SET occurred_at = ? WHERE seq = 2"}, 2, "hash does not match"},
		{"a deleted row", []string{"DELETE FROM archive_records WHERE seq = 5"}, 5, "missing"},
		{"the last row deleted", []string{"DELETE FROM archive_records WHERE seq = 8"}, 8, "missing"},
		{"reordered", []string{
			"UPDATE archive_records SET seq = 1000 WHERE seq = 6",
			"UPDATE archive_records SET seq = 6 WHERE seq = 7",
			"UPDATE archive_records SET seq = 7 WHERE seq = 1000"}, 6, "does not follow record 5"},
		{"content removed without culling", []string{"UPDATE archive_records SET content = NULL WHERE seq = 2"}, 2, "without a culling record"},
		{"a well-formed row added after the head", []string{"forge"}, 9, "not in the chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				appendN(t, d, 8)
				ctx := context.Background()
				for _, q := range tt.tamper {
					if q == "forge" {
						forge(t, d)
						continue
					}
					var args []any
					switch strings.Count(q, "?") {
					case 1:
						if strings.Contains(q, "content") {
							r, err := Get(ctx, d, 3)
							if err != nil {
								t.Fatal(err)
							}
							r.Content[10] ^= 0x01
							args = append(args, r.Content)
						} else {
							args = append(args, t0.Add(time.Hour))
						}
					}
					if _, err := d.Exec(ctx, q, args...); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				rep := mustVerify(t, d)
				if rep.OK() {
					t.Fatalf("tampering not caught: %+v", rep)
				}
				first := rep.Problems[0]
				if first.Seq != tt.wantSeq || !strings.Contains(first.Reason, tt.want) {
					t.Fatalf("first problem = %v, want record %d: …%s… (all: %v)", first, tt.wantSeq, tt.want, rep.Problems)
				}
			})
		})
	}
}

// TestConcurrentAppendsKeepOneChain appends from many goroutines at once,
// each in its own transaction, through two separately opened databases as
// two Tilltal instances would, and checks that the chain has no fork or
// gap.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.DSN(t, dialect)
			ctx := context.Background()
			var instances []*db.DB
			for range 2 {
				d, err := db.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				if err := migrations.Up(ctx, d, slog.New(slog.DiscardHandler)); err != nil {
					t.Fatal(err)
				}
				instances = append(instances, d)
			}
			concurrentAppends(t, instances)
		})
	}
}

func concurrentAppends(t *testing.T, instances []*db.DB) {
	t.Helper()
	const workers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		d := instances[w%len(instances)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				err := d.InTx(context.Background(), func(tx *db.Tx) error {
					_, err := AppendTx(context.Background(), tx, testRecord(n, "samtidigt"))
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep := mustVerify(t, instances[0])
	if !rep.OK() || rep.Records != workers*each || rep.LastSeq != workers*each {
		t.Fatalf("chain after concurrent appends: %+v", rep)
	}
}

// forge adds a correctly hashed record after the last one without moving
// the head, as someone writing to the table directly would.
func forge(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	last, err := Get(ctx, d, 8)
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord(9, "förfalskad")
	if err := prepare(&r); err != nil {
		t.Fatal(err)
	}
	r.Seq, r.PrevHash = 9, last.Hash
	r.Hash = computeHash(&r)
	if err := d.InTx(ctx, func(tx *db.Tx) error { return insertRecords(ctx, tx, []Record{r}) }); err != nil {
		t.Fatal(err)
	}
}
