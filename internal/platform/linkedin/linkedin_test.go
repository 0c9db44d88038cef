package linkedin_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/linkedin"
	"tilltal/internal/platform/linkedinfake"
)

const (
	org    = "urn:li:organization:2414183"
	member = "urn:li:person:kommunikator1"
	person = "urn:li:person:medborgare7"
)

var base = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

type env struct {
	fake *linkedinfake.Server
	conn *linkedin.Connector
	cred platform.Credentials
	clk  *clock.Fixed
}

func setup(t *testing.T) env {
	t.Helper()
	f := linkedinfake.New()
	t.Cleanup(f.Close)
	clk := &clock.Fixed{T: base}
	f.SetNow(func() time.Time { return clk.T })
	f.AddToken("tok", member)
	f.GrantRole(member, org, "ADMINISTRATOR")
	conn := linkedin.New(linkedin.Config{APIURL: f.URL(), OAuthURL: f.OAuthURL(), ClientID: "cid",
		ClientSecret: "csecret", HTTP: f.Client(), Clock: clk})
	return env{fake: f, conn: conn, clk: clk,
		cred: platform.Credentials{AccountID: "2414183", AccessToken: "tok", RefreshToken: "rt-1"}}
}

func ctx() context.Context { return context.Background() }

// summary is an event reduced to what a test compares.
func summary(evs []platform.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Verb)+" "+string(e.Object.Kind)+" "+e.Object.Text)
	}
	return out
}

func TestPollAcrossPagesAndChanges(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.SetPageMax(2) // every list call pages
	old := e.fake.AddPost(org, "Gammalt inlägg", base.Add(-60*24*time.Hour))
	p1 := e.fake.AddPost(org, "Snöröjningen börjar i natt", base.Add(-3*time.Hour))
	p2 := e.fake.AddPost(org, "Biblioteket har nya öppettider", base.Add(-2*time.Hour))
	p3 := e.fake.AddPost(org, "Simhallen stänger för service", base.Add(-1*time.Hour))
	_ = e.fake.AddPost("urn:li:organization:999", "Annan sida", base.Add(-time.Hour))
	e.fake.AddComment(old, person, "för gammal för fönstret", base.Add(-59*24*time.Hour))
	var c1 string
	for i, txt := range []string{"När plogas Storgatan?", "Tack!", "Och cykelbanorna?", "Bra jobbat", "Sandning?"} {
		id := e.fake.AddComment(p1, person, txt, base.Add(-170*time.Minute+time.Duration(i)*time.Minute))
		if i == 0 {
			c1 = id
		}
	}
	e.fake.AddComment(c1, org, "Storgatan plogas före sju.", base.Add(-160*time.Minute))
	e.fake.AddComment(c1, person, "Tack för svaret", base.Add(-150*time.Minute))
	e.fake.AddComment(c1, person, "Och Kyrkvägen?", base.Add(-149*time.Minute))
	e.fake.AddComment(p3, person, "Hur länge?", base.Add(-50*time.Minute))

	evs, cur, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[platform.Kind]int{}
	for _, ev := range evs {
		counts[ev.Object.Kind]++
		if ev.Verb != platform.VerbCreate || ev.AccountID != org || ev.Platform != platform.LinkedIn || ev.EventID == "" {
			t.Errorf("first poll event %+v", ev)
		}
	}
	if counts[platform.KindPost] != 3 || counts[platform.KindComment] != 6 || counts[platform.KindReply] != 3 {
		t.Fatalf("first poll kinds = %v, want 3 posts, 6 comments, 3 replies: %q", counts, summary(evs))
	}
	for _, ev := range evs {
		if ev.Object.Text == "Storgatan plogas före sju." && (!ev.Object.Author.IsPage || ev.Object.ParentID != c1 || ev.Object.ThreadID != p1) {
			t.Errorf("page reply = %+v", ev.Object)
		}
	}

	again, cur2, err := e.conn.Poll(ctx(), e.cred, cur)
	if err != nil || len(again) != 0 {
		t.Fatalf("unchanged poll = %q, %v; want nothing", summary(again), err)
	}

	e.clk.Advance(10 * time.Minute)
	e.fake.AddComment(p2, person, "Öppet på söndagar?", e.clk.T)
	e.fake.EditComment(c1, "När plogas Storgatan och Torget?", e.clk.T)
	removed := e.fake.AddComment(p3, person, "x", base.Add(-40*time.Minute))
	mid, cur3, err := e.conn.Poll(ctx(), e.cred, cur2)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(summary(mid), "|"); got != "create comment x|create comment Öppet på söndagar?|edit comment När plogas Storgatan och Torget?" {
		t.Fatalf("middle poll = %q", got)
	}
	e.fake.RemoveComment(removed)
	e.fake.EditPost(p3, "Simhallen stänger för service till måndag", e.clk.T)
	evs, _, err = e.conn.Poll(ctx(), e.cred, cur3)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(summary(evs), "|")
	for _, want := range []string{"edit post Simhallen stänger för service till måndag", "remove comment "} {
		if !strings.Contains(got, want) {
			t.Errorf("last poll %q lacks %q", got, want)
		}
	}

	for _, r := range e.fake.Requests() {
		if !strings.HasPrefix(r.Path, "/rest/") {
			continue
		}
		if r.Header.Get("LinkedIn-Version") != linkedin.Version || r.Header.Get("Authorization") != "Bearer tok" ||
			r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
			t.Fatalf("request %s %s headers %v", r.Method, r.Path, r.Header)
		}
	}
}

