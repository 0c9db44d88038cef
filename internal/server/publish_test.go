package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/platform"
	"tilltal/internal/platform/linkedin"
	"tilltal/internal/platform/linkedinfake"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
	"tilltal/internal/publish"
	"tilltal/internal/server"
)

const (
	fbPage  = "1000000001"
	fbToken = "EAApage"
	igUser  = "17841400000000001"
	igToken = "EAAig"
	liOrg   = "2414183"
	liToken = "litok"
	liAdmin = "urn:li:person:kommunikator1"

	ownerEmail = "kontoansvarig@exempelby.se"
)

// pubEnv is Tilltal with a Facebook page, an Instagram account and a
// LinkedIn page on the fakes, owned by the demo's owner and edited by the
// demo's editor, with the job queue running.
type pubEnv struct {
	*e2e
	meta       *metafake.Server
	li         *linkedinfake.Server
	fb, ig, ln int64
}

func startPublish(t *testing.T, dialect db.Dialect) *pubEnv {
	t.Helper()
	mf := metafake.Start(t)
	mf.AddPage(fbPage, "Exempelby kommun", fbToken)
	mf.AddIGUser(igUser, "exempelbykommun", igToken)
	li := linkedinfake.New()
	t.Cleanup(li.Close)
	li.AddToken(liToken, liAdmin)
	li.GrantRole(liAdmin, "urn:li:organization:"+liOrg, "ADMINISTRATOR")
	mc := meta.Config{GraphURL: mf.URL, ContainerPollInterval: 10 * time.Millisecond}
	conns := map[platform.Name]platform.Connector{
		platform.Facebook:  meta.NewFacebook(mc),
		platform.Instagram: meta.NewInstagram(mc),
		platform.LinkedIn:  linkedin.New(linkedin.Config{APIURL: li.URL(), OAuthURL: li.OAuthURL(), HTTP: li.Client()}),
	}
	e := startE2EWith(t, dialect, nil, e2eOptions{Options: server.Options{Connectors: conns, PollEvery: time.Hour, FetchPollInterval: 50 * time.Millisecond}})
	// The platforms fetch images from Tilltal's public address.
	e.app.Publish.BaseURL = e.srv.URL
	p := &pubEnv{e2e: e, meta: mf, li: li}
	p.fb = p.channel("facebook", fbPage, "Exempelby på Facebook", fbToken)
	p.ig = p.channel("instagram", igUser, "Exempelby på Instagram", igToken)
	p.ln = p.channel("linkedin", liOrg, "Exempelby på LinkedIn", liToken)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.app.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = e.app.Queue.Stop(sctx)
	})
	return p
}

