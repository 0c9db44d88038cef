package demo

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/org"
)

// Channel is a demo account in the registry.
type Channel struct {
	Department string // code
	Platform   channel.Platform
	ExternalID string
	Handle     string
	URL        string
	Name       string
	Purpose    string
	Audience   string
	Owner      string   // e-mail
	Editors    []string // e-mail
	// Requested channels stay a request for the communicator to review.
	Requested bool
	// AbsentEditor records the first editor as absent for a few days next
	// week, after activation: the rota then has a gap to show.
	AbsentEditor bool
}

// Channels are the demo registry: nine active accounts on all four
// platforms in five departments, one with a gap in its rota, and one
// request waiting for review.
var Channels = []Channel{
	{Department: "KLF", Platform: channel.Facebook, ExternalID: "100064512345678", Handle: "exempelbykommun", URL: "https://www.facebook.com/exempelbykommun",
		Name: "Exempelby kommun", Purpose: "Nyheter, driftinformation och dialog med kommunens invånare.", Audience: "Alla som bor, arbetar eller verkar i Exempelby",
		Owner: "kanal@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "KLF", Platform: channel.Instagram, ExternalID: "17841400123456789", Handle: "@exempelbykommun", URL: "https://www.instagram.com/exempelbykommun/",
		Name: "Exempelby kommun", Purpose: "Bilder och berättelser från kommunens verksamheter.", Audience: "Unga vuxna och familjer",
		Owner: "kanal@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "KLF", Platform: channel.LinkedIn, ExternalID: "urn:li:organization:2414183", Handle: "Exempelby kommun", URL: "https://www.linkedin.com/company/exempelby-kommun/",
		Name: "Exempelby kommun – arbetsgivare", Purpose: "Lediga jobb och kommunen som arbetsgivare.", Audience: "Arbetssökande och medarbetare",
		Owner: "kanal@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "KLF", Platform: channel.YouTube, ExternalID: "UCx4Exempelby0Fullmaktige", Handle: "@exempelbykommun", URL: "https://www.youtube.com/@exempelbykommun",
		Name: "Exempelby kommunfullmäktige", Purpose: "Sändningar från kommunfullmäktiges sammanträden.", Audience: "Invånare och förtroendevalda",
		Owner: "kanal@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "SOC", Platform: channel.Facebook, ExternalID: "100070098765432", Handle: "aldreomsorgenexempelby", URL: "https://www.facebook.com/aldreomsorgenexempelby",
		Name: "Äldreomsorgen i Exempelby", Purpose: "Information till anhöriga och äldre om omsorg, aktiviteter och besök.", Audience: "Äldre och anhöriga",
		Owner: "aldreomsorg@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "BUF", Platform: channel.Instagram, ExternalID: "17841400987654321", Handle: "@exempelbyskolor", URL: "https://www.instagram.com/exempelbyskolor/",
		Name: "Skolorna i Exempelby", Purpose: "Vardag och händelser i kommunens förskolor och skolor.", Audience: "Elever och vårdnadshavare",
		Owner: "skola@exempelby.se", Editors: []string{"redaktor@exempelby.se"}},
	{Department: "SBF", Platform: channel.Facebook, ExternalID: "100081234509876", Handle: "exempelbygatortrafik", URL: "https://www.facebook.com/exempelbygatortrafik",
		Name: "Gator och trafik i Exempelby", Purpose: "Snöröjning, vägarbeten och trafikstörningar.", Audience: "Trafikanter och boende",
		Owner: "trafik@exempelby.se", Editors: []string{"webb@exempelby.se"}},
	{Department: "KFF", Platform: channel.Facebook, ExternalID: "100055566677788", Handle: "exempelbybibliotek", URL: "https://www.facebook.com/exempelbybibliotek",
		Name: "Exempelby bibliotek", Purpose: "Evenemang, boktips och öppettider på biblioteken.", Audience: "Låntagare i alla åldrar",
		Owner: "kontoansvarig@exempelby.se", Editors: []string{"bibliotek@exempelby.se"}},
	{Department: "KFF", Platform: channel.YouTube, ExternalID: "UCx4Exempelby0Kulturskolan", Handle: "@kulturskolanexempelby", URL: "https://www.youtube.com/@kulturskolanexempelby",
		Name: "Kulturskolan Exempelby", Purpose: "Konserter och elevföreställningar från kulturskolan.", Audience: "Elever, föräldrar och publik",
		Owner: "kontoansvarig@exempelby.se", Editors: []string{"bibliotek@exempelby.se"}, AbsentEditor: true},
	{Department: "SBF", Platform: channel.Other, Handle: "@exempelbyatervinning",
		Name: "Exempelby återvinning (TikTok)", Purpose: "Korta filmer om sortering och återvinningscentralernas öppettider.", Audience: "Unga vuxna",
		Owner: "trafik@exempelby.se", Editors: []string{"webb@exempelby.se"}, Requested: true},
}