func TestPollSeesNewEditedAndRemoved(t *testing.T) {
	t.Parallel()
	e := setup(t)
	p := e.fake.AddPost(org, "Sophämtning vecka 48", base.Add(-time.Hour))
	a := e.fake.AddComment(p, person, "Mitt kärl blev inte tömt", base.Add(-50*time.Minute))
	b := e.fake.AddComment(p, person, "Samma här", base.Add(-40*time.Minute))
	_, cur, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	e.fake.EditComment(a, "Mitt kärl blev inte tömt, Ängsvägen 3", e.clk.T)
	e.fake.RemoveComment(b)
	e.fake.AddComment(a, person, "Fortfarande inte", e.clk.T)
	evs, _, err := e.conn.Poll(ctx(), e.cred, cur)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"edit comment Mitt kärl blev inte tömt, Ängsvägen 3": true,
		"remove comment ":               true,
		"create reply Fortfarande inte": true,
	}
	got := summary(evs)
	if len(got) != len(want) {
		t.Fatalf("events = %q", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("unexpected event %q", g)
		}
	}
}

func TestErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(env)
		check func(*platform.Error) bool
	}{
		{"expired token", func(e env) { e.fake.ExpireToken("tok") },
			func(pe *platform.Error) bool { return pe.Status == 401 && pe.TokenInvalid && pe.Permanent }},
		{"throttled", func(e env) { e.fake.Inject(linkedinfake.Fault{Path: "/rest/posts", Status: 429, RetryAfter: "120"}) },
			func(pe *platform.Error) bool { return !pe.Permanent && pe.RetryAfter == 2*time.Minute }},
		{"retired version", func(e env) { e.fake.Accept("202701") },
			func(pe *platform.Error) bool {
				return pe.Status == 426 && pe.Permanent && !pe.TokenInvalid && strings.Contains(pe.Message, "linkedin.Version")
			}},
		{"outage", func(e env) { e.fake.Inject(linkedinfake.Fault{Status: 500}) },
			func(pe *platform.Error) bool { return pe.Status == 500 && !pe.Permanent }},
		{"gateway", func(e env) { e.fake.Inject(linkedinfake.Fault{Status: 503}) },
			func(pe *platform.Error) bool { return !pe.Permanent && !pe.NotFound }},
		{"forbidden", func(e env) { e.fake.Inject(linkedinfake.Fault{Status: 403}) },
			func(pe *platform.Error) bool { return pe.Permanent && !pe.TokenInvalid }},
		{"malformed answer", func(e env) {
			e.fake.Inject(linkedinfake.Fault{Path: "/rest/posts", Status: 200, Body: `{"elements": [tru`})
		}, func(pe *platform.Error) bool { return pe.Code == "malformed_answer" && !pe.Permanent }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.fake.AddPost(org, "Inlägg", base.Add(-time.Hour))
			tc.setup(e)
			_, cur, err := e.conn.Poll(ctx(), e.cred, "")
			var pe *platform.Error
			if !errors.As(err, &pe) || !tc.check(pe) {
				t.Fatalf("err = %v (%#v)", err, pe)
			}
			if cur != "" {
				t.Fatalf("cursor advanced on error: %q", cur)
			}
		})
	}
}