// channel registers an active, connected channel of Kultur- och
// fritidsförvaltningen.
func (p *pubEnv) channel(platformName, external, name, token string) int64 {
	p.t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var id int64
	err := p.app.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO channels (department_id, platform, external_id, name, status, sender_rules, graphic_profile_url, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'active', 'Signera med förnamn och Exempelby kommun', 'https://exempelby.se/grafisk-profil', ?, ?)`,
			p.department("KFF").ID, platformName, external, name, now, now)
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.addMember(ownerEmail, id, "owner")
	p.addMember("redaktor@exempelby.se", id, "editor")
	if err := p.app.Credentials.Connect(ctx, id, platform.Credentials{AccessToken: token}); err != nil {
		p.t.Fatal(err)
	}
	return id
}

// postForm sends the compose form as a browser does, with an image file.
func (p *pubEnv) postForm(c *http.Client, path string, form url.Values, file string, data []byte) (int, string, http.Header) {
	p.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := w.CreateFormFile("image", file)
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var postLocation = regexp.MustCompile(`^/publicera/(\d+)\?ok=1$`)

// compose saves a post through the form and returns its id.
func (p *pubEnv) compose(c *http.Client, form url.Values, file string, data []byte) int64 {
	p.t.Helper()
	form.Set("csrf", p.csrf(c, "/publicera/nytt"))
	status, body, h := p.postForm(c, "/publicera", form, file, data)
	m := postLocation.FindStringSubmatch(h.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		p.t.Fatalf("compose: %d %s\n%s", status, h.Get("Location"), body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (p *pubEnv) post(id int64) publish.Post {
	p.t.Helper()
	got, err := p.app.Publish.Get(context.Background(), channel.System, id)
	if err != nil {
		p.t.Fatal(err)
	}
	return got
}

// consent registers a consent valid until lastDay.
func (p *pubEnv) consent(lastDay string) int64 {
	p.t.Helper()
	id, err := p.app.Publish.AddConsent(context.Background(), channel.System, publish.NewConsent{Person: "Elsa Exempel", Purpose: "Kommunens kanaler i sociala medier",
		SignedBy: "Elsa Exempel", SignedOn: time.Now().Format("2006-01-02"), LastDay: lastDay})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

func (p *pubEnv) composeForm(title string, consent int64, channels ...int64) url.Values {
	f := url.Values{"title": {title}, "body": {"Nya simhallen öppnar i dag. Välkommen!"}, "link": {"https://exempelby.se/simhall"},
		"alt_text": {"Barn som badar i den nya simhallen"}, "rights": {"consent"}, "consent": {itoa(consent)},
		"check_sender": {"1"}, "check_graphic_profile": {"1"}, "action": {"submit"},
		"hashtags_" + itoa(channels[len(channels)-1]): {"#exempelby #simhall"}}
	for _, c := range channels {
		f.Add("channel", itoa(c))
	}
	return f
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// decide posts the approver's decision.
func (p *pubEnv) decide(c *http.Client, id int64, decision, comment string) (int, string) {
	p.t.Helper()
	path := fmt.Sprintf("/publicera/%d", id)
	status, body, _ := p.e2e.post(c, path+"/beslut", url.Values{"csrf": {p.csrf(c, path)}, "decision": {decision}, "comment": {comment}})
	return status, body
}

// waitTargets waits until no target of the post is planned or queued.
func (p *pubEnv) waitTargets(id int64) publish.Post {
	p.t.Helper()
	var got publish.Post
	waitFor(p.t, "the post to be published", func() bool {
		got = p.post(id)
		for _, t := range got.Targets {
			if t.Status == publish.TargetPlanned || t.Status == publish.TargetQueued {
				return false
			}
		}
		return true
	})
	return got
}

func targetOf(p publish.Post, channelID int64) publish.Target {
	for _, t := range p.Targets {
		if t.ChannelID == channelID {
			return t
		}
	}
	return publish.Target{}
}

// TestPublishToEveryPlatform: the editor writes a post with an image once
// for a Facebook page, an Instagram account and a LinkedIn page; it needs
// the owner's approval (the editor cannot approve it); once approved it is
// published on all three through the fakes, once each, with the image and
// its alt text, and becomes the municipality's item in the inbox. An
// expired consent blocks the next post, and a channel whose token died
// fails alone, shown on the post, while the others are published.
func TestPublishToEveryPlatform(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			editor, owner := p.login("redaktor@exempelby.se"), p.login(ownerEmail)
			jpeg := readTestdata(t, "simhall.jpg")
			consent := p.consent(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
			id := p.compose(editor, p.composeForm("Simhallen öppnar", consent, p.fb, p.ig, p.ln), "simhall.jpg", jpeg)
			if got := p.post(id); got.Status != publish.Pending || len(got.Images) != 1 {
				t.Fatalf("after submit: %+v", got)
			}
			// The public address shows nothing before approval.
			sha := p.post(id).Images[0].SHA256
			if status, _ := p.get(p.client(), "/media/"+sha); status != http.StatusNotFound {
				t.Fatalf("media before approval: %d", status)
			}
			// Approval is required, and the author may not give it.
			if status, body := p.decide(editor, id, "approve", ""); status != http.StatusForbidden || !strings.Contains(body, "eget inlägg") {
				t.Fatalf("author approves: %d", status)
			}
			time.Sleep(300 * time.Millisecond)
			if n := p.meta.Count(http.MethodPost, "photos") + p.meta.Count(http.MethodPost, "media_publish"); n != 0 {
				t.Fatalf("published before approval: %d calls", n)
			}
			if status, body := p.decide(owner, id, "approve", "Bra!"); status != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", status, body)
			}
			got := p.waitTargets(id)
			for _, tg := range got.Targets {
				if tg.Status != publish.TargetPublished || tg.ExternalID == "" || tg.ItemID == 0 {
					t.Fatalf("target %s: %+v", tg.ChannelName, tg)
				}
			}
			// Facebook: a photo post with the caption, the image URL and alt text.
			fbPost, ok := p.meta.Node(targetOf(got, p.fb).ExternalID)
			if !ok || fbPost.ImageURL != p.srv.URL+"/media/"+sha || fbPost.AltText != "Barn som badar i den nya simhallen" || !strings.Contains(fbPost.Text, "https://exempelby.se/simhall") {
				t.Fatalf("facebook post: %+v", fbPost)
			}
			// Instagram: published once, with hashtags only where asked.
			if n := p.meta.Count(http.MethodPost, "media_publish"); n != 1 {
				t.Fatalf("instagram publishes: %d", n)
			}
			// LinkedIn fetched the image from /media and posted it.
			liPost, ok := p.li.Post(targetOf(got, p.ln).ExternalID)
			if !ok || liPost.AltText != "Barn som badar i den nya simhallen" || !bytes.Equal(p.li.Image(liPost.Media), jpeg) || !strings.Contains(liPost.Commentary, `\#simhall`) {
				t.Fatalf("linkedin post: %+v", liPost)
			}
			// The post is the municipality's item in the inbox, in its own thread.
			it, err := p.app.Inbox.Get(context.Background(), targetOf(got, p.fb).ItemID)
			if err != nil || !it.FromUs || it.ExternalID != targetOf(got, p.fb).ExternalID {
				t.Fatalf("inbox item: %+v %v", it, err)
			}
			// Each published post is a public record: a post record per
			// channel, outgoing, with what was written, who approved it
			// and the image's hash.
			for _, tg := range got.Targets {
				rs, err := archive.Search(context.Background(), p.app.DB, archive.Filter{Kind: archive.KindPost, ChannelID: tg.ChannelID})
				if err != nil || len(rs) != 1 || rs[0].Direction != archive.Out || rs[0].ExternalID != tg.ExternalID || rs[0].ItemID != tg.ItemID {
					t.Fatalf("post records on %s: %+v %v", tg.ChannelName, rs, err)
				}
				full, err := archive.Get(context.Background(), p.app.DB, rs[0].Seq)
				var c archive.PostContent
				if err != nil || json.Unmarshal(full.Content, &c) != nil || c.PostID != id || c.ApprovedBy == "" || c.ImageSHA256 != sha || c.Title != "Simhallen öppnar" {
					t.Fatalf("post record content: %+v %v", c, err)
				}
			}
			if rep, err := archive.Verify(context.Background(), p.app.DB); err != nil || !rep.OK() {
				t.Fatalf("verify: %+v %v", rep.Problems, err)
			}
			// Nothing is published twice, even when the job runs again.
			if n := p.meta.Count(http.MethodPost, fbPage+"/photos"); n != 1 {
				t.Fatalf("facebook photos: %d", n)
			}

		})
	}
}

