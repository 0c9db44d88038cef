package incident

import (
	"tilltal/internal/pdfdoc"

	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/moderation/score"
)

// Law names each crime with its provision, for the police.
func Law(c score.Category) string {
	switch c {
	case score.Threat:
		return "olaga hot (4 kap. 5 § brottsbalken)"
	case score.Integrity:
		return "olaga integritetsintrång (4 kap. 6 c § brottsbalken)"
	case score.Incitement:
		return "uppvigling (16 kap. 5 § brottsbalken)"
	case score.Hate:
		return "hets mot folkgrupp (16 kap. 8 § brottsbalken)"
	case score.CSAM:
		return "barnpornografibrott (16 kap. 10 a § brottsbalken)"
	case score.Violence:
		return "olaga våldsskildring (16 kap. 10 c § brottsbalken)"
	case score.Terrorism:
		return "offentlig uppmaning till terroristbrott (lagen (2022:666) om straff för terroristbrott)"
	case score.Copyright:
		return "intrång i upphovsrätt eller närstående rättighet (7 kap. 53 § upphovsrättslagen)"
	}
	return c.Swedish()
}

// evidence is what the summary reads from the sealed parts, so that the
// summary says exactly what the vault holds.
type evidence struct {
	Item struct {
		Platform  string    `json:"platform"`
		Channel   string    `json:"channel"`
		Text      string    `json:"text"`
		Permalink string    `json:"permalink"`
		PostedAt  time.Time `json:"posted_at"`
		ItemID    int64     `json:"item_id"`
	}
	Author struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Handle     string `json:"handle"`
		ProfileURL string `json:"profile_url"`
	}
	Thread []struct {
		ItemID   int64     `json:"item_id"`
		Author   string    `json:"author"`
		FromUs   bool      `json:"from_us"`
		Text     string    `json:"text"`
		PostedAt time.Time `json:"posted_at"`
		Parent   string    `json:"parent_external_id"`
		External string    `json:"external_id"`
		Removed  bool      `json:"removed"`
		Hidden   bool      `json:"hidden"`
	}
	Meta struct {
		Platform   string `json:"platform"`
		Channel    string `json:"channel"`
		Permalink  string `json:"permalink"`
		ExternalID string `json:"external_id"`
		AuthorID   string `json:"author_id"`
		AuthorURL  string `json:"author_profile_url"`
	}
}

func readEvidence(parts []storedPart) evidence {
	var e evidence
	for _, p := range parts {
		switch p.info.Name {
		case "inlagg.json":
			_ = json.Unmarshal(p.data, &e.Item)
		case "forfattare.json":
			_ = json.Unmarshal(p.data, &e.Author)
		case "trad.json":
			_ = json.Unmarshal(p.data, &e.Thread)
		case "metadata.json":
			_ = json.Unmarshal(p.data, &e.Meta)
		}
	}
	return e
}

