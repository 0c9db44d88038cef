package youtube_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/youtube"
	"tilltal/internal/platform/youtubefake"
)

const (
	channel = "UCexempelbykommun000001"
	citizen = "UCmedborgare00000000001"
)

var base = time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC) // 10:00 Pacific

type env struct {
	fake  *youtubefake.Server
	conn  *youtube.Connector
	cred  platform.Credentials
	clk   *clock.Fixed
	video string
}

func setup(t *testing.T, tweak func(*youtube.Config)) env {
	t.Helper()
	f := youtubefake.New()
	t.Cleanup(f.Close)
	clk := &clock.Fixed{T: base}
	f.SetNow(func() time.Time { return clk.T })
	f.AddToken("ya29.tok", channel)
	cfg := youtube.Config{APIURL: f.URL(), TokenURL: f.TokenURL(), TokenInfoURL: f.TokenInfoURL(),
		ClientID: "cid", ClientSecret: "csecret", HTTP: f.Client(), Clock: clk,
		Quota: youtube.NewQuotaMeter(clk.Now, 10000, 2000, 10000)}
	if tweak != nil {
		tweak(&cfg)
	}
	return env{fake: f, conn: youtube.New(cfg), clk: clk,
		cred:  platform.Credentials{AccountID: channel, AccessToken: "ya29.tok", RefreshToken: "1//rt"},
		video: f.AddVideo(channel, "Så sorterar du matavfall", base.Add(-72*time.Hour))}
}

func ctx() context.Context { return context.Background() }

func summary(evs []platform.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Verb)+" "+string(e.Object.Kind)+" "+e.Object.Text)
	}
	return out
}

func TestPollPagesRepliesAndCursor(t *testing.T) {
	t.Parallel()
	e := setup(t, func(c *youtube.Config) { c.ReplyLookback = 8 * time.Hour })
	e.fake.SetPageMax(2)
	var busy string
	for i := range 5 {
		id := e.fake.AddComment(e.video, citizen, "Medborgare", fmt.Sprintf("Fråga %d", i), base.Add(time.Duration(i-10)*time.Hour))
		if i == 4 {
			busy = id
		}
	}
	for i := range 7 {
		e.fake.AddReply(busy, citizen, "Medborgare", fmt.Sprintf("Svar %d", i), base.Add(time.Duration(i-5)*time.Hour))
	}
	evs, cur, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 12 {
		t.Fatalf("first poll = %d events %q, want 5 comments and 7 replies", len(evs), summary(evs))
	}
	for _, ev := range evs {
		if ev.Verb != platform.VerbCreate || ev.AccountID != channel || ev.Object.ThreadID != e.video ||
			!strings.Contains(ev.Object.Permalink, "lc="+ev.Object.ExternalID) || ev.Object.Author.Name != "Medborgare" {
			t.Fatalf("event %+v", ev)
		}
	}
	before := len(e.fake.Requests())
	again, cur, err := e.conn.Poll(ctx(), e.cred, cur)
	if err != nil || len(again) != 0 {
		t.Fatalf("second poll = %q, %v", summary(again), err)
	}
	if n := len(e.fake.Requests()) - before; n != 3 {
		t.Fatalf("second poll made %d requests, want 2 pages down to the lookback and 1 held page", n)
	}

	e.clk.Advance(2 * time.Hour)
	e.fake.AddComment(e.video, citizen, "Medborgare", "Ny fråga", e.clk.T)
	e.fake.AddReply(busy, citizen, "Medborgare", "Ett svar till", e.clk.T)
	e.fake.EditComment(busy, "Fråga 4 (ändrad)", e.clk.T)
	evs, _, err = e.conn.Poll(ctx(), e.cred, cur)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(summary(evs), "|")
	for _, want := range []string{"create comment Ny fråga", "create reply Ett svar till", "edit comment Fråga 4 (ändrad)"} {
		if !strings.Contains(got, want) {
			t.Errorf("third poll %q lacks %q", got, want)
		}
	}
	if len(evs) != 3 {
		t.Errorf("third poll = %q", got)
	}

	var sawToken, sawReplies bool
	for _, r := range e.fake.Requests() {
		if r.Header.Get("Authorization") != "Bearer ya29.tok" {
			t.Fatalf("%s %s without bearer token", r.Method, r.Path)
		}
		if strings.HasSuffix(r.Path, "/commentThreads") {
			q := r.Query
			if q.Get("allThreadsRelatedToChannelId") != channel || q.Get("part") != "snippet,replies" ||
				q.Get("order") != "time" || q.Get("maxResults") != "100" {
				t.Fatalf("commentThreads query %v", q)
			}
			sawToken = sawToken || q.Get("pageToken") != ""
		}
		sawReplies = sawReplies || r.Query.Get("parentId") == busy
	}
	if !sawToken || !sawReplies {
		t.Fatalf("paged threads %v, read replies with parentId %v", sawToken, sawReplies)
	}
}