// TestPublishFailureOnOneChannel: the Instagram account's token died after
// the post was written; the post is published on Facebook and LinkedIn,
// Instagram's failure is shown on the post with a clear reason, the
// channel is marked for reconnecting and the author is told which channel
// failed.
func TestPublishFailureOnOneChannel(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			editor, owner := p.login("redaktor@exempelby.se"), p.login(ownerEmail)
			consent := p.consent(time.Now().AddDate(0, 6, 0).Format("2006-01-02"))
			id := p.compose(editor, p.composeForm("Biblioteket har nya öppettider", consent, p.fb, p.ig, p.ln), "simhall.jpg", readTestdata(t, "simhall.jpg"))
			p.meta.ExpireToken(igToken)
			if status, body := p.decide(owner, id, "approve", ""); status != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", status, body)
			}
			got := p.waitTargets(id)
			for _, ch := range []int64{p.fb, p.ln} {
				if tg := targetOf(got, ch); tg.Status != publish.TargetPublished {
					t.Fatalf("%s: %+v", tg.ChannelName, tg)
				}
			}
			ig := targetOf(got, p.ig)
			// Outbound finds the dead token, or the token check found it
			// first: either way the reason says to reconnect the channel.
			if ig.Status != publish.TargetFailed || !strings.Contains(strings.ToLower(ig.Error), "anslut") {
				t.Fatalf("instagram: %+v", ig)
			}
			_, page := p.get(editor, fmt.Sprintf("/publicera/%d", id))
			for _, want := range []string{"misslyckades", ig.Error, "Exempelby på Facebook (Facebook) – publicerat"} {
				if !strings.Contains(page, want) {
					t.Errorf("the post page does not say %q", want)
				}
			}
			if n := p.count("SELECT COUNT(*) FROM notifications WHERE subject = ?", "Inlägget kunde inte publiceras i Exempelby på Instagram"); n != 1 {
				t.Errorf("%d failure notifications to the author", n)
			}
			if n := p.count("SELECT COUNT(*) FROM channel_credentials WHERE channel_id = ? AND status = 'needs_reconnect'", p.ig); n != 1 {
				t.Error("the Instagram channel is not marked for reconnecting")
			}
			// Publishing the failed channel again is refused by the checks
			// until the channel is reconnected: nothing goes out half-way.
			path := fmt.Sprintf("/publicera/%d", id)
			if status, _, _ := p.e2e.post(owner, path+"/nu", url.Values{"csrf": {p.csrf(owner, path)}}); status != http.StatusSeeOther {
				t.Fatalf("publish now: %d", status)
			}
			got = p.waitTargets(id)
			if ig := targetOf(got, p.ig); ig.Status != publish.TargetFailed || !strings.Contains(ig.Error, "inloggning") {
				t.Fatalf("instagram again: %+v", ig)
			}
			if n := p.meta.Count(http.MethodPost, fbPage+"/photos"); n != 1 {
				t.Fatalf("facebook published %d times", n)
			}
		})
	}
}

