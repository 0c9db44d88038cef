package channel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// Shift is a recurring shift of the rota: every Weekday (or, with Holiday,
// every public holiday and eve) from Start to End, Stockholm wall clock
// "HH:MM". People are given by UserID or, on input, by Email.
type Shift struct {
	Holiday bool
	Weekday time.Weekday
	Start   string
	End     string
	UserID  int64
	Email   string
	Name    string
}

// Absence takes a person off the rota from From to To, inclusive.
type Absence struct {
	UserID   int64
	Email    string
	Name     string
	From, To calendar.Date
	Note     string
}

// ExtraShift is a one-off shift, [Start, End).
type ExtraShift struct {
	UserID     int64
	Email      string
	Name       string
	Start, End time.Time
	Note       string
}

// Rota is a channel's on-call rota (jourschema).
type Rota struct {
	Shifts   []Shift
	Absences []Absence
	Extra    []ExtraShift
}

// Calendar returns the rota in the form package calendar computes with.
func (r Rota) Calendar() calendar.Rota {
	var out calendar.Rota
	for _, s := range r.Shifts {
		if s.Holiday {
			out.Holiday = append(out.Holiday, calendar.HolidayShift{Start: s.Start, End: s.End, PersonID: s.UserID})
		} else {
			out.Weekly = append(out.Weekly, calendar.WeeklyShift{Weekday: s.Weekday, Start: s.Start, End: s.End, PersonID: s.UserID})
		}
	}
	for _, a := range r.Absences {
		out.Absences = append(out.Absences, calendar.Absence{PersonID: a.UserID, From: a.From, To: a.To})
	}
	for _, x := range r.Extra {
		out.Extra = append(out.Extra, calendar.Shift{PersonID: x.UserID, Start: x.Start, End: x.End})
	}
	return out
}

// maxRotaRows bounds each part of a rota.
const maxRotaRows = 500

// resolve fills in who each entry is from the channel's members and checks
// the rota: only the channel's people can be on it, and its times must be
// valid with no overlap for one person.
func (r Rota) resolve(members []Member) (Rota, error) {
	if len(r.Shifts) > maxRotaRows || len(r.Absences) > maxRotaRows || len(r.Extra) > maxRotaRows {
		return r, apperr.Invalidf("Jourschemat har för många rader (högst %d av varje slag)", maxRotaRows)
	}
	find := func(id int64, email string) (Member, error) {
		for _, m := range members {
			if (id != 0 && m.UserID == id) || (id == 0 && email != "" && strings.EqualFold(m.Email, strings.TrimSpace(email))) {
				return m, nil
			}
		}
		who := email
		if who == "" {
			who = fmt.Sprintf("användare %d", id)
		}
		return Member{}, apperr.Invalidf("%s hör inte till kanalen. Lägg först till personen som kontoansvarig, ersättare eller redaktör.", who)
	}
	out := Rota{}
	for _, s := range r.Shifts {
		m, err := find(s.UserID, s.Email)
		if err != nil {
			return r, err
		}
		s.UserID, s.Email, s.Name = m.UserID, m.Email, m.Name
		out.Shifts = append(out.Shifts, s)
	}
	for _, a := range r.Absences {
		m, err := find(a.UserID, a.Email)
		if err != nil {
			return r, err
		}
		if err := checkText("Anteckningen", a.Note, 500); err != nil {
			return r, err
		}
		a.UserID, a.Email, a.Name = m.UserID, m.Email, m.Name
		out.Absences = append(out.Absences, a)
	}
	for _, x := range r.Extra {
		m, err := find(x.UserID, x.Email)
		if err != nil {
			return r, err
		}
		if err := checkText("Anteckningen", x.Note, 500); err != nil {
			return r, err
		}
		x.UserID, x.Email, x.Name = m.UserID, m.Email, m.Name
		x.Start, x.End = x.Start.UTC(), x.End.UTC()
		out.Extra = append(out.Extra, x)
	}
	return out, out.Calendar().Validate()
}

// Rota returns a channel's rota.
func (s *Store) Rota(ctx context.Context, v Viewer, id int64) (Rota, error) {
	if _, err := s.Get(ctx, v, id); err != nil {
		return Rota{}, err
	}
	return loadRota(ctx, s.DB, id)
}

func loadRota(ctx context.Context, q querier, id int64) (Rota, error) {
	var r Rota
	rows, err := q.Query(ctx, `SELECT s.holiday, s.weekday, s.start_time, s.end_time, s.user_id, u.email, u.name
		FROM channel_rota_shifts s JOIN users u ON u.id = s.user_id WHERE s.channel_id = ?
		ORDER BY s.holiday, (s.weekday + 6) % 7, s.start_time, s.id`, id)
	if err != nil {
		return r, fmt.Errorf("channel: rota: %w", err)
	}
	for rows.Next() {
		var sh Shift
		var wd int
		if err := rows.Scan(&sh.Holiday, &wd, &sh.Start, &sh.End, &sh.UserID, &sh.Email, &sh.Name); err != nil {
			rows.Close()
			return r, fmt.Errorf("channel: rota: %w", err)
		}
		sh.Weekday = time.Weekday(wd)
		r.Shifts = append(r.Shifts, sh)
	}
	rows.Close()
	if err := loadAbsences(ctx, q, id, &r); err != nil {
		return r, err
	}
	return r, loadExtra(ctx, q, id, &r)
}