func TestPollHeldForReview(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	e.fake.AddHeldComment(e.video, citizen, "Arg", "Jag vet var du bor", base.Add(-time.Minute))
	evs, _, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil || len(evs) != 1 || !evs[0].Object.Hidden {
		t.Fatalf("poll = %+v, %v", evs, err)
	}
}

func TestPollBacksOffWhenPollBudgetIsSpent(t *testing.T) {
	t.Parallel()
	e := setup(t, func(c *youtube.Config) {
		c.Quota = youtube.NewQuotaMeter(func() time.Time { return base }, 60, 52, 60) // 8 units for polling
		c.Statuses = []string{youtube.StatusPublished}
	})
	e.fake.SetPageMax(1)
	for i := range 10 {
		e.fake.AddComment(e.video, citizen, "M", fmt.Sprintf("Fråga %d", i), base.Add(time.Duration(-i)*time.Minute))
	}
	first, cur, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil || len(first) != 8 {
		t.Fatalf("poll = %d events, %v; want the 8 the budget pays for", len(first), err)
	}
	reset := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	if got := youtube.NextPoll(cur); !got.Equal(reset) {
		t.Fatalf("NextPoll = %v, want %v", got, reset)
	}
	n := len(e.fake.Requests())
	if evs, same, err := e.conn.Poll(ctx(), e.cred, cur); err != nil || len(evs) != 0 || same != cur {
		t.Fatalf("poll while deferred = %d events, %v", len(evs), err)
	}
	if _, err := e.conn.Reply(ctx(), e.cred, first[0].Object.ExternalID, "Hej!"); err != nil {
		t.Fatalf("reply from the reserve: %v", err)
	}
	_, err = e.conn.Reply(ctx(), e.cred, first[0].Object.ExternalID, "Hej igen!")
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Permanent || pe.RetryAfter <= 0 || pe.Code != "quotaExceeded" {
		t.Fatalf("second reply err = %v, want throttled until reset", err)
	}
	if got := len(e.fake.Requests()) - n; got != 1 {
		t.Fatalf("%d requests reached YouTube, want only the first reply", got)
	}
}

func TestPollResumesAfterQuotaReset(t *testing.T) {
	t.Parallel()
	var now time.Time
	e := setup(t, func(c *youtube.Config) {
		c.Quota = youtube.NewQuotaMeter(func() time.Time { return now }, 5, 0, 5)
		c.Statuses = []string{youtube.StatusPublished}
	})
	now = e.clk.T
	e.fake.SetPageMax(1)
	want := map[string]bool{}
	for i := range 8 {
		want[e.fake.AddComment(e.video, citizen, "M", fmt.Sprint(i), base.Add(time.Duration(-i)*time.Minute))] = true
	}
	got := map[string]bool{}
	evs, cur, err := e.conn.Poll(ctx(), e.cred, "")
	for _, ev := range evs {
		got[ev.Object.ExternalID] = true
	}
	if err != nil || len(got) != 5 {
		t.Fatalf("first poll = %d, %v", len(got), err)
	}
	e.clk.T = youtube.NextPoll(cur)
	now = e.clk.T
	evs, _, err = e.conn.Poll(ctx(), e.cred, cur)
	for _, ev := range evs {
		got[ev.Object.ExternalID] = true
	}
	if err != nil || len(got) != len(want) {
		t.Fatalf("after reset saw %d of %d, %v", len(got), len(want), err)
	}
}

