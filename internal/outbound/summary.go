package outbound

import (
	"errors"
	"strings"

	"tilltal/internal/platform"
)

// summary says in Swedish why an action failed, for the person who asked
// and the channel's owner; the raw answer is kept beside it.
func summary(err error) string {
	var pe *platform.Error
	switch {
	case errors.Is(err, platform.ErrUnsupported):
		return "Plattformen har inte stöd för den här åtgärden."
	case !errors.As(err, &pe):
		return "Tekniskt fel: " + err.Error()
	case pe.TokenInvalid:
		return "Kanalens inloggning gäller inte längre (lösenordsbyte, borttagen roll eller utgången token). Anslut kanalen på nytt."
	case pe.NotFound:
		return "Det finns inte längre på plattformen; det kan ha raderats av skribenten."
	case pe.Status == 0:
		// Our own connectors' refusals (closed reply windows, quotas)
		// are written in Swedish already.
		return pe.Message
	case pe.RetryAfter > 0:
		return "Plattformen begränsar antalet anrop just nu (" + pe.Message + ")."
	case pe.Permanent:
		return "Plattformen nekade åtgärden: " + pe.Message
	}
	return "Plattformen svarade med ett fel: " + pe.Message
}

func verbSv(k Kind) string {
	switch k {
	case KindReply:
		return "svara"
	case KindPrivateReply:
		return "skicka ett privat svar"
	case KindHide:
		return "dölja en kommentar"
	case KindUnhide:
		return "visa en dold kommentar"
	case KindDelete:
		return "radera"
	case KindPublish:
		return "publicera ett inlägg"
	}
	return string(k)
}

func targetLabel(a Action) string {
	if a.TargetID == "" {
		return "nytt inlägg"
	}
	return "på " + a.TargetID
}

// rawText keeps a platform's answer as storable text.
func rawText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return truncate(strings.ReplaceAll(s, "\x00", ""), 64<<10)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