func loadAbsences(ctx context.Context, q querier, id int64, r *Rota) error {
	rows, err := q.Query(ctx, `SELECT a.from_date, a.to_date, a.note, a.user_id, u.email, u.name
		FROM channel_rota_absences a JOIN users u ON u.id = a.user_id WHERE a.channel_id = ? ORDER BY a.from_date, a.id`, id)
	if err != nil {
		return fmt.Errorf("channel: rota: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Absence
		var from, to string
		if err := rows.Scan(&from, &to, &a.Note, &a.UserID, &a.Email, &a.Name); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
		// Dates were checked when written.
		a.From, _ = calendar.ParseDate(from)
		a.To, _ = calendar.ParseDate(to)
		r.Absences = append(r.Absences, a)
	}
	return rows.Err()
}

func loadExtra(ctx context.Context, q querier, id int64, r *Rota) error {
	rows, err := q.Query(ctx, `SELECT x.starts_at, x.ends_at, x.note, x.user_id, u.email, u.name
		FROM channel_rota_extra x JOIN users u ON u.id = x.user_id WHERE x.channel_id = ? ORDER BY x.starts_at, x.id`, id)
	if err != nil {
		return fmt.Errorf("channel: rota: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x ExtraShift
		if err := rows.Scan(&x.Start, &x.End, &x.Note, &x.UserID, &x.Email, &x.Name); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
		x.Start, x.End = x.Start.UTC(), x.End.UTC()
		r.Extra = append(r.Extra, x)
	}
	return rows.Err()
}

// SetRota replaces a channel's rota. A rota that leaves gaps is saved (an
// absence must be recordable even when nobody covers it yet); an active
// channel's gaps are then alerted at once.
func (s *Store) SetRota(ctx context.Context, v Viewer, id int64, r Rota) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.manageable(ctx, tx, v, id)
		if err != nil {
			return err
		}
		r, err := r.resolve(c.Members)
		if err != nil {
			return err
		}
		if err := writeRota(ctx, tx, id, r); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: id, Kind: "rota", Summary: "Jourschemat ändrat: " + c.Name,
			Detail: map[string]any{"shifts": len(r.Shifts), "absences": len(r.Absences), "extra": len(r.Extra)}})
		if err != nil {
			return err
		}
		return s.checkSoon(ctx, tx, c)
	})
}

func writeRota(ctx context.Context, tx *db.Tx, id int64, r Rota) error {
	for _, table := range []string{"channel_rota_shifts", "channel_rota_absences", "channel_rota_extra"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE channel_id = ?", id); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
	}
	for _, sh := range r.Shifts {
		if _, err := tx.Exec(ctx, "INSERT INTO channel_rota_shifts (channel_id, user_id, holiday, weekday, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?)",
			id, sh.UserID, sh.Holiday, int(sh.Weekday), sh.Start, sh.End); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
	}
	for _, a := range r.Absences {
		if _, err := tx.Exec(ctx, "INSERT INTO channel_rota_absences (channel_id, user_id, from_date, to_date, note) VALUES (?, ?, ?, ?, ?)",
			id, a.UserID, a.From.String(), a.To.String(), a.Note); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
	}
	for _, x := range r.Extra {
		if _, err := tx.Exec(ctx, "INSERT INTO channel_rota_extra (channel_id, user_id, starts_at, ends_at, note) VALUES (?, ?, ?, ?, ?)",
			id, x.UserID, x.Start.UTC(), x.End.UTC(), x.Note); err != nil {
			return fmt.Errorf("channel: rota: %w", err)
		}
	}
	return nil
}

// Coverage returns the gaps in a channel's coverage from from to to.
func (s *Store) Coverage(ctx context.Context, v Viewer, id int64, from, to time.Time) ([]calendar.Gap, error) {
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	r, err := loadRota(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	return Coverage(c, r.Calendar(), from, to)
}

// Problems returns the rules that keep the channel from being active now.
func (s *Store) Problems(ctx context.Context, v Viewer, id int64) ([]Problem, error) {
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	r, err := loadRota(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	return activationProblems(c, r, s.Now()), nil
}

// activationProblems adds to Check what only the registry knows: a channel
// must be connected to its account.
func activationProblems(c Channel, r Rota, now time.Time) []Problem {
	var out []Problem
	if !c.HasExternalID() {
		out = append(out, Problem{"external_id", "Kanalen saknar plattformens id för kontot."})
	}
	return append(out, Check(c, r.Calendar(), now)...)
}
