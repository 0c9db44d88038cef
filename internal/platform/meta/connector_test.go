package meta_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
)

const (
	pageID    = "1000000001"
	pageToken = "EAAGpage"
	igID      = "17841400000000001"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	fake *metafake.Server
	fb   *meta.Facebook
	ig   *meta.Instagram
	page platform.Credentials
	igc  platform.Credentials
}

func setup(t *testing.T) fixture {
	t.Helper()
	fake := metafake.Start(t)
	fake.SetNow(func() time.Time { return now })
	fake.AddPage(pageID, "Exempelby kommun", pageToken)
	fake.AddIGUser(igID, "exempelbykommun", pageToken)
	cfg := meta.Config{GraphURL: fake.URL, Now: func() time.Time { return now }, ContainerPollInterval: time.Millisecond, ContainerMaxPolls: 5}
	return fixture{
		fake: fake, fb: meta.NewFacebook(cfg), ig: meta.NewInstagram(cfg),
		page: platform.Credentials{AccountID: pageID, AccessToken: pageToken},
		igc:  platform.Credentials{AccountID: igID, AccessToken: pageToken},
	}
}

func platformErr(t *testing.T, err error) *platform.Error {
	t.Helper()
	var pe *platform.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want *platform.Error, got %T %v", err, err)
	}
	return pe
}

