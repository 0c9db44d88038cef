package incident_test

import (
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
)

// TestRulesAtClassification: a channel's rules act on what the classifier
// says, in the transaction that stored the item — only a flag, a
// notification to whoever answers for the channel, a hide pending review,
// or a case — and signs of child sexual abuse material quarantine media
// whatever the rules say.
func TestRulesAtClassification(t *testing.T) {
	t.Parallel()
	type want struct {
		incident, hideJob, notified, quarantined bool
	}
	cases := []struct {
		name  string
		text  string
		rules []incident.Rule
		want  want
	}{
		{"defaults only flag a threat", "threat.txt", nil, want{}},
		{"defaults notify on signs of abuse material", "csam.txt", nil, want{notified: true, quarantined: true}},
		{"notify rule", "threat.txt", []incident.Rule{{Category: score.Threat, Action: incident.ActionNotify, MinScore: 0.5}}, want{notified: true}},
		{"hide rule", "threat.txt", []incident.Rule{{Category: score.Threat, Action: incident.ActionHide, MinScore: 0.5}}, want{hideJob: true, notified: true}},
		{"case rule", "threat.txt", []incident.Rule{{Category: score.Threat, Action: incident.ActionHide, MinScore: 0.5, OpenCase: true}}, want{incident: true, notified: true}},
		{"score below the rule's", "threat.txt", []incident.Rule{{Category: score.Threat, Action: incident.ActionHide, MinScore: 0.99, OpenCase: true}}, want{}},
		{"praise passes", "praise.txt", []incident.Rule{{Category: score.Threat, Action: incident.ActionHide, MinScore: 0.5, OpenCase: true}}, want{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				f := newFixture(t, d)
				if tc.rules != nil {
					if err := f.store.SetRules(f.ctx, channel.System, f.channel, tc.rules, time.Hour); err != nil {
						t.Fatal(err)
					}
				}
				text := testdata(t, tc.text)
				item := f.ingest(post{id: "c1", text: text})
				err := d.InTx(f.ctx, func(tx *db.Tx) error {
					return f.store.ApplyTx(f.ctx, tx, incident.Classified{ItemID: item, ChannelID: f.channel, Result: score.Classify(text)})
				})
				if err != nil {
					t.Fatal(err)
				}
				got := want{
					incident:    count(t, d, "SELECT COUNT(*) FROM incidents WHERE item_id = ?", item) == 1,
					hideJob:     count(t, d, "SELECT COUNT(*) FROM river_job WHERE kind = 'incident.hide'") == 1,
					notified:    len(f.notifications("agare")) > 0,
					quarantined: count(t, d, "SELECT COUNT(*) FROM media_quarantine WHERE item_id = ?", item) == 1,
				}
				if got != tc.want {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				if tc.want.incident && count(t, d, "SELECT COUNT(*) FROM river_job WHERE kind IN ('incident.preserve', 'incident.remove')") != 2 {
					t.Fatal("the case's preserve and remove jobs were not enqueued with it")
				}
			})
		})
	}
}

// TestSetRulesIsForTheChannelsManagers: the owner and communicators set a
// channel's rules; an editor, and anyone for a case rule on a category
// that is no crime, cannot.
func TestSetRulesIsForTheChannelsManagers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const ok = apperr.Kind(-1)
		rule := []incident.Rule{{Category: score.Hate, Action: incident.ActionHide, MinScore: 0.7, OpenCase: true}}
		cases := []struct {
			name   string
			viewer channel.Viewer
			rules  []incident.Rule
			target time.Duration
			kind   apperr.Kind
		}{
			{"owner", channel.Viewer{UserID: f.users["agare"]}, rule, 30 * time.Minute, ok},
			{"communicator", channel.Viewer{UserID: f.users["kommunikator"], All: true, Communicator: true}, rule, time.Hour, ok},
			{"editor", channel.Viewer{UserID: f.users["redaktor"]}, rule, time.Hour, apperr.Forbidden},
			{"owner of another channel", channel.Viewer{UserID: f.users["annan"]}, rule, time.Hour, apperr.NotFound},
			{"case for harassment", channel.System, []incident.Rule{{Category: score.Harassment, Action: incident.ActionHide, MinScore: 0.5, OpenCase: true}}, time.Hour, apperr.Invalid},
			{"score out of range", channel.System, []incident.Rule{{Category: score.Threat, Action: incident.ActionFlag, MinScore: 1.5}}, time.Hour, apperr.Invalid},
			{"target too short", channel.System, rule, time.Minute, apperr.Invalid},
		}
		for _, tc := range cases {
			err := f.store.SetRules(f.ctx, tc.viewer, f.channel, tc.rules, tc.target)
			if k := apperr.KindOf(err); (tc.kind == ok && err != nil) || (tc.kind != ok && k != tc.kind) {
				t.Errorf("%s: %v (kind %d), want %d", tc.name, err, k, tc.kind)
			}
		}
		list, err := f.store.Rules(f.ctx, f.channel)
		if err != nil {
			t.Fatal(err)
		}
		if got := list[score.Hate]; got.Action != incident.ActionHide || !got.OpenCase || got.MinScore != 0.7 {
			t.Fatalf("hate rule %+v", got)
		}
		if list[score.Threat].Action != incident.ActionFlag {
			t.Fatalf("threat keeps its default: %+v", list[score.Threat])
		}
		if target, _ := f.store.RemovalTarget(f.ctx, f.channel); target != time.Hour {
			t.Fatalf("target %s", target)
		}
	})
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