// summaryPDF writes the police-report summary in Swedish: what, where,
// when, who, the suspected crime, how the evidence was preserved, and a
// rendered capture of the comment in its thread.
func summaryPDF(municipality string, i Incident, vt Vault, parts []storedPart, now time.Time) ([]byte, error) {
	e := readEvidence(parts)
	m := vt.Manifest
	d, err := pdfdoc.New("Underlag för polisanmälan "+i.DiaryNumber, municipality)
	if err != nil {
		return nil, err
	}
	d.Write("Underlag för polisanmälan", true, 18)
	d.Para(fmt.Sprintf("%s · ärende %s · upprättat %s", municipality, i.DiaryNumber, stamp(now)))
	d.Para("Underlaget är framtaget ur kommunens system Tilltal för den som anmäler per telefon (114 14) eller på en polisstation. " +
		"Kommunen är skyldig att ta bort innehållet enligt lagen (1998:112) om ansvar för elektroniska anslagstavlor.")

	d.Heading("Vad")
	d.Field("Misstänkt brott", Law(i.Category))
	if !m.MetadataOnly {
		d.Field("Texten som skrevs", e.Item.Text)
	} else {
		d.Field("Innehåll", "Barnpornografibrott (tecken på): materialet har inte öppnats, sparats, kopierats eller vidarebefordrats av kommunen. Endast länk och metadata lämnas.")
	}

	d.Heading("Var")
	d.Field("Plattform", platformName(m.Platform))
	d.Field("Kanal", i.ChannelName)
	d.Field("Adress (URL)", m.Permalink)
	d.Field("Plattformens id", m.ExternalID)

	d.Heading("När")
	d.Field("Publicerat", stamp(m.PostedAt))
	d.Field("Kom in till kommunen", stamp(m.ReceivedAt))
	d.Field("Bevis säkrade", stamp(m.CapturedAt))
	removed := "Syns fortfarande på plattformen"
	if i.RemovedAt != nil {
		removed = fmt.Sprintf("%s (%s, %s efter att det kom in)", stamp(*i.RemovedAt), removalSv(i.Removal), i.RemovedAt.Sub(i.ReceivedAt).Round(time.Second))
	}
	d.Field("Borttaget från publik vy", removed)

	d.Heading("Vem")
	if m.MetadataOnly {
		d.Field("Profilens id", e.Meta.AuthorID)
		d.Field("Profilens adress", e.Meta.AuthorURL)
	} else {
		d.Field("Namn på profilen", e.Author.Name)
		d.Field("Användarnamn", e.Author.Handle)
		d.Field("Profilens adress", e.Author.ProfileURL)
		d.Field("Profilens id", e.Author.ID)
	}

	d.Heading("Hur bevisen säkrades")
	d.Para(fmt.Sprintf("Bevisen säkrades %s i ett skyddat bevisvalv: %s. Varje fil har en SHA-256-kontrollsumma; "+
		"förteckningen över filerna (manifest.json) är förseglad med kontrollsumman nedan och kan inte ändras i efterhand. "+
		"Filen SHA256SUMS i paketet gör att varje fil kan kontrolleras, t.ex. med kommandot sha256sum -c SHA256SUMS.",
		stamp(m.CapturedAt), preservedWhat(m.MetadataOnly)))
	d.Hashed("Sigill (SHA-256)", "", vt.Seal)
	for _, p := range m.Parts {
		d.Hashed(p.Name, fmt.Sprintf("%d byte", p.Size), p.SHA256)
	}

	if !m.MetadataOnly {
		capture(d, i, e, m)
	}
	d.Heading("Polisens diarienummer")
	number := i.PoliceReportNumber
	if number == "" {
		number = "K-nummer: ______________________   (förs in i Tilltal när anmälan är gjord)"
	}
	d.Para(number)
	return d.Bytes()
}

func preservedWhat(metadataOnly bool) string {
	if metadataOnly {
		return "endast metadata (plattform, id, länk, profilens id och länk, tider)"
	}
	return "texten, den råa leveransen från plattformen, författarens publika profil, tråden runt inlägget, bilagor, plattformens svar vid säkringen och en återgiven skärmbild"
}

// capture draws the comment in its thread as it stood, the case's comment
// framed in red.
func capture(d *pdfdoc.Doc, i Incident, e evidence, m Manifest) {
	d.NewPage()
	d.Write("Återgiven skärmbild av inlägget i sin tråd", true, 13)
	d.Para(fmt.Sprintf("Fångad %s ur det som %s levererade. Inlägget i ärendet är inramat i rött.", stamp(m.CapturedAt), platformName(m.Platform)))
	d.Space(6)
	if len(e.Thread) == 0 {
		d.Post(e.Author.Name+" · "+stamp(e.Item.PostedAt), e.Item.Text, 0, true)
		return
	}
	isComment := comments(e)
	for _, t := range e.Thread {
		who := t.Author
		if t.FromUs {
			who = i.ChannelName + " (kommunen)"
		}
		var state []string
		if t.Hidden {
			state = append(state, "dold")
		}
		if t.Removed {
			state = append(state, "borttagen")
		}
		header := who + " · " + stamp(t.PostedAt)
		if len(state) > 0 {
			header += " · " + strings.Join(state, ", ")
		}
		indent := 0.0
		if isComment[t.Parent] {
			indent = 24 // a reply to a comment
		}
		d.Post(header, t.Text, indent, t.ItemID == m.ItemID)
	}
}

// comments are the external ids of the thread's comments (not its post):
// what answers one of them is a reply, drawn indented.
func comments(e evidence) map[string]bool {
	out := map[string]bool{}
	for _, t := range e.Thread {
		if t.Parent != "" {
			out[t.External] = true
		}
	}
	return out
}

func removalSv(r string) string {
	switch r {
	case RemovalHidden:
		return "dolt av kommunen"
	case RemovalDeleted:
		return "raderat av kommunen"
	case RemovalGone:
		return "raderat på plattformen innan kommunen hann dölja det"
	}
	return r
}

func platformName(p string) string {
	switch p {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	case "linkedin":
		return "LinkedIn"
	case "youtube":
		return "YouTube"
	}
	return p
}
