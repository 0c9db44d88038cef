package linkedin

import (
	"fmt"
	"time"
)

// Version is the LinkedIn-Version header sent on every call: the one place
// it is set. LinkedIn supports each monthly version for at least a year and
// answers 426 once it is sunset, so this must be moved forward before the
// date in Sunsets; the admin page shows VersionStatus.
const Version = "202603"

// WarnBefore is how long before a sunset VersionStatus starts warning.
const WarnBefore = 90 * 24 * time.Hour

// Sunsets are the sunset dates LinkedIn published on its migrations page
// (learn.microsoft.com/linkedin/marketing/integrations/migrations) for the
// versions around Version. Add the new version's date when moving Version.
var Sunsets = map[string]time.Time{
	"202510": date(2026, time.October, 15),
	"202511": date(2026, time.November, 16),
	"202601": date(2027, time.January, 15),
	"202602": date(2027, time.February, 15),
	"202603": date(2027, time.March, 16),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// VersionInfo is what the admin page shows about the LinkedIn-Version.
type VersionInfo struct {
	Version string
	// Sunset is zero when the date is not in Sunsets.
	Sunset   time.Time
	DaysLeft int
	// Warn is true within WarnBefore of the sunset, after it, or when the
	// sunset is unknown.
	Warn    bool
	Message string
}

// DaysUntilSunset says how many whole days remain before version is sunset
// (negative once it has passed); ok is false for a version not in Sunsets.
func DaysUntilSunset(version string, now time.Time) (days int, ok bool) {
	s, ok := Sunsets[version]
	if !ok {
		return 0, false
	}
	d := s.Sub(now.UTC())
	days = int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days-- // a partial day past the sunset already counts as past
	}
	return days, true
}

// VersionStatus reports on Version at now, in Swedish for the admin page.
func VersionStatus(now time.Time) VersionInfo { return statusOf(Version, now) }

func statusOf(version string, now time.Time) VersionInfo {
	info := VersionInfo{Version: version}
	days, ok := DaysUntilSunset(version, now)
	switch {
	case !ok:
		info.Warn = true
		info.Message = fmt.Sprintf("LinkedIn-Version %s saknar känt slutdatum; kontrollera LinkedIns migreringssida.", version)
	case days < 0:
		info.Sunset, info.DaysLeft, info.Warn = Sunsets[version], days, true
		info.Message = fmt.Sprintf("LinkedIn-Version %s upphörde %s; LinkedIn avvisar alla anrop (426) tills versionen uppdateras.",
			version, info.Sunset.Format("2006-01-02"))
	default:
		info.Sunset, info.DaysLeft = Sunsets[version], days
		info.Warn = info.Sunset.Sub(now) <= WarnBefore
		info.Message = fmt.Sprintf("LinkedIn-Version %s gäller till %s (%d dagar kvar).",
			version, info.Sunset.Format("2006-01-02"), days)
		if info.Warn {
			info.Message += " Uppdatera versionen i god tid."
		}
	}
	return info
}
