// Package reporttest seeds a database with a report fixture — channels,
// citizens' items, the municipality's replies and questions to
// departments at given Stockholm times — through the same ingest path the
// platforms use, so that report tests count what production would count.
package reporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// Fixture is a testdata file of items at known times.
type Fixture struct {
	Channels []struct {
		Key        string `json:"key"`
		Platform   string `json:"platform"`
		Department string `json:"department"`
		ExternalID string `json:"external_id"`
	} `json:"channels"`
	Items []struct {
		Key       string `json:"key"`
		Channel   string `json:"channel"`
		Posted    string `json:"posted"`
		Answered  string `json:"answered"`
		Text      string `json:"text"`
		Sentiment string `json:"sentiment"`
		Flags     string `json:"flags"`
	} `json:"items"`
	Escalations []struct {
		Item       string `json:"item"`
		Department string `json:"department"`
		Asked      string `json:"asked"`
		Due        string `json:"due"`
		Answered   string `json:"answered"`
	} `json:"escalations"`
}

// Seeded are the ids the fixture's keys got.
type Seeded struct {
	Channels    map[string]int64
	Departments map[string]int64
	Items       map[string]int64
}

// Load reads a fixture file.
func Load(path string) (Fixture, error) {
	var f Fixture
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	return f, json.Unmarshal(b, &f)
}

// At parses "2006-01-02 15:04" as Stockholm wall clock time.
func At(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", s, calendar.Stockholm)
}

// Seed writes the fixture: departments and channels it names that do not
// exist yet, every item as a platform comment, every answer as the
// channel's own reply to it, and the escalations.
func Seed(ctx context.Context, d *db.DB, f Fixture) (Seeded, error) {
	s := Seeded{Channels: map[string]int64{}, Departments: map[string]int64{}, Items: map[string]int64{}}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for _, c := range f.Channels {
			if err := s.channel(ctx, tx, c.Key, c.Platform, c.Department, c.ExternalID); err != nil {
				return err
			}
		}
		for _, it := range f.Items {
			if err := s.item(ctx, tx, f, it.Key, it.Channel, it.Posted, it.Answered, it.Text); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE items SET sentiment = ?, flags = ? WHERE id = ?", it.Sentiment, it.Flags, s.Items[it.Key]); err != nil {
				return err
			}
		}
		for _, e := range f.Escalations {
			if err := s.escalation(ctx, tx, e.Item, e.Department, e.Asked, e.Due, e.Answered); err != nil {
				return err
			}
		}
		return nil
	})
	return s, err
}

func (s *Seeded) department(ctx context.Context, tx *db.Tx, code string) (int64, error) {
	if id, ok := s.Departments[code]; ok {
		return id, nil
	}
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM departments WHERE code = ?", code).Scan(&id)
	if err != nil {
		now := time.Now().UTC()
		id, err = tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES (?, ?, ?, ?)", "Förvaltning "+code, code, now, now)
	}
	s.Departments[code] = id
	return id, err
}

func (s *Seeded) channel(ctx context.Context, tx *db.Tx, key, plat, dept, external string) error {
	deptID, err := s.department(ctx, tx, dept)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	id, err := tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)",
		deptID, plat, external, "Kanal "+key, now, now)
	s.Channels[key] = id
	return err
}

func (s *Seeded) item(ctx context.Context, tx *db.Tx, f Fixture, key, channel, posted, answered, text string) error {
	at, err := At(posted)
	if err != nil {
		return err
	}
	chID := s.Channels[channel]
	plat := platformOf(f, channel)
	res, err := inbox.Ingest(ctx, tx, chID, platform.Event{Platform: plat, EventID: "ev-" + key, Verb: platform.VerbCreate, OccurredAt: at,
		Object: platform.Object{ExternalID: key, Kind: platform.KindComment, ThreadID: "post-" + channel, Text: text, CreatedAt: at,
			Author: platform.Author{ExternalID: "citizen-" + key, Name: "Invånare " + key}}}, at)
	if err != nil {
		return fmt.Errorf("reporttest: item %s: %w", key, err)
	}
	s.Items[key] = res.ItemID
	if answered == "" {
		return nil
	}
	ans, err := At(answered)
	if err != nil {
		return err
	}
	_, err = inbox.Ingest(ctx, tx, chID, platform.Event{Platform: plat, EventID: "ev-reply-" + key, Verb: platform.VerbCreate, OccurredAt: ans,
		Object: platform.Object{ExternalID: "reply-" + key, Kind: platform.KindReply, ParentID: key, ThreadID: "post-" + channel, Text: "Hej! Här är svaret.",
			CreatedAt: ans, Author: platform.Author{ExternalID: "page-" + channel, Name: "Kanal " + channel, IsPage: true}}}, ans)
	return err
}

func platformOf(f Fixture, channel string) platform.Name {
	for _, c := range f.Channels {
		if c.Key == channel {
			return platform.Name(c.Platform)
		}
	}
	return platform.Facebook
}

func (s *Seeded) escalation(ctx context.Context, tx *db.Tx, item, dept, asked, due, answered string) error {
	deptID, err := s.department(ctx, tx, dept)
	if err != nil {
		return err
	}
	a, err := At(asked)
	if err != nil {
		return err
	}
	d, err := At(due)
	if err != nil {
		return err
	}
	status, answeredAt := "open", any(nil)
	if answered != "" {
		t, err := At(answered)
		if err != nil {
			return err
		}
		status, answeredAt = "answered", t.UTC()
	}
	_, err = tx.Exec(ctx, "INSERT INTO escalations (item_id, department_id, question, asked_at, due_at, status, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		s.Items[item], deptID, "Vad gäller?", a.UTC(), d.UTC(), status, "Så här.", answeredAt)
	return err
}
