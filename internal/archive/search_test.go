package archive_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform"
)

// TestSearch checks Swedish stemming and each filter on both databases.
func TestSearch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		texts := strings.Split(strings.TrimSpace(string(readFile(t, "comments.txt"))), "\n")
		ids := make([]int64, len(texts))
		for i, text := range texts {
			ev := comment(fmt.Sprintf("c%d", i), text, platform.VerbCreate, t0.Add(time.Duration(i)*24*time.Hour))
			ch := f.ch1
			if i%2 == 1 {
				ev.Platform, ev.AccountID, ch = platform.Instagram, "ig-1", f.ch2
				ev.Object.Author = platform.Author{ExternalID: "ig-77", Name: "Bo Ek"}
			}
			ids[i] = f.ingest(t, ch, ev)
		}
		f.exec(t, "UPDATE archive_records SET diary_number = 'KS 2025/0042' WHERE item_id = ?", ids[5])
		day := func(i int) time.Time { return t0.Add(time.Duration(i) * 24 * time.Hour) }
		tests := []struct {
			name string
			f    archive.Filter
			want []int64 // items, newest first
		}{
			{"plural finds the definite singular", archive.Filter{Query: "förskolorna"}, []int64{ids[6]}},
			{"definite form finds the indefinite", archive.Filter{Query: "lekpark"}, []int64{ids[3]}},
			{"inflection", archive.Filter{Query: "öppnade simhallarna"}, []int64{ids[4]}},
			{"two words, both needed", archive.Filter{Query: "bibliotek sommar"}, []int64{ids[0]}},
			{"function words only", archive.Filter{Query: "och i att"}, nil},
			{"channel", archive.Filter{ChannelID: f.ch2}, []int64{ids[9], ids[7], ids[5], ids[3], ids[1]}},
			{"platform", archive.Filter{Platform: "facebook", Limit: 2}, []int64{ids[8], ids[6]}},
			{"author by name, any case", archive.Filter{Author: "bo ek"}, []int64{ids[9], ids[7], ids[5], ids[3], ids[1]}},
			{"author and period", archive.Filter{Author: "Bo Ek", Since: day(6)}, []int64{ids[9], ids[7]}},
			{"author with Swedish letters", archive.Filter{Author: "ÅSA ÖBERG", Until: day(1)}, []int64{ids[0]}},
			{"period", archive.Filter{Since: day(2), Until: day(4)}, []int64{ids[3], ids[2]}},
			{"diary number", archive.Filter{DiaryNumber: "KS 2025/0042"}, []int64{ids[5]}},
			{"kind", archive.Filter{Kind: archive.KindReply}, nil},
			{"department", archive.Filter{DepartmentID: 1, Query: "soptunnorna"}, []int64{ids[7]}},
		}
		for _, tt := range tests {
			got := f.search(t, tt.f)
			var items []int64
			for _, r := range got {
				items = append(items, r.ItemID)
			}
			if fmt.Sprint(items) != fmt.Sprint(tt.want) {
				t.Errorf("%s: items %v, want %v", tt.name, items, tt.want)
			}
		}
	})
}

// TestSearchPages walks all records page by page with the cursor.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i := range 7 {
			// Two records share each receipt time, so the seq decides.
			f.ingest(t, f.ch1, comment(fmt.Sprintf("c%d", i), fmt.Sprintf("Fråga nummer %d", i), platform.VerbCreate, t0.Add(time.Duration(i/2)*time.Hour)))
		}
		var seen []int64
		var after archive.Cursor
		for range 10 {
			page := f.search(t, archive.Filter{Limit: 3, After: after})
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				seen = append(seen, r.Seq)
			}
			c, err := archive.ParseCursor(archive.CursorOf(page[len(page)-1]).String())
			if err != nil {
				t.Fatal(err)
			}
			after = c
		}
		if fmt.Sprint(seen) != "[7 6 5 4 3 2 1]" {
			t.Fatalf("pages gave %v", seen)
		}
		if _, err := archive.ParseCursor("x.1"); err == nil {
			t.Fatal("bad cursor accepted")
		}
	})
}
