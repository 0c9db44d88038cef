package incident

import (
	"fmt"
	"strings"
)

// Where tips about child sexual abuse material go. The police ask for a
// link and the facts around it, never the material itself.
const (
	PoliceTipPlace = "Polisens tipsformulär om sexuella övergrepp mot barn (polisen.se, sök ”tipsa om sexuella övergrepp mot barn”)"
	ECPATPlace     = "ECPAT Hotline (ecpat.se), om polisens formulär inte kan användas"
)

// Tip is the text to give the police's tip form for child sexual abuse
// material (or ECPAT's hotline), made from metadata only.
func Tip(municipality string, i Incident, m Manifest, authorID, authorURL string) string {
	var b strings.Builder
	line := func(label, value string) {
		if value == "" {
			value = "–"
		}
		fmt.Fprintf(&b, "%s: %s\n", label, value)
	}
	fmt.Fprintf(&b, "Tips om misstänkt barnpornografibrott från %s\n\n", municipality)
	line("Var", fmt.Sprintf("%s, kanalen %s", platformName(m.Platform), i.ChannelName))
	line("Länk", m.Permalink)
	line("Plattformens id för inlägget", m.ExternalID)
	line("Profilens id", authorID)
	line("Profilens adress", authorURL)
	line("Publicerat", stamp(m.PostedAt))
	line("Kom in till kommunen", stamp(m.ReceivedAt))
	line("Plattformens anmälnings-id", i.PlatformReportID)
	line("Kommunens diarienummer", i.DiaryNumber)
	b.WriteString("\nKommunen har inte öppnat, sparat, kopierat eller vidarebefordrat materialet; endast länken och uppgifterna ovan lämnas.\n")
	fmt.Fprintf(&b, "\nLämnas till: %s.\nAlternativ: %s.\n", PoliceTipPlace, ECPATPlace)
	return b.String()
}
