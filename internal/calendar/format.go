package calendar

import "time"

// FormatDateTime formats t for people: "2006-01-02 15:04" in Stockholm time.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02 15:04")
}

// FormatDate formats t as "2006-01-02" in Stockholm time.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02")
}