func TestQuotaExceededAtYouTube(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	e.fake.AddComment(e.video, citizen, "M", "Hej", base.Add(-time.Minute))
	e.fake.SetQuota(1) // the first list passes, the held list is refused
	evs, cur, err := e.conn.Poll(ctx(), e.cred, "")
	if err != nil || len(evs) != 1 || youtube.NextPoll(cur).IsZero() {
		t.Fatalf("poll = %d events, %v, next %v", len(evs), err, youtube.NextPoll(cur))
	}
	if _, err := e.conn.Reply(ctx(), e.cred, evs[0].Object.ExternalID, "Svar"); err == nil || platform.IsPermanent(err) {
		t.Fatalf("reply after quotaExceeded = %v, want throttled", err)
	}
	if s := e.conn.Quota().Snapshot(); !s.Exhausted {
		t.Fatalf("meter = %+v, want exhausted", s)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault youtubefake.Fault
		setup func(env)
		check func(*platform.Error) bool
	}{
		{name: "expired token", setup: func(e env) { e.fake.ExpireToken("ya29.tok") },
			check: func(pe *platform.Error) bool { return pe.TokenInvalid && pe.Permanent && pe.Status == 401 }},
		{name: "rate limited", fault: youtubefake.Fault{Path: "/comments", Status: 403, Reason: "rateLimitExceeded"},
			check: func(pe *platform.Error) bool { return !pe.Permanent && pe.RetryAfter == youtube.DefaultRateLimitWait }},
		{name: "429 with Retry-After", fault: youtubefake.Fault{Path: "/comments", Status: 429, RetryAfter: "7"},
			check: func(pe *platform.Error) bool { return !pe.Permanent && pe.RetryAfter == 7*time.Second }},
		{name: "backend error", fault: youtubefake.Fault{Path: "/comments", Status: 503},
			check: func(pe *platform.Error) bool { return !pe.Permanent && !pe.TokenInvalid }},
		{name: "bad request", fault: youtubefake.Fault{Path: "/comments", Status: 400, Reason: "invalidCommentMetadata"},
			check: func(pe *platform.Error) bool { return pe.Permanent && !pe.NotFound }},
		{name: "scope missing", fault: youtubefake.Fault{Path: "/comments", Status: 403, Reason: "insufficientPermissions"},
			check: func(pe *platform.Error) bool { return pe.Permanent && pe.TokenInvalid }},
		{name: "comments disabled", fault: youtubefake.Fault{Path: "/comments", Status: 403, Reason: "commentsDisabled"},
			check: func(pe *platform.Error) bool { return pe.Permanent && !pe.TokenInvalid }},
		{name: "deleted meanwhile", setup: func(e env) {}, fault: youtubefake.Fault{Path: "/comments", Status: 404, Reason: "parentCommentNotFound"},
			check: func(pe *platform.Error) bool { return pe.NotFound && pe.Permanent }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			c := e.fake.AddComment(e.video, citizen, "M", "Fråga", base)
			if tc.setup != nil {
				tc.setup(e)
			}
			if tc.fault.Status != 0 {
				e.fake.Inject(tc.fault)
			}
			_, err := e.conn.Reply(ctx(), e.cred, c, "Svar")
			var pe *platform.Error
			if !errors.As(err, &pe) || !tc.check(pe) {
				t.Fatalf("err = %v (%#v)", err, pe)
			}
		})
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		parent     func(e env, top, reply string) string
		wantParent func(e env, top string) string
	}{
		{"to comment", func(_ env, top, _ string) string { return top }, func(_ env, top string) string { return top }},
		{"to reply goes to its thread", func(_ env, _, reply string) string { return reply }, func(_ env, top string) string { return top }},
		{"on video", func(e env, _, _ string) string { return e.video }, func(env, string) string { return "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			top := e.fake.AddComment(e.video, citizen, "M", "När töms kärlen?", base)
			reply := e.fake.AddReply(top, citizen, "N", "Undrar också", base)
			spent := e.conn.Quota().Snapshot().Spent
			res, err := e.conn.Reply(ctx(), e.cred, tc.parent(e, top, reply), "Varannan vecka, se exempelby.se/sopor.")
			if err != nil {
				t.Fatal(err)
			}
			got, ok := e.fake.Comment(res.ExternalID)
			if !ok || got.AuthorID != channel || got.Text != "Varannan vecka, se exempelby.se/sopor." ||
				got.ParentID != tc.wantParent(e, top) || len(res.Raw) == 0 {
				t.Fatalf("reply = %+v (%v)", got, ok)
			}
			if d := e.conn.Quota().Snapshot().Spent - spent; d != youtube.CostInsert {
				t.Fatalf("reply cost %d units", d)
			}
		})
	}
}

