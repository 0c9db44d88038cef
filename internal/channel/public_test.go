package channel

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestGroup(t *testing.T) {
	t.Parallel()
	list := []PublicChannel{
		{ID: 1, Name: "Biblioteket", Platform: Instagram, DepartmentID: 5, DepartmentName: "Kultur"},
		{ID: 2, Name: "Kulturskolan", Platform: Facebook, DepartmentID: 5, DepartmentName: "Kultur"},
		{ID: 3, Name: "Simhallen", Platform: Instagram, DepartmentID: 5, DepartmentName: "Kultur"},
		{ID: 4, Name: "Gator", Platform: YouTube, DepartmentID: 2, DepartmentName: "Samhällsbyggnad"},
	}
	var got []string
	for _, g := range Group(list) {
		for _, p := range g.Platforms {
			var names []string
			for _, c := range p.Channels {
				names = append(names, c.Name)
			}
			got = append(got, g.Name+"/"+string(p.Platform)+":"+strings.Join(names, ","))
		}
	}
	want := "Kultur/facebook:Kulturskolan Kultur/instagram:Biblioteket,Simhallen Samhällsbyggnad/youtube:Gator"
	if strings.Join(got, " ") != want {
		t.Errorf("groups = %v", got)
	}
}

func TestAtom(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 9, 1, 7, 0, 0, 0, time.UTC)
	ch := PublicChannel{ID: 7, Name: "Exempelby <bibliotek>", Platform: Facebook, URL: "https://www.facebook.com/exempelbybibliotek", Purpose: "Nyheter & evenemang", DepartmentName: "Kultur"}
	out, err := Atom(Feed{BaseURL: "https://tilltal.exempelby.se/", Municipality: "Exempelby kommun"}, []PublicChange{
		{EventID: 12, At: at.Add(time.Hour), What: "removed", Channel: ch},
		{EventID: 9, At: at, What: "added", Channel: ch},
	})
	if err != nil {
		t.Fatal(err)
	}
	var feed struct {
		Lang    string `xml:"lang,attr"`
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(out, &feed); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if feed.Lang != "sv" || feed.ID != "https://tilltal.exempelby.se/kanaler.atom" || feed.Updated != "2026-09-01T08:00:00Z" || len(feed.Entries) != 2 {
		t.Fatalf("feed: %+v\n%s", feed, out)
	}
	e := feed.Entries
	if e[0].Title != "Kanal borttagen: Exempelby <bibliotek>" || e[0].Link.Href != "https://tilltal.exempelby.se/kanaler" ||
		e[0].ID != "tag:tilltal.exempelby.se,2026-09-01:kanaler/andring/12" {
		t.Errorf("removed entry: %+v", e[0])
	}
	if e[1].Title != "Ny kanal: Exempelby <bibliotek>" || e[1].Link.Href != ch.URL || !strings.Contains(e[1].Summary, "Nyheter & evenemang") {
		t.Errorf("added entry: %+v", e[1])
	}
	if !strings.Contains(string(out), "Exempelby &lt;bibliotek&gt;") {
		t.Error("names are not escaped")
	}
}