// TestPublishConsent: an expired consent blocks a post from being sent;
// withdrawing a consent in one step finds every post using the image,
// flags the published one, and stops the planned one from going out.
func TestPublishConsent(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			ctx := context.Background()
			editor, owner := p.login("redaktor@exempelby.se"), p.login(ownerEmail)
			jpeg := readTestdata(t, "simhall.jpg")

			expired := p.consent(time.Now().Format("2006-01-02"))
			if _, err := p.app.DB.Exec(ctx, "UPDATE publish_consents SET valid_until = ? WHERE id = ?", time.Now().Add(-time.Minute).UTC(), expired); err != nil {
				t.Fatal(err)
			}
			form := p.composeForm("Sommarlovsaktiviteter", expired, p.fb)
			form.Set("csrf", p.csrf(editor, "/publicera/nytt"))
			status, body, _ := p.postForm(editor, "/publicera", form, "simhall.jpg", jpeg)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, fmt.Sprintf("Samtycke %d", expired)) || !strings.Contains(body, "får inte publiceras") {
				t.Fatalf("expired consent: %d\n%s", status, body)
			}
			var blocked int64
			if err := p.app.DB.QueryRow(ctx, "SELECT id FROM publish_posts WHERE title = 'Sommarlovsaktiviteter'").Scan(&blocked); err != nil {
				t.Fatal(err)
			}
			if got := p.post(blocked); got.Status != publish.Draft {
				t.Fatalf("blocked post is %s", got.Status)
			}

			// A valid consent: one post published, one planned for tomorrow.
			valid := p.consent(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
			published := p.compose(editor, p.composeForm("Badplatserna öppnar", valid, p.fb), "simhall.jpg", jpeg)
			if status, body := p.decide(owner, published, "approve", ""); status != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", status, body)
			}
			p.waitTargets(published)
			planForm := p.composeForm("Badplatserna i morgon", valid, p.ln)
			planForm.Set("scheduled_at", time.Now().In(stockholm(t)).Add(24*time.Hour).Format("2006-01-02T15:04"))
			planned := p.compose(editor, planForm, "simhall.jpg", jpeg)
			if status, body := p.decide(owner, planned, "approve", ""); status != http.StatusSeeOther {
				t.Fatalf("approve planned: %d %s", status, body)
			}
			sha := p.post(planned).Images[0].SHA256
			if status, _ := p.get(p.client(), "/media/"+sha); status != http.StatusOK {
				t.Fatalf("media while approved: %d", status)
			}

			// Withdrawal, in one step from the register.
			status, _, h := p.e2e.post(owner, fmt.Sprintf("/samtycken/%d/aterkalla", valid), url.Values{"csrf": {p.csrf(owner, "/samtycken")}, "reason": {"Vårdnadshavaren ringde"}})
			if status != http.StatusSeeOther {
				t.Fatalf("withdraw: %d", status)
			}
			_, page := p.get(owner, h.Get("Location"))
			for _, want := range []string{"Badplatserna öppnar", "Badplatserna i morgon", "publicerat, flaggat"} {
				if !strings.Contains(page, want) {
					t.Errorf("the register does not list %q", want)
				}
			}
			if got := p.post(published); len(got.Flags) != 1 {
				t.Fatalf("published post flags: %+v", got.Flags)
			}
			if status, _ := p.get(p.client(), "/media/"+sha); status != http.StatusNotFound {
				t.Fatalf("media after withdrawal: %d", status)
			}
			// The planned post does not go out when its time comes.
			path := fmt.Sprintf("/publicera/%d", planned)
			if status, _, _ := p.e2e.post(owner, path+"/nu", url.Values{"csrf": {p.csrf(owner, path)}}); status != http.StatusSeeOther {
				t.Fatalf("publish now: %d", status)
			}
			got := p.waitTargets(planned)
			if tg := got.Targets[0]; tg.Status != publish.TargetFailed || !strings.Contains(tg.Error, "återkallats") {
				t.Fatalf("planned after withdrawal: %+v", tg)
			}
			for _, r := range p.li.Requests() {
				if r.Method == http.MethodPost && strings.Contains(r.Path, "/rest/posts") {
					t.Fatal("LinkedIn got a post after the consent was withdrawn")
				}
			}
		})
	}
}

