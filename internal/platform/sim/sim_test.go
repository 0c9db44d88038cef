package sim

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
)

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newSim(p platform.Name, seed uint64, tweak func(*Config)) (*Connector, *clock.Fixed) {
	clk := &clock.Fixed{T: start}
	cfg := Config{Platform: p, Seed: seed, Clock: clk}
	if tweak != nil {
		tweak(&cfg)
	}
	return New(cfg), clk
}

func cred() platform.Credentials { return platform.Credentials{AccountID: "exempelby-123"} }

func pollFor(t *testing.T, c *Connector, clk *clock.Fixed, d time.Duration) []platform.Event {
	t.Helper()
	var all []platform.Event
	var cur platform.Cursor
	for end := clk.T.Add(d); !clk.T.After(end); clk.Advance(10 * time.Second) {
		evs, next, err := c.Poll(context.Background(), cred(), cur)
		if err != nil {
			t.Fatal(err)
		}
		all, cur = append(all, evs...), next
	}
	return all
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		p      platform.Name
		seedB  uint64
		sameAs bool
	}{
		{"facebook same seed", platform.Facebook, 42, true},
		{"youtube same seed", platform.YouTube, 42, true},
		{"other seed", platform.Facebook, 43, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, clkA := newSim(tc.p, 42, nil)
			b, clkB := newSim(tc.p, tc.seedB, nil)
			evA, evB := pollFor(t, a, clkA, 10*time.Minute), pollFor(t, b, clkB, 10*time.Minute)
			if len(evA) < 100 {
				t.Fatalf("only %d events in 10 minutes", len(evA))
			}
			if got := reflect.DeepEqual(evA, evB); got != tc.sameAs {
				t.Fatalf("runs equal = %v, want %v", got, tc.sameAs)
			}
		})
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	for _, p := range []platform.Name{platform.Facebook, platform.Instagram, platform.LinkedIn, platform.YouTube} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			c, clk := newSim(p, 1, func(c *Config) { c.Interval = 5 * time.Second })
			first, cur, err := c.Poll(context.Background(), cred(), "")
			if err != nil || len(first) < DefaultBacklog-1 || len(first) > DefaultBacklog+1 {
				t.Fatalf("first poll = %d events, %v; want the backlog of about %d", len(first), err, DefaultBacklog)
			}
			clk.Advance(time.Minute)
			evs, _, err := c.Poll(context.Background(), cred(), cur)
			if err != nil || len(evs) < 11 || len(evs) > 13 {
				t.Fatalf("a minute later = %d events, %v; want about 12", len(evs), err)
			}
			for _, ev := range evs {
				if ev.Platform != p || ev.AccountID != "exempelby-123" || ev.Object.ExternalID == "" || ev.Object.Text == "" {
					t.Fatalf("event %+v", ev)
				}
			}
		})
	}
}

func TestAllCategoriesAppear(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p            platform.Name
		wantMessages bool
	}{
		{platform.Facebook, true}, {platform.Instagram, true}, {platform.LinkedIn, false}, {platform.YouTube, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.p), func(t *testing.T) {
			t.Parallel()
			g := gen{platform: tc.p, account: "a", seed: 7, start: start, interval: time.Second}
			cats, deps := map[Category]int{}, map[string]bool{}
			kinds := map[platform.Kind]int{}
			for k := range 800 {
				it := g.item(k)
				cats[it.cat]++
				kinds[it.obj.Kind]++
				if it.department != "" {
					deps[it.department] = true
				}
			}
			for _, w := range weights {
				if w.cat == CatMessage && !tc.wantMessages {
					if cats[CatMessage] != 0 || kinds[platform.KindMessage] != 0 {
						t.Fatalf("%s has private messages", tc.p)
					}
					continue
				}
				if cats[w.cat] == 0 {
					t.Errorf("category %s never appears: %v", w.cat, cats)
				}
			}
			if cats[CatPost] == 0 || kinds[platform.KindReply] == 0 {
				t.Errorf("no posts or no thread replies: %v %v", cats, kinds)
			}
			if len(deps) != len(departmentQuestions) {
				t.Errorf("departments asked = %d of %d", len(deps), len(departmentQuestions))
			}
		})
	}
}

func TestOnlyTestPersonnummer(t *testing.T) {
	t.Parallel()
	long := regexp.MustCompile(`\b(\d{8})-?(\d{4})\b`)
	short := regexp.MustCompile(`\b(\d{6})-(\d{4})\b`)
	g := gen{platform: platform.Facebook, account: "a", seed: 3, start: start, interval: time.Second}
	seen := 0
	for k := range 2000 {
		it := g.item(k)
		txt := it.obj.Text
		for _, m := range long.FindAllStringSubmatch(txt, -1) {
			seen++
			if !slices.Contains(testPersonnummer, m[1]+m[2]) {
				t.Fatalf("item %d has %q, not a Skatteverket test number", k, m[0])
			}
		}
		for _, m := range short.FindAllStringSubmatch(txt, -1) {
			seen++
			if !slices.ContainsFunc(testPersonnummer, func(p string) bool { return p[2:] == m[1]+m[2] }) {
				t.Fatalf("item %d has %q, not a Skatteverket test number", k, m[0])
			}
		}
		if it.cat == CatPhone && !slices.ContainsFunc(fictionPhones, func(p string) bool { return strings.Contains(txt, p) }) {
			t.Fatalf("item %d phone text %q has no fiction number", k, txt)
		}
	}
	if seen == 0 {
		t.Fatal("no personnummer generated at all")
	}
}