func TestFacebookCommentActions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	post := f.fake.AddPost(pageID, "Snöröjningen börjar i natt.", now.Add(-time.Hour))
	c := f.fake.AddComment(post, "5550001", "Karin Lund", "Plogas Storgatan först?", now.Add(-30*time.Minute))

	res, err := f.fb.Reply(ctx, f.page, c, "Ja, Storgatan plogas först.")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := f.fake.Node(res.ExternalID)
	if !ok || got.Parent != c || got.FromID != pageID || got.Text != "Ja, Storgatan plogas först." || len(res.Raw) == 0 {
		t.Fatalf("reply = %+v (%s)", got, res.Raw)
	}

	if _, err := f.fb.SetHidden(ctx, f.page, c, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.fake.Node(c); !n.Hidden {
		t.Fatal("not hidden")
	}
	if _, err := f.fb.SetHidden(ctx, f.page, c, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.fake.Node(c); n.Hidden {
		t.Fatal("still hidden")
	}

	obj, err := f.fb.Fetch(ctx, f.page, res.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Kind != platform.KindReply || obj.ParentID != c || obj.ThreadID != post || !obj.Author.IsPage {
		t.Errorf("fetched reply = %+v", obj)
	}

	if _, err := f.fb.Delete(ctx, f.page, res.ExternalID); err != nil {
		t.Fatal(err)
	}
	// Acting on what is gone is a permanent NotFound.
	_, err = f.fb.Reply(ctx, f.page, res.ExternalID, "igen")
	if pe := platformErr(t, err); !pe.NotFound || !pe.Permanent || pe.Code != "100/33" {
		t.Errorf("reply to deleted: %+v", pe)
	}
	for _, r := range f.fake.Requests() {
		if r.Version != meta.Version {
			t.Errorf("request %s %s used version %q", r.Method, r.Path, r.Version)
		}
	}
	if f.fake.Count(http.MethodPost, c+"/comments") != 1 {
		t.Error("reply not posted to /{comment-id}/comments")
	}
}

func TestFacebookFetchPostWithAttachments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	res, err := f.fb.Publish(ctx, f.page, platform.PostRequest{Text: "Isbanan är spolad", ImageURL: "https://exempelby.se/bild.jpg", AltText: "Isbana i solsken"})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.fb.Fetch(ctx, f.page, res.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Kind != platform.KindPost || obj.Text != "Isbanan är spolad" || len(obj.Attachments) != 1 || obj.Attachments[0].URL != "https://exempelby.se/bild.jpg" {
		t.Fatalf("post = %+v", obj)
	}
	if n, _ := f.fake.Node(res.ExternalID); n.AltText != "Isbana i solsken" {
		t.Errorf("alt text %q", n.AltText)
	}
	if f.fake.Count(http.MethodPost, pageID+"/photos") != 1 {
		t.Error("image post not sent to /photos")
	}
	link, err := f.fb.Publish(ctx, f.page, platform.PostRequest{Text: "Läs mer", Link: "https://exempelby.se/is"})
	if err != nil || f.fake.Count(http.MethodPost, pageID+"/feed") != 1 {
		t.Fatal(err)
	}
	if n, _ := f.fake.Node(link.ExternalID); n.Link != "https://exempelby.se/is" {
		t.Errorf("link post = %+v", n)
	}
}

func TestGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script func(f fixture)
		check  func(t *testing.T, pe *platform.Error)
	}{
		{"throttled with usage headers", func(f fixture) { f.fake.Throttle("POST", "/comments", 1, 7) }, func(t *testing.T, pe *platform.Error) {
			if pe.Permanent || pe.RetryAfter != 7*time.Minute || pe.Code != "4" {
				t.Errorf("%+v", pe)
			}
		}},
		{"server error", func(f fixture) { f.fake.ServerError("POST", "/comments", 1) }, func(t *testing.T, pe *platform.Error) {
			if pe.Permanent || pe.Status != 500 {
				t.Errorf("%+v", pe)
			}
		}},
		{"expired token", func(f fixture) { f.fake.ExpireToken(pageToken) }, func(t *testing.T, pe *platform.Error) {
			if !pe.Permanent || !pe.TokenInvalid || pe.Code != "190/463" {
				t.Errorf("%+v", pe)
			}
		}},
		{"permission", func(f fixture) {
			f.fake.Fail(metafake.Fault{PathContains: "/comments", Status: 403, Body: metafake.GraphError(200, 0, "OAuthException", "(#200) Permissions error")})
		}, func(t *testing.T, pe *platform.Error) {
			if !pe.Permanent || pe.TokenInvalid || pe.NotFound {
				t.Errorf("%+v", pe)
			}
		}},
		{"page rate limit", func(f fixture) {
			f.fake.Fail(metafake.Fault{PathContains: "/comments", Status: 400, Body: metafake.GraphError(32, 0, "OAuthException", "Page request limit reached"),
				Header: map[string]string{"Retry-After": "90"}})
		}, func(t *testing.T, pe *platform.Error) {
			if pe.Permanent || pe.RetryAfter != 90*time.Second {
				t.Errorf("%+v", pe)
			}
		}},
		{"bare 502", func(f fixture) {
			f.fake.Fail(metafake.Fault{PathContains: "/comments", Status: 502, Body: "<html>Bad Gateway</html>"})
		}, func(t *testing.T, pe *platform.Error) {
			if pe.Permanent || pe.Status != 502 {
				t.Errorf("%+v", pe)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			post := f.fake.AddPost(pageID, "Inlägg", now.Add(-time.Hour))
			tt.script(f)
			_, err := f.fb.Reply(context.Background(), f.page, post, "Svar")
			pe := platformErr(t, err)
			if len(pe.Raw) == 0 {
				t.Error("raw answer not kept")
			}
			tt.check(t, pe)
		})
	}
}

func TestCheckToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	st, err := f.fb.CheckToken(ctx, f.page)
	if err != nil || !st.Valid || st.ExpiresAt.IsZero() || len(st.Scopes) == 0 {
		t.Fatalf("%+v %v", st, err)
	}
	f.fake.ExpireToken(pageToken)
	st, err = f.fb.CheckToken(ctx, f.page)
	if err != nil || st.Valid {
		t.Fatalf("expired token: %+v %v", st, err)
	}
	// With the app's id and secret, the app token asks, and the answer
	// carries Meta's reason.
	app := meta.NewFacebook(meta.Config{GraphURL: f.fake.URL, AppID: "1000", AppSecret: "s"})
	st, err = app.CheckToken(ctx, f.page)
	if err != nil || st.Valid || !strings.Contains(st.Detail, "password") {
		t.Fatalf("app check: %+v %v", st, err)
	}
	if r := f.fake.Requests(); r[len(r)-1].Token != "1000|s" || r[len(r)-1].Query.Get("input_token") != pageToken {
		t.Errorf("debug_token asked with %+v", r[len(r)-1])
	}
}