func TestModeration(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	theirs := e.fake.AddComment(e.video, citizen, "M", "Olämpligt", base)
	res, err := e.conn.SetHidden(ctx(), e.cred, theirs, true)
	if c, _ := e.fake.Comment(theirs); err != nil || c.Status != "heldForReview" || res.ExternalID != theirs {
		t.Fatalf("hide = %+v, %v", c, err)
	}
	obj, err := e.conn.Fetch(ctx(), e.cred, theirs)
	if err != nil || !obj.Hidden {
		t.Fatalf("fetch hidden = %+v, %v", obj, err)
	}
	if _, err := e.conn.SetHidden(ctx(), e.cred, theirs, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.fake.Comment(theirs); c.Status != "published" {
		t.Fatalf("unhide = %+v", c)
	}
	if _, err := e.conn.Delete(ctx(), e.cred, theirs); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.fake.Comment(theirs); c.Status != "rejected" {
		t.Fatalf("delete of a citizen's comment = %+v, want rejected", c)
	}
	own, err := e.conn.Reply(ctx(), e.cred, theirs, "Vi har tagit bort kommentaren.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.Delete(ctx(), e.cred, own.ExternalID); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.fake.Comment(own.ExternalID); ok {
		t.Fatal("own comment still there")
	}
	if _, err := e.conn.Delete(ctx(), e.cred, own.ExternalID); !isNotFound(err) {
		t.Fatalf("delete twice = %v, want NotFound", err)
	}
	for _, r := range e.fake.Requests() {
		if r.Path == "/youtube/v3/comments/setModerationStatus" && r.Query.Has("banAuthor") &&
			(r.Query.Get("moderationStatus") != "rejected" || r.Query.Get("banAuthor") != "false") {
			t.Fatalf("moderation query %v", r.Query)
		}
	}
	if _, err := e.conn.Publish(ctx(), e.cred, platform.PostRequest{Text: "x"}); !errors.Is(err, platform.ErrUnsupported) {
		t.Fatalf("Publish = %v", err)
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	top := e.fake.AddComment(e.video, citizen, "Medborgare", "Bra film", base)
	reply := e.fake.AddReply(top, channel, "Exempelby kommun", "Tack!", base)
	tests := []struct {
		id    string
		check func(platform.Object) bool
	}{
		{top, func(o platform.Object) bool {
			return o.Kind == platform.KindComment && o.Text == "Bra film" && len(o.Attachments) == 1 &&
				o.Attachments[0].Title == "Så sorterar du matavfall" && o.Author.Handle == "@medborgare"
		}},
		{reply, func(o platform.Object) bool {
			return o.Kind == platform.KindReply && o.ParentID == top && o.Author.IsPage && o.ThreadID == e.video
		}},
		{e.video, func(o platform.Object) bool {
			return o.Kind == platform.KindPost && o.Author.IsPage && strings.HasPrefix(o.Text, "Så sorterar") && len(o.Attachments) == 2
		}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			o, err := e.conn.Fetch(ctx(), e.cred, tc.id)
			if err != nil || !tc.check(o) {
				t.Fatalf("Fetch = %+v, %v", o, err)
			}
		})
	}
	t.Run("gone", func(t *testing.T) {
		t.Parallel()
		if _, err := e.conn.Fetch(ctx(), e.cred, "UgzFinnsInteLängre0000AaABAg"); !isNotFound(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRefreshAndCheckToken(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	st, err := e.conn.CheckToken(ctx(), e.cred)
	if err != nil || !st.Valid || st.ExpiresAt.IsZero() || len(st.Scopes) != 1 {
		t.Fatalf("CheckToken = %+v, %v", st, err)
	}
	e.fake.ExpireToken("ya29.tok")
	if st, err := e.conn.CheckToken(ctx(), e.cred); err != nil || st.Valid {
		t.Fatalf("expired CheckToken = %+v, %v", st, err)
	}
	if _, _, err := e.conn.Poll(ctx(), e.cred, ""); !platform.IsTokenInvalid(err) {
		t.Fatalf("poll with expired token = %v", err)
	}
	e.fake.AddRefreshToken("1//rt", "ya29.new", channel)
	cred, err := e.conn.RefreshCredentials(ctx(), e.cred)
	if err != nil || cred.AccessToken != "ya29.new" || cred.RefreshToken != "1//rt" {
		t.Fatalf("refresh = %+v, %v", cred, err)
	}
	if _, _, err := e.conn.Poll(ctx(), cred, ""); err != nil {
		t.Fatal(err)
	}
	other := cred
	other.AccountID = "UCnagonannankanal000001"
	if st, err := e.conn.CheckToken(ctx(), other); err != nil || st.Valid || !strings.Contains(st.Detail, "tillhör inte") {
		t.Fatalf("wrong channel CheckToken = %+v, %v", st, err)
	}
	if _, err := e.conn.RefreshCredentials(ctx(), platform.Credentials{RefreshToken: "1//revoked"}); !platform.IsTokenInvalid(err) {
		t.Fatalf("revoked refresh = %v", err)
	}
}

func isNotFound(err error) bool {
	var pe *platform.Error
	return errors.As(err, &pe) && pe.NotFound
}