func TestTextsAreMany(t *testing.T) {
	t.Parallel()
	n := len(praise) + len(complaints) + len(rumours) + len(privateMessages) + len(piiPersonnummer) + len(piiPhone) +
		len(threats) + len(threadReplies) + len(followUps) + len(pagePosts)
	for _, q := range departmentQuestions {
		n += len(q)
	}
	if n < 80 {
		t.Fatalf("%d texts, want at least 80", n)
	}
	g := gen{platform: platform.Facebook, account: "a", seed: 9, start: start, interval: time.Second}
	distinct := map[string]bool{}
	for k := range 300 {
		distinct[g.item(k).obj.Text] = true
	}
	if len(distinct) < 200 {
		t.Fatalf("only %d distinct texts in 300 items", len(distinct))
	}
}

func TestActionsAreReflected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, clk := newSim(platform.Facebook, 5, func(c *Config) { c.FollowUpRate = 1 })
	evs, cur, err := c.Poll(ctx, cred(), "")
	if err != nil {
		t.Fatal(err)
	}
	var comment platform.Object
	for _, ev := range evs {
		if ev.Object.Kind == platform.KindComment {
			comment = ev.Object
		}
	}
	if comment.ExternalID == "" {
		t.Fatalf("no comment in %d events", len(evs))
	}
	res, err := c.Reply(ctx, cred(), comment.ExternalID, "Hej! Vi tittar på det.")
	if err != nil || res.ExternalID == "" || len(res.Raw) == 0 {
		t.Fatalf("Reply = %+v, %v", res, err)
	}
	if _, err := c.SetHidden(ctx, cred(), comment.ExternalID, true); err != nil {
		t.Fatal(err)
	}
	got, err := c.Fetch(ctx, cred(), comment.ExternalID)
	if err != nil || !got.Hidden || got.Text != comment.Text {
		t.Fatalf("Fetch hidden = %+v, %v", got, err)
	}
	post, err := c.Publish(ctx, cred(), platform.PostRequest{Text: "Välkomna till julmarknaden!", Link: "https://exempelby.se/jul"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.Fetch(ctx, cred(), post.ExternalID); err != nil || p.Kind != platform.KindPost || len(p.Attachments) != 1 {
		t.Fatalf("published = %+v, %v", p, err)
	}
	clk.Advance(3 * DefaultInterval)
	evs, cur, err = c.Poll(ctx, cred(), cur)
	if err != nil {
		t.Fatal(err)
	}
	var sawReply, sawHide, sawPost, sawFollowUp bool
	for _, ev := range evs {
		switch {
		case ev.Object.ExternalID == res.ExternalID && ev.Verb == platform.VerbCreate:
			sawReply = ev.Object.Author.IsPage && ev.Object.ParentID == comment.ExternalID && ev.Object.Kind == platform.KindReply
		case ev.Object.ExternalID == comment.ExternalID && ev.Verb == platform.VerbHide:
			sawHide = ev.Object.Hidden
		case ev.Object.ExternalID == post.ExternalID:
			sawPost = true
		case ev.Object.ParentID == res.ExternalID:
			sawFollowUp = ev.Object.Author.ExternalID == comment.Author.ExternalID
		}
	}
	if !sawReply || !sawHide || !sawPost || !sawFollowUp {
		t.Fatalf("reply %v hide %v post %v follow-up %v in %d events", sawReply, sawHide, sawPost, sawFollowUp, len(evs))
	}
	if _, err := c.Delete(ctx, cred(), comment.ExternalID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(ctx, cred(), comment.ExternalID); !isNotFound(err) {
		t.Fatalf("Fetch deleted = %v", err)
	}
	if _, err := c.Reply(ctx, cred(), comment.ExternalID, "Hallå?"); !isNotFound(err) {
		t.Fatalf("reply to deleted = %v", err)
	}
	evs, _, _ = c.Poll(ctx, cred(), cur)
	if !slices.ContainsFunc(evs, func(e platform.Event) bool {
		return e.Verb == platform.VerbRemove && e.Object.ExternalID == comment.ExternalID
	}) {
		t.Fatal("no remove event after Delete")
	}
	if _, err := c.Fetch(ctx, cred(), "sim-exempelby123-c-999999"); !isNotFound(err) {
		t.Fatalf("Fetch of the future = %v", err)
	}
}

func TestPlatformLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p   platform.Name
		act func(c *Connector, id string) error
	}{
		{platform.LinkedIn, func(c *Connector, id string) error {
			_, err := c.SetHidden(context.Background(), cred(), id, true)
			return err
		}},
		{platform.YouTube, func(c *Connector, _ string) error {
			_, err := c.Publish(context.Background(), cred(), platform.PostRequest{Text: "x"})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(string(tc.p), func(t *testing.T) {
			t.Parallel()
			c, _ := newSim(tc.p, 1, nil)
			evs, _, _ := c.Poll(context.Background(), cred(), "")
			if err := tc.act(c, evs[len(evs)-1].Object.ExternalID); !errors.Is(err, platform.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
			if c.Name() != tc.p {
				t.Fatalf("Name = %s", c.Name())
			}
		})
	}
}

func TestInjectedFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rate float64
		want bool
	}{{"off by default", 0, false}, {"always", 1, true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newSim(platform.Facebook, 1, func(c *Config) { c.FailureRate = tc.rate })
			for range 50 {
				_, _, err := c.Poll(context.Background(), cred(), "")
				if (err != nil) != tc.want {
					t.Fatalf("err = %v", err)
				}
				if err != nil && platform.IsPermanent(err) {
					t.Fatalf("injected failure is permanent: %v", err)
				}
			}
		})
	}
}

func isNotFound(err error) bool {
	var pe *platform.Error
	return errors.As(err, &pe) && pe.NotFound
}