func TestRecoversAfterTransientFailure(t *testing.T) {
	t.Parallel()
	e := setup(t)
	p := e.fake.AddPost(org, "Bygglov", base.Add(-time.Hour))
	e.fake.AddComment(p, person, "Hur lång är handläggningstiden?", base.Add(-time.Minute))
	e.fake.Inject(linkedinfake.Fault{Path: "/comments", Status: 502})
	if _, _, err := e.conn.Poll(ctx(), e.cred, ""); err == nil || platform.IsPermanent(err) {
		t.Fatalf("first poll err = %v, want a retryable error", err)
	}
	evs, _, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil || len(evs) != 2 {
		t.Fatalf("retry = %q, %v", summary(evs), err)
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		parent     func(e env, post, comment string) string
		wantParent bool
		wantErr    func(error) bool
	}{
		{"on post", func(_ env, post, _ string) string { return post }, false, nil},
		{"to comment", func(_ env, _, c string) string { return c }, true, nil},
		{"to deleted comment", func(e env, _, c string) string { e.fake.RemoveComment(c); return c }, false,
			func(err error) bool {
				var pe *platform.Error
				return errors.As(err, &pe) && pe.NotFound && pe.Permanent
			}},
		{"to nonsense", func(env, string, string) string { return "hej" }, false, platform.IsPermanent},
		{"token expired", func(e env, post, _ string) string { e.fake.ExpireToken("tok"); return post }, false,
			platform.IsTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			post := e.fake.AddPost(org, "Förskolans planeringsdagar", base.Add(-time.Hour))
			c := e.fake.AddComment(post, person, "Vilka datum?", base.Add(-time.Minute))
			res, err := e.conn.Reply(ctx(), e.cred, tc.parent(e, post, c), "Hej! Datumen finns på exempelby.se.")
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, ok := e.fake.Comment(res.ExternalID)
			if !ok || got.Actor != org || got.Text != "Hej! Datumen finns på exempelby.se." || len(res.Raw) == 0 {
				t.Fatalf("reply %q → %+v (ok=%v)", res.ExternalID, got, ok)
			}
			if (got.Parent == c) != tc.wantParent {
				t.Fatalf("reply parent = %q", got.Parent)
			}
		})
	}
}

func TestDeleteAndHide(t *testing.T) {
	t.Parallel()
	e := setup(t)
	post := e.fake.AddPost(org, "Parkering vid torget", base.Add(-time.Hour))
	c := e.fake.AddComment(post, person, "Olämplig kommentar", base.Add(-time.Minute))
	if _, err := e.conn.SetHidden(ctx(), e.cred, c, true); !errors.Is(err, platform.ErrUnsupported) {
		t.Fatalf("SetHidden err = %v, want ErrUnsupported", err)
	}
	res, err := e.conn.Delete(ctx(), e.cred, c)
	if err != nil || res.ExternalID != c || len(res.Raw) == 0 {
		t.Fatalf("Delete = %+v, %v", res, err)
	}
	if _, ok := e.fake.Comment(c); ok {
		t.Fatal("comment still there")
	}
	var actor string
	for _, r := range e.fake.Requests() {
		if r.Method == http.MethodDelete {
			actor = r.Query.Get("actor")
		}
	}
	if actor != org {
		t.Fatalf("delete actor = %q", actor)
	}
	if _, err := e.conn.Delete(ctx(), e.cred, c); !errors.As(err, new(*platform.Error)) || !platform.IsPermanent(err) {
		t.Fatalf("second delete err = %v, want permanent not-found", err)
	}
	if _, err := e.conn.Delete(ctx(), e.cred, post); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.fake.Post(post); ok {
		t.Fatal("post still there")
	}
}

