package api

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
)

// dayNames are the days of a rota shift in the API, and "holiday" for
// public holidays and eves.
var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

type shiftJSON struct {
	Day    string `json:"day"`
	Start  string `json:"start"`
	End    string `json:"end"`
	Email  string `json:"email"`
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
}

type absenceJSON struct {
	Email  string `json:"email"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note"`
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
}

type extraJSON struct {
	Email  string    `json:"email"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Note   string    `json:"note"`
	UserID int64     `json:"user_id,omitempty"`
	Name   string    `json:"name,omitempty"`
}

type rotaJSON struct {
	Shifts   []shiftJSON   `json:"shifts"`
	Absences []absenceJSON `json:"absences"`
	Extra    []extraJSON   `json:"extra"`
}

func toRota(r channel.Rota) rotaJSON {
	out := rotaJSON{Shifts: []shiftJSON{}, Absences: []absenceJSON{}, Extra: []extraJSON{}}
	for _, s := range r.Shifts {
		day := "holiday"
		if !s.Holiday {
			day = dayNames[s.Weekday]
		}
		out.Shifts = append(out.Shifts, shiftJSON{day, s.Start, s.End, s.Email, s.UserID, s.Name})
	}
	for _, a := range r.Absences {
		out.Absences = append(out.Absences, absenceJSON{a.Email, a.From.String(), a.To.String(), a.Note, a.UserID, a.Name})
	}
	for _, x := range r.Extra {
		out.Extra = append(out.Extra, extraJSON{x.Email, x.Start.UTC(), x.End.UTC(), x.Note, x.UserID, x.Name})
	}
	return out
}

// rota reads the rota; people are named by e-mail, or by user id.
func (in rotaJSON) rota() (channel.Rota, error) {
	var out channel.Rota
	for i, s := range in.Shifts {
		sh := channel.Shift{Start: s.Start, End: s.End, Email: s.Email, UserID: s.UserID}
		switch d := indexOf(dayNames, s.Day); {
		case s.Day == "holiday":
			sh.Holiday = true
		case d >= 0:
			sh.Weekday = time.Weekday(d)
		default:
			return out, apperr.Invalidf("Pass %d: day måste vara monday … sunday eller holiday", i+1)
		}
		out.Shifts = append(out.Shifts, sh)
	}
	for i, a := range in.Absences {
		from, err1 := calendar.ParseDate(a.From)
		to, err2 := calendar.ParseDate(a.To)
		if err1 != nil || err2 != nil {
			return out, apperr.Invalidf("Frånvaro %d: from och to anges som ÅÅÅÅ-MM-DD", i+1)
		}
		out.Absences = append(out.Absences, channel.Absence{Email: a.Email, UserID: a.UserID, From: from, To: to, Note: a.Note})
	}
	for _, x := range in.Extra {
		out.Extra = append(out.Extra, channel.ExtraShift{Email: x.Email, UserID: x.UserID, Start: x.Start, End: x.End, Note: x.Note})
	}
	return out, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func (a *API) channelRota(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rota, err := a.Channels.Rota(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRota(rota))
}

func (a *API) setChannelRota(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in rotaJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	rota, err := in.rota()
	if err != nil {
		return err
	}
	if err := a.Channels.SetRota(r.Context(), viewer(r), id, rota); err != nil {
		return err
	}
	return a.channelRota(w, r)
}

func writeBody(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