func stockholm(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestPublishBadInput: each kind of bad input gets a clear Swedish message
// and publishes nothing.
func TestPublishBadInput(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			editor := p.login("redaktor@exempelby.se")
			consent := p.consent(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
			closed := p.channel("facebook", "1000000099", "Stängda sidan", fbToken)
			if _, err := p.app.DB.Exec(context.Background(), "UPDATE channels SET status = 'closed' WHERE id = ?", closed); err != nil {
				t.Fatal(err)
			}
			jpeg, png := readTestdata(t, "simhall.jpg"), readTestdata(t, "banner.png")
			tests := []struct {
				name   string
				change func(f url.Values)
				file   string
				data   []byte
				want   string
			}{
				{"not an image", nil, "inte-en-bild.jpg", readTestdata(t, "inte-en-bild.jpg"), "Filen är ingen bild som går att publicera"},
				{"too large", nil, "stor.jpg", append(append([]byte{}, jpeg...), make([]byte, publish.MaxImageBytes)...), "Bilden är för stor"},
				{"schedule in the past", func(f url.Values) { f.Set("scheduled_at", "2020-01-01T10:00") }, "simhall.jpg", jpeg, "har redan passerat"},
				{"closed channel", func(f url.Values) { f.Set("channel", itoa(closed)) }, "simhall.jpg", jpeg, "Kanalen Stängda sidan är stängd"},
				{"format Instagram refuses", func(f url.Values) { f.Set("channel", itoa(p.ig)) }, "banner.png", png, "Instagram tar inte emot bilder i formatet PNG"},
				{"image without alt text", func(f url.Values) { f.Del("alt_text") }, "simhall.jpg", jpeg, "alternativtext"},
				{"image without consent", func(f url.Values) { f.Del("consent") }, "simhall.jpg", jpeg, "Bilden har inget samtycke"},
				{"personal data", func(f url.Values) { f.Set("body", "Grattis Anna, 800102-2394, på födelsedagen!") }, "simhall.jpg", jpeg, "Personnummer"},
				{"Instagram without image", func(f url.Values) { f.Set("channel", itoa(p.ig)) }, "", nil, "Instagram kräver en bild"},
				{"too long for Instagram", func(f url.Values) {
					f.Set("channel", itoa(p.ig))
					f.Set("body", strings.Repeat("Simhallen har öppet. ", 120))
				}, "simhall.jpg", jpeg, "tillåter högst 2200"},
				{"bad hashtag", func(f url.Values) { f.Set("hashtags_"+itoa(p.fb), "#sim-hall") }, "simhall.jpg", jpeg, "Hashtaggen #sim-hall"},
				{"no channel", func(f url.Values) { f.Del("channel") }, "simhall.jpg", jpeg, "Välj minst en kanal"},
				{"sender not confirmed", func(f url.Values) { f.Del("check_sender") }, "simhall.jpg", jpeg, "avsändaren är tydlig"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					f := p.composeForm(tc.name, consent, p.fb)
					if tc.change != nil {
						tc.change(f)
					}
					f.Set("csrf", p.csrf(editor, "/publicera/nytt"))
					status, body, _ := p.postForm(editor, "/publicera", f, tc.file, tc.data)
					if status < 400 || status >= 500 || !strings.Contains(body, tc.want) {
						t.Fatalf("got %d, want a message with %q:\n%s", status, tc.want, body)
					}
				})
			}
			if n := p.count("SELECT COUNT(*) FROM publish_posts WHERE status <> 'draft'"); n != 0 {
				t.Fatalf("%d posts went further than a draft", n)
			}
			if n := p.count("SELECT COUNT(*) FROM outbound_actions"); n != 0 {
				t.Fatalf("%d actions were sent to the platforms", n)
			}
		})
	}
}