// seedChannels adds Channels, taking all but the requested through review.
func seedChannels(ctx context.Context, o *org.Store, departments map[string]int64) error {
	s := &channel.Store{DB: o.DB, Now: o.Now}
	for _, dc := range Channels {
		n := channel.NewChannel{
			Details: channel.Details{DepartmentID: departments[dc.Department], Platform: dc.Platform, ExternalID: dc.ExternalID, Handle: dc.Handle, URL: dc.URL,
				Name: dc.Name, Purpose: dc.Purpose, Audience: dc.Audience, Upkeep: "Inlägg flera gånger i veckan; frågor besvaras samma dag, även kvällar och helger.",
				SenderRules: "Svar signeras med förnamn och ”/" + dc.Name + "”.", GraphicProfileURL: "https://www.exempelby.se/grafisk-profil",
				RetentionDecision: "Dokumenthanteringsplan KLF 2024:3, punkt 4.2: sparas i två år, därefter gallras"},
			People: channel.People{Owner: dc.Owner, Editors: dc.Editors},
			Rota:   fullRota(dc.Owner, dc.Editors[0]),
		}
		var c channel.Channel
		var err error
		if dc.Requested {
			requester, uerr := o.UserByEmail(ctx, "verksamhet@exempelby.se")
			if uerr != nil {
				return uerr
			}
			c, err = s.Request(ctx, channel.Viewer{UserID: requester.ID}, n)
		} else {
			c, err = s.Create(ctx, channel.System, n)
		}
		if err != nil {
			return fmt.Errorf("demo: channel %s: %w", dc.Name, err)
		}
		if dc.Requested {
			continue
		}
		if err := activate(ctx, s, c.ID); err != nil {
			return fmt.Errorf("demo: channel %s: %w", dc.Name, err)
		}
		// The sender rules above, made checkable for the reply check.
		if err := s.SetReplyRules(ctx, channel.System, c.ID, channel.ReplyRules{SignOffs: []string{"<namn> /" + dc.Name}}); err != nil {
			return fmt.Errorf("demo: channel %s: %w", dc.Name, err)
		}
		if dc.AbsentEditor {
			if err := addAbsence(ctx, s, c.ID, dc.Editors[0], o.Now()); err != nil {
				return fmt.Errorf("demo: channel %s: %w", dc.Name, err)
			}
		}
	}
	return nil
}

// fullRota has the owner on duty 08–15 and the editor 15–22 every day,
// holidays included: the default policy, covered.
func fullRota(owner, editor string) channel.Rota {
	var r channel.Rota
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		r.Shifts = append(r.Shifts, channel.Shift{Weekday: wd, Start: "08:00", End: "15:00", Email: owner},
			channel.Shift{Weekday: wd, Start: "15:00", End: "22:00", Email: editor})
	}
	r.Shifts = append(r.Shifts, channel.Shift{Holiday: true, Start: "08:00", End: "15:00", Email: owner},
		channel.Shift{Holiday: true, Start: "15:00", End: "22:00", Email: editor})
	return r
}

func activate(ctx context.Context, s *channel.Store, id int64) error {
	if err := s.Transition(ctx, channel.System, id, channel.Change{To: channel.UnderReview}); err != nil {
		return err
	}
	all := channel.Checklist{Sender: true, GraphicProfile: true, NamePicture: true}
	return s.Transition(ctx, channel.System, id, channel.Change{To: channel.Active, Checklist: &all})
}

// addAbsence takes the editor off the rota for three days a week from now:
// nobody covers those evenings, and the gap check alerts it.
func addAbsence(ctx context.Context, s *channel.Store, id int64, editor string, now time.Time) error {
	r, err := s.Rota(ctx, channel.System, id)
	if err != nil {
		return err
	}
	from := calendar.DateOf(now).AddDays(7)
	r.Absences = append(r.Absences, channel.Absence{Email: editor, From: from, To: from.AddDays(2), Note: "Semester"})
	return s.SetRota(ctx, channel.System, id, r)
}
