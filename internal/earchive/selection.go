package earchive

import (
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
)

// Selection is what to export: records received in [From, To), optionally
// of one channel, or the records with the given seqs (within the period
// when one is given too).
type Selection struct {
	From, To  time.Time
	ChannelID int64
	Seqs      []int64
}

// Validate checks that the selection names a period or records.
func (s Selection) Validate() error {
	if len(s.Seqs) == 0 && (s.From.IsZero() || s.To.IsZero()) {
		return apperr.Invalidf("Ange en period (från och till) eller vilka handlingar som ska exporteras")
	}
	if !s.From.IsZero() && !s.To.IsZero() && !s.From.Before(s.To) {
		return apperr.Invalidf("Periodens slut måste komma efter dess början")
	}
	for _, q := range s.Seqs {
		if q <= 0 {
			return apperr.Invalidf("Ogiltigt löpnummer %d", q)
		}
	}
	return nil
}

// where is the selection as SQL over archive_records r. Culled records and
// culling records are gone from the e-archive's view; raw deliveries come
// in through the item versions that name them; quarantined media never
// leaves the vault.
func (s Selection) where() (string, []any) {
	conds := []string{"r.culled_at IS NULL", "r.kind NOT IN ('raw_delivery', 'culling')",
		"NOT (r.kind = 'attachment' AND r.item_id IN (SELECT item_id FROM media_quarantine))"}
	var args []any
	if !s.From.IsZero() {
		conds, args = append(conds, "r.occurred_at >= ?"), append(args, s.From.UTC())
	}
	if !s.To.IsZero() {
		conds, args = append(conds, "r.occurred_at < ?"), append(args, s.To.UTC())
	}
	if s.ChannelID != 0 {
		conds, args = append(conds, "r.channel_id = ?"), append(args, s.ChannelID)
	}
	if len(s.Seqs) > 0 {
		conds = append(conds, "r.seq IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(s.Seqs)), ", ")+")")
		for _, q := range s.Seqs {
			args = append(args, q)
		}
	}
	return strings.Join(conds, " AND "), args
}

// Describe is the selection in words, for labels and the audit log.
func (s Selection) Describe() string {
	var parts []string
	if !s.From.IsZero() {
		parts = append(parts, "från "+s.From.In(stockholm()).Format("2006-01-02"))
	}
	if !s.To.IsZero() {
		parts = append(parts, "till "+s.To.Add(-time.Nanosecond).In(stockholm()).Format("2006-01-02"))
	}
	if s.ChannelID != 0 {
		parts = append(parts, "kanal "+strconv.FormatInt(s.ChannelID, 10))
	}
	if len(s.Seqs) > 0 {
		parts = append(parts, strconv.Itoa(len(s.Seqs))+" utvalda handlingar")
	}
	return strings.Join(parts, ", ")
}

// ParsePeriod reads a period of whole days, "2026-01-01" to "2026-12-31"
// inclusive, in Swedish time, as [from, to). Both empty is no period.
func ParsePeriod(from, to string) (time.Time, time.Time, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" && to == "" {
		return time.Time{}, time.Time{}, nil
	}
	f, err1 := time.ParseInLocation("2006-01-02", from, stockholm())
	t, err2 := time.ParseInLocation("2006-01-02", to, stockholm())
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, apperr.Invalidf("Ange perioden som två datum, ÅÅÅÅ-MM-DD, från och med och till och med")
	}
	t = t.AddDate(0, 0, 1)
	if !f.Before(t) {
		return time.Time{}, time.Time{}, apperr.Invalidf("Periodens slut måste komma efter dess början")
	}
	return f.UTC(), t.UTC(), nil
}