// TestPublishChannelRules: a post planned for a channel that is closed
// before its time is not published there; a channel whose owner lets its
// editors publish directly needs no approval.
func TestPublishChannelRules(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			editor, owner := p.login("redaktor@exempelby.se"), p.login(ownerEmail)
			consent := p.consent(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
			jpeg := readTestdata(t, "simhall.jpg")

			form := p.composeForm("Höstlovet", consent, p.fb, p.ln)
			form.Set("scheduled_at", time.Now().In(stockholm(t)).Add(48*time.Hour).Format("2006-01-02T15:04"))
			id := p.compose(editor, form, "simhall.jpg", jpeg)
			if status, body := p.decide(owner, id, "approve", ""); status != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", status, body)
			}
			if _, err := p.app.DB.Exec(context.Background(), "UPDATE channels SET status = 'closed' WHERE id = ?", p.ln); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/publicera/%d", id)
			if status, _, _ := p.e2e.post(owner, path+"/nu", url.Values{"csrf": {p.csrf(owner, path)}}); status != http.StatusSeeOther {
				t.Fatalf("publish now: %d", status)
			}
			got := p.waitTargets(id)
			if tg := targetOf(got, p.fb); tg.Status != publish.TargetPublished {
				t.Fatalf("facebook: %+v", tg)
			}
			if tg := targetOf(got, p.ln); tg.Status != publish.TargetFailed || !strings.Contains(tg.Error, "Exempelby på LinkedIn är stängd") {
				t.Fatalf("closed linkedin: %+v", tg)
			}

			// The owner lets the editors publish directly on Facebook.
			status, _, _ := p.e2e.post(owner, fmt.Sprintf("/publiceringsregler/%d", p.fb), url.Values{"csrf": {p.csrf(owner, "/publiceringsregler")}, "direct": {"1"}})
			if status != http.StatusSeeOther {
				t.Fatalf("rule: %d", status)
			}
			direct := p.compose(editor, p.composeForm("Direkt", consent, p.fb), "simhall.jpg", jpeg)
			got = p.waitTargets(direct)
			if !got.Direct || got.Status != publish.Approved || got.Targets[0].Status != publish.TargetPublished {
				t.Fatalf("direct post: %+v", got)
			}
			// Changes asked for and rejection need a comment.
			other := p.compose(editor, p.composeForm("Till granskning", consent, p.fb, p.ig), "simhall.jpg", jpeg)
			if status, body := p.decide(owner, other, "changes", ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Skriv en kommentar") {
				t.Fatalf("changes without comment: %d", status)
			}
			if status, _ := p.decide(owner, other, "changes", "Kortare text, tack."); status != http.StatusSeeOther {
				t.Fatalf("changes: %d", status)
			}
			if got := p.post(other); got.Status != publish.Changes || got.DecisionComment != "Kortare text, tack." {
				t.Fatalf("after changes: %+v", got)
			}
		})
	}
}

