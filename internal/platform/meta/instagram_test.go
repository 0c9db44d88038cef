package meta_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/platform"
)

func TestInstagramCommentActions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	media := f.fake.AddIGMedia(igID, "Torget i vinterskrud", "https://cdn.example/torg.jpg", now.Add(-3*time.Hour))
	c := f.fake.AddIGComment(media, "232323", "stina.s", "Så fint!", now.Add(-time.Hour))

	res, err := f.ig.Reply(ctx, f.igc, c, "Tack Stina!")
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := f.fake.Node(res.ExternalID); !ok || n.Parent != c || n.FromID != igID {
		t.Fatalf("reply %+v", n)
	}
	if f.fake.Count(http.MethodPost, c+"/replies") != 1 {
		t.Error("reply not posted to /{ig-comment-id}/replies")
	}
	if _, err := f.ig.SetHidden(ctx, f.igc, c, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.fake.Node(c); !n.Hidden {
		t.Fatal("not hidden")
	}
	if r := f.fake.Requests(); r[len(r)-1].Form.Get("hide") != "true" {
		t.Errorf("hide sent as %v", r[len(r)-1].Form)
	}

	obj, err := f.ig.Fetch(ctx, f.igc, c)
	if err != nil || obj.Kind != platform.KindComment || obj.ParentID != media || obj.Author.Handle != "stina.s" || !obj.Hidden {
		t.Fatalf("fetched comment %+v %v", obj, err)
	}
	m, err := f.ig.Fetch(ctx, f.igc, media)
	if err != nil || m.Kind != platform.KindPost || len(m.Attachments) != 1 || m.Attachments[0].URL != "https://cdn.example/torg.jpg" {
		t.Fatalf("fetched media %+v %v", m, err)
	}

	if _, err := f.ig.Delete(ctx, f.igc, c); err != nil {
		t.Fatal(err)
	}
	_, err = f.ig.SetHidden(ctx, f.igc, c, false)
	if pe := platformErr(t, err); !pe.NotFound || !pe.Permanent {
		t.Errorf("hide deleted: %+v", pe)
	}
}

func TestInstagramMentions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.fake.AddIGUser("17841499999999999", "grannen", "other-token")
	theirs := f.fake.AddIGMedia("17841499999999999", "Kul på torget", "https://cdn.example/x.jpg", now.Add(-time.Hour))
	mc := f.fake.AddIGComment(theirs, "555", "grannen", "@exempelbykommun när kommer julgranen?", now.Add(-time.Minute))
	id := "mention:" + theirs + ":" + mc

	obj, err := f.ig.Fetch(ctx, f.igc, id)
	if err != nil || obj.Kind != platform.KindMention || !strings.Contains(obj.Text, "julgranen") || obj.ExternalID != id {
		t.Fatalf("mention %+v %v", obj, err)
	}
	res, err := f.ig.Reply(ctx, f.igc, id, "Första advent!")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.fake.Node(res.ExternalID); n.Parent != mc || n.FromID != igID {
		t.Errorf("mention reply %+v", n)
	}
	if f.fake.Count(http.MethodPost, igID+"/mentions") != 1 {
		t.Error("not sent through /{ig-user-id}/mentions")
	}
}

func TestInstagramPublish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		statuses  []string
		quotaUsed int
		post      platform.PostRequest
		wantErr   func(*platform.Error) bool
		published bool
	}{
		{"finished after two polls", []string{"IN_PROGRESS", "IN_PROGRESS", "FINISHED"}, 3, platform.PostRequest{Text: "Välkommen till torget", ImageURL: "https://exempelby.se/torg.jpg", AltText: "Torget"}, nil, true},
		{"container error", []string{"IN_PROGRESS", "ERROR"}, 0, platform.PostRequest{ImageURL: "https://exempelby.se/trasig.jpg"},
			func(pe *platform.Error) bool { return pe.Permanent && pe.Code == "ERROR" }, false},
		{"never finishes", []string{"IN_PROGRESS"}, 0, platform.PostRequest{ImageURL: "https://exempelby.se/stor.jpg"},
			func(pe *platform.Error) bool { return !pe.Permanent && pe.RetryAfter > 0 }, false},
		{"quota spent", nil, 100, platform.PostRequest{ImageURL: "https://exempelby.se/a.jpg"},
			func(pe *platform.Error) bool { return !pe.Permanent && strings.Contains(pe.Message, "Dagskvoten") }, false},
		{"no image", nil, 0, platform.PostRequest{Text: "Bara text"},
			func(pe *platform.Error) bool { return pe.Permanent && strings.Contains(pe.Message, "bild") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.fake.SetContainerStatuses(tt.statuses...)
			f.fake.SetQuota(igID, tt.quotaUsed, 100)
			res, err := f.ig.Publish(context.Background(), f.igc, tt.post)
			if tt.wantErr != nil {
				if pe := platformErr(t, err); !tt.wantErr(pe) {
					t.Errorf("error %+v", pe)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := f.fake.Count(http.MethodPost, "media_publish") == 1; got != tt.published {
				t.Fatalf("media_publish called: %v", got)
			}
			if !tt.published {
				return
			}
			n, ok := f.fake.Node(res.ExternalID)
			if !ok || n.Type != "ig_media" || n.Text != tt.post.Text || n.AltText != tt.post.AltText {
				t.Errorf("published %+v", n)
			}
			if polls := f.fake.Count(http.MethodGet, "") - f.fake.Count(http.MethodGet, "content_publishing_limit"); polls != 3 {
				t.Errorf("%d status polls, want 3", polls)
			}
		})
	}
}

func TestInstagramPollAndMessages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.fake.PageSize = 2
	ctx := context.Background()
	media := f.fake.AddIGMedia(igID, "Bild", "https://cdn.example/1.jpg", now.Add(-5*time.Hour))
	var top string
	for i := range 5 {
		top = f.fake.AddIGComment(media, "23", "stina", "Kommentar", now.Add(-time.Duration(60-i)*time.Minute))
	}
	f.fake.AddIGComment(top, "24", "olle", "Svar", now.Add(-time.Minute))
	events, _, err := f.ig.Poll(ctx, f.igc, "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[platform.Kind]int{}
	for _, e := range events {
		kinds[e.Object.Kind]++
	}
	if kinds[platform.KindPost] != 1 || kinds[platform.KindComment] != 5 || kinds[platform.KindReply] != 1 {
		t.Errorf("kinds %v", kinds)
	}

	mid := f.fake.AddMessage(igID, "8880001", "sara", "Hur söker jag förskoleplats?", now.Add(-time.Hour))
	if _, err := f.ig.Reply(ctx, f.igc, "m:8880001:"+mid, "Via e-tjänsten på webben."); err != nil {
		t.Fatal(err)
	}
	if f.fake.Count(http.MethodPost, "me/messages") != 1 {
		t.Error("Instagram answer not sent through the account's messages edge")
	}
}

func TestInstagramFindPost(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	post := platform.PostRequest{Text: "Nytt på torget", Link: "https://exempelby.se/torg", ImageURL: "https://exempelby.se/t.jpg"}
	if _, found, err := f.ig.FindPost(ctx, f.igc, post, now); err != nil || found {
		t.Fatalf("found %v before publishing (%v)", found, err)
	}
	res, err := f.ig.Publish(ctx, f.igc, post)
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := f.ig.FindPost(ctx, f.igc, post, now)
	if err != nil || !found || got.ExternalID != res.ExternalID {
		t.Fatalf("%+v %v %v", got, found, err)
	}
}