func TestPublish(t *testing.T) {
	t.Parallel()
	png, err := os.ReadFile("testdata/bild.png")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		req     func(e env) platform.PostRequest
		check   func(t *testing.T, e env, p linkedinfake.Post)
		wantErr bool
	}{
		{"text with markup characters", func(env) platform.PostRequest {
			return platform.PostRequest{Text: "Välkommen (alla) till #Exempelby @ biblioteket!"}
		}, func(t *testing.T, _ env, p linkedinfake.Post) {
			if p.Commentary != `Välkommen \(alla\) till \#Exempelby \@ biblioteket!` || p.Author != org {
				t.Fatalf("post = %+v", p)
			}
		}, false},
		{"link", func(env) platform.PostRequest {
			return platform.PostRequest{Text: "Läs mer om bygglov", Link: "https://exempelby.se/bygglov"}
		}, func(t *testing.T, _ env, p linkedinfake.Post) {
			if p.Article != "https://exempelby.se/bygglov" {
				t.Fatalf("post = %+v", p)
			}
		}, false},
		{"image", func(e env) platform.PostRequest {
			e.fake.ServeFile("/bilder/simhall.png", "image/png", png)
			return platform.PostRequest{Text: "Nya simhallen", ImageURL: e.fake.URL() + "/bilder/simhall.png", AltText: "Bassäng"}
		}, func(t *testing.T, e env, p linkedinfake.Post) {
			if p.Media == "" || p.AltText != "Bassäng" || string(e.fake.Image(p.Media)) != string(png) {
				t.Fatalf("post = %+v", p)
			}
		}, false},
		{"image that is not an image", func(e env) platform.PostRequest {
			e.fake.ServeFile("/bilder/x.png", "image/png", []byte("<html>nej</html>"))
			return platform.PostRequest{Text: "x", ImageURL: e.fake.URL() + "/bilder/x.png"}
		}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			res, err := e.conn.Publish(ctx(), e.cred, tc.req(e))
			if tc.wantErr {
				if !platform.IsPermanent(err) {
					t.Fatalf("err = %v, want permanent", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, ok := e.fake.Post(res.ExternalID)
			if !ok {
				t.Fatalf("no post %q", res.ExternalID)
			}
			tc.check(t, e, p)
		})
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	e := setup(t)
	png, _ := os.ReadFile("testdata/bild.png")
	e.fake.ServeFile("/bilder/a.png", "image/png", png)
	res, err := e.conn.Publish(ctx(), e.cred, platform.PostRequest{Text: "Bild", ImageURL: e.fake.URL() + "/bilder/a.png"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.fake.AddComment(res.ExternalID, person, "Fin bild", base)
	post, err := e.conn.Fetch(ctx(), e.cred, res.ExternalID)
	if err != nil || post.Kind != platform.KindPost || len(post.Attachments) != 1 ||
		!strings.HasPrefix(post.Attachments[0].URL, e.fake.URL()+"/media/") || !post.Author.IsPage {
		t.Fatalf("post = %+v, %v", post, err)
	}
	com, err := e.conn.Fetch(ctx(), e.cred, c)
	if err != nil || com.Text != "Fin bild" || com.ThreadID != res.ExternalID || com.Kind != platform.KindComment {
		t.Fatalf("comment = %+v, %v", com, err)
	}
	e.fake.RemoveComment(c)
	if _, err := e.conn.Fetch(ctx(), e.cred, c); !errors.As(err, new(*platform.Error)) {
		t.Fatalf("fetch deleted = %v", err)
	} else if pe := (*platform.Error)(nil); errors.As(err, &pe) && !pe.NotFound {
		t.Fatalf("fetch deleted = %+v, want NotFound", pe)
	}
}

func TestRefreshAndCheckToken(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.ExpireToken("tok")
	st, err := e.conn.CheckToken(ctx(), e.cred)
	if err != nil || st.Valid {
		t.Fatalf("expired CheckToken = %+v, %v", st, err)
	}
	e.fake.AddRefreshToken("rt-1", "tok-2", member)
	cred, err := e.conn.RefreshCredentials(ctx(), e.cred)
	if err != nil || cred.AccessToken != "tok-2" || cred.RefreshToken != "rt-1" || !cred.ExpiresAt.After(base) {
		t.Fatalf("refresh = %+v, %v", cred, err)
	}
	st, err = e.conn.CheckToken(ctx(), cred)
	if err != nil || !st.Valid || st.ExpiresAt.IsZero() || len(st.Scopes) == 0 {
		t.Fatalf("CheckToken = %+v, %v", st, err)
	}
	e.fake.RevokeRoles(member)
	if st, err = e.conn.CheckToken(ctx(), cred); err != nil || st.Valid || !strings.Contains(st.Detail, "roll") {
		t.Fatalf("without role CheckToken = %+v, %v", st, err)
	}
	_, err = e.conn.RefreshCredentials(ctx(), platform.Credentials{RefreshToken: "revoked"})
	if !platform.IsTokenInvalid(err) {
		t.Fatalf("bad refresh err = %v", err)
	}
}