func TestMessagesRespectTheWindow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	fresh := f.fake.AddMessage(pageID, "7770001", "Lisa", "Hej, när töms soporna?", now.Add(-2*time.Hour))
	old := f.fake.AddMessage(pageID, "7770002", "Bo", "Hej!", now.Add(-30*time.Hour))

	res, err := f.fb.Reply(ctx, f.page, "m:7770001:"+fresh, "På tisdag.")
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := f.fake.Node(strings.TrimPrefix(res.ExternalID, "m:7770001:")); !ok || n.ToID != "7770001" || n.Text != "På tisdag." {
		t.Fatalf("sent %+v (%s)", n, res.ExternalID)
	}
	req := f.fake.Requests()[len(f.fake.Requests())-1]
	if req.Path != pageID+"/messages" || req.Form.Get("messaging_type") != "RESPONSE" || !strings.Contains(req.Form.Get("recipient"), "7770001") {
		t.Errorf("send request %+v", req)
	}

	before := f.fake.Count(http.MethodPost, "/messages")
	_, err = f.fb.Reply(ctx, f.page, "m:7770002:"+old, "Sent svar")
	pe := platformErr(t, err)
	if !pe.Permanent || !strings.Contains(pe.Message, "24 timmar") {
		t.Errorf("closed window: %+v", pe)
	}
	if f.fake.Count(http.MethodPost, "/messages") != before {
		t.Error("a message was sent outside the window")
	}

	post := f.fake.AddPost(pageID, "Inlägg", now.Add(-10*24*time.Hour))
	recent := f.fake.AddComment(post, "5550009", "Ada", "Privat fråga", now.Add(-24*time.Hour))
	stale := f.fake.AddComment(post, "5550010", "Ola", "Gammal fråga", now.Add(-8*24*time.Hour))
	if _, err := f.fb.PrivateReply(ctx, f.page, recent, "Vi skickar ett privat svar."); err != nil {
		t.Fatal(err)
	}
	if req := f.fake.Requests()[len(f.fake.Requests())-1]; !strings.Contains(req.Form.Get("recipient"), recent) {
		t.Errorf("private reply recipient %q", req.Form.Get("recipient"))
	}
	_, err = f.fb.PrivateReply(ctx, f.page, stale, "För sent")
	if pe := platformErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "7 dagar") {
		t.Errorf("stale private reply: %+v", pe)
	}
	if _, err := f.fb.Delete(ctx, f.page, "m:7770001:"+fresh); !errors.Is(err, platform.ErrUnsupported) {
		t.Errorf("deleting a message: %v", err)
	}
}

func TestFacebookPollFollowsPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.fake.PageSize = 4
	ctx := context.Background()
	var posts []string
	for i := range 6 {
		posts = append(posts, f.fake.AddPost(pageID, "Inlägg", now.Add(-time.Duration(10-i)*time.Hour)))
	}
	for i := range 11 {
		f.fake.AddComment(posts[0], "555", "Person", "Kommentar", now.Add(-time.Duration(5*60-i)*time.Minute))
	}
	reply := f.fake.AddComment(posts[0], "556", "Person", "Svar", now.Add(-time.Minute))
	f.fake.AddComment(reply, "557", "Person", "Svar på svar", now.Add(-30*time.Second))
	old := f.fake.AddPost(pageID, "Gammalt", now.Add(-40*24*time.Hour))
	f.fake.AddComment(old, "555", "Person", "För gammal", now.Add(-39*24*time.Hour))

	events, cur, err := f.fb.Poll(ctx, f.page, platform.Cursor(now.Add(-24*time.Hour).Format(time.RFC3339)))
	if err != nil {
		t.Fatal(err)
	}
	var nPost, nComment, nReply int
	for _, e := range events {
		switch e.Object.Kind {
		case platform.KindPost:
			nPost++
		case platform.KindComment:
			nComment++
		case platform.KindReply:
			nReply++
		}
		if e.Verb != platform.VerbCreate || e.EventID != e.Object.ExternalID+":create" {
			t.Errorf("event %+v", e)
		}
	}
	if nPost != 6 || nComment != 12 || nReply != 1 {
		t.Errorf("posts %d comments %d replies %d", nPost, nComment, nReply)
	}
	if f.fake.Count(http.MethodGet, posts[0]+"/comments") < 4 {
		t.Errorf("comment pages not followed: %d requests", f.fake.Count(http.MethodGet, posts[0]+"/comments"))
	}
	if c, err := time.Parse(time.RFC3339, string(cur)); err != nil || c.After(now) || now.Sub(c) > 5*time.Minute {
		t.Errorf("next cursor %q", cur)
	}
}

func TestFindReplyAdoptsAnEarlierPost(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	post := f.fake.AddPost(pageID, "Inlägg", now.Add(-time.Hour))
	c := f.fake.AddComment(post, "555", "Person", "Fråga", now.Add(-time.Minute))
	if _, found, err := f.fb.FindReply(ctx, f.page, c, "Svar", now.Add(-time.Minute)); err != nil || found {
		t.Fatalf("found %v before replying (%v)", found, err)
	}
	res, err := f.fb.Reply(ctx, f.page, c, "Svar")
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := f.fb.FindReply(ctx, f.page, c, "Svar", now.Add(-time.Minute))
	if err != nil || !found || got.ExternalID != res.ExternalID {
		t.Fatalf("got %+v %v %v", got, found, err)
	}
}

func TestSubscribeInstallsTheApp(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.fb.Subscribe(context.Background(), f.page); err != nil {
		t.Fatal(err)
	}
	r := f.fake.Requests()[0]
	if r.Path != pageID+"/subscribed_apps" || !strings.Contains(r.Form.Get("subscribed_fields"), "feed") {
		t.Errorf("%+v", r)
	}
}