// TestPublishAPI: a script uploads an image, writes a post, sends it; a
// blocked decision answers 422 with the findings; the owner approves and
// the post is published; the consent register is read and a consent
// withdrawn, listing the post.
func TestPublishAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			p := startPublish(t, dialect)
			editor, owner := p.token("redaktor@exempelby.se"), p.token(ownerEmail)
			req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/images", bytes.NewReader(readTestdata(t, "inte-en-bild.jpg")))
			req.Header.Set("Authorization", "Bearer "+editor)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("not an image: %d", resp.StatusCode)
			}
			req, _ = http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/images", bytes.NewReader(readTestdata(t, "simhall.jpg")))
			req.Header.Set("Authorization", "Bearer "+editor)
			if resp, err = http.DefaultClient.Do(req); err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			sha := regexp.MustCompile(`"sha256":"([0-9a-f]{64})"`).FindSubmatch(b)
			if resp.StatusCode != http.StatusCreated || sha == nil {
				t.Fatalf("upload: %d %s", resp.StatusCode, b)
			}
			status, c := p.api(http.MethodPost, "/api/v1/consents", editor, `{"person":"Elsa Exempel","purpose":"Sociala medier","last_day":"2099-12-31","signed_by":"Elsa Exempel","signed_on":"2026-01-15"}`)
			if status != http.StatusCreated {
				t.Fatalf("consent: %d %v", status, c)
			}
			consent := int64(c["id"].(float64))
			body := fmt.Sprintf(`{"title":"Via API","body":"Simhallen öppnar.","channels":[{"id":%d},{"id":%d,"hashtags":"exempelby"}],
				"image":{"sha256":%q,"alt_text":"Bassängen","consents":[%d]}}`, p.fb, p.ln, sha[1], consent)
			status, post := p.api(http.MethodPost, "/api/v1/posts", editor, body)
			if status != http.StatusCreated || post["status"] != "draft" {
				t.Fatalf("create: %d %v", status, post)
			}
			id := int64(post["id"].(float64))
			path := fmt.Sprintf("/api/v1/posts/%d", id)
			// The checklist is not ticked: sending is refused with findings.
			status, out := p.api(http.MethodPost, path+"/submit", editor, "")
			if status != http.StatusUnprocessableEntity || out["findings"] == nil {
				t.Fatalf("submit unchecked: %d %v", status, out)
			}
			body = strings.Replace(body, `"title"`, `"check_sender":true,"check_graphic_profile":true,"title"`, 1)
			if status, out = p.api(http.MethodPut, path, editor, body); status != http.StatusOK {
				t.Fatalf("update: %d %v", status, out)
			}
			if status, out = p.api(http.MethodPost, path+"/submit", editor, ""); status != http.StatusOK || out["status"] != "pending" {
				t.Fatalf("submit: %d %v", status, out)
			}
			if status, out = p.api(http.MethodPost, path+"/decision", editor, `{"decision":"approve"}`); status != http.StatusForbidden {
				t.Fatalf("self-approval: %d %v", status, out)
			}
			if status, out = p.api(http.MethodPost, path+"/decision", owner, `{"decision":"approve","comment":"OK"}`); status != http.StatusOK || out["status"] != "approved" {
				t.Fatalf("approve: %d %v", status, out)
			}
			got := p.waitTargets(id)
			for _, tg := range got.Targets {
				if tg.Status != publish.TargetPublished {
					t.Fatalf("%s: %+v", tg.ChannelName, tg)
				}
			}
			if status, out = p.api(http.MethodGet, "/api/v1/posts?channel="+itoa(p.ln), editor, ""); status != http.StatusOK || len(out["posts"].([]any)) != 1 {
				t.Fatalf("list: %d %v", status, out)
			}
			status, out = p.api(http.MethodPost, fmt.Sprintf("/api/v1/consents/%d/withdraw", consent), owner, `{"reason":"Återkallat per telefon"}`)
			if posts, _ := out["posts"].([]any); status != http.StatusOK || len(posts) != 1 || posts[0].(map[string]any)["published"] != true {
				t.Fatalf("withdraw: %d %v", status, out)
			}
		})
	}
}
