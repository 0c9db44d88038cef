package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

func TestSavedAnswers(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ctx := context.Background()
		ch, item := e.seedItem("KFF", "page-kff", "c1", "Vilka öppettider har simhallen i jul?")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		c := e.login("redaktor@exempelby.se")
		kff := e.department("KFF")
		form := url.Values{"title": {"Simhallens öppettider i jul"}, "body": {"Simhallen har öppet 10–16 alla vardagar i jul och är stängd på juldagen."},
			"source": {"inte en länk"}, "department": {fmt.Sprint(kff.ID)}, "valid_days": {"30"}, "csrf": {e.csrf(c, "/svar/ny")}}
		if st, body, _ := e.post(c, "/svar", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, "källan") {
			t.Fatalf("answer without a source: %d", st)
		}
		if n := e.count("SELECT COUNT(*) FROM saved_answers"); n != 0 {
			t.Fatal("a bad answer was saved")
		}
		form.Set("source", "https://exempelby.se/simhallen")
		st, _, h := e.post(c, "/svar", form)
		if st != http.StatusSeeOther {
			t.Fatalf("save: %d", st)
		}
		// Suggested on the item, and "use" fills the reply with its source.
		path := fmt.Sprintf("/inkorg/%d", item)
		_, page := e.get(c, path)
		if !strings.Contains(page, "Simhallens öppettider i jul") {
			t.Fatal("saved answer not suggested")
		}
		var id int64
		fmt.Sscanf(strings.TrimPrefix(h.Get("Location"), "/svar/"), "%d", &id)
		_, page = e.get(c, fmt.Sprintf("%s?svar=%d", path, id))
		if !strings.Contains(page, "stängd på juldagen.\n\nhttps://exempelby.se/simhallen</textarea>") {
			t.Fatal("the reply field is not prefilled with the answer and its source")
		}
		// Past its period it is flagged as stale.
		if _, err := e.app.DB.Exec(ctx, "UPDATE saved_answers SET checked_on = ?", time.Now().UTC().AddDate(0, 0, -31)); err != nil {
			t.Fatal(err)
		}
		if _, list := e.get(c, "/svar"); !strings.Contains(list, "Behöver kontrolleras") {
			t.Fatal("stale answer not flagged")
		}
		// Saving it again checks it today.
		form.Set("csrf", e.csrf(c, fmt.Sprintf("/svar/%d", id)))
		e.post(c, fmt.Sprintf("/svar/%d", id), form)
		if _, list := e.get(c, "/svar"); strings.Contains(list, "Behöver kontrolleras") {
			t.Fatal("checked answer still flagged")
		}
	})
}

// Earlier replies to similar questions are suggested on an item, found
// through the full-text index, and only from channels the person may see.
func TestEarlierRepliesSuggested(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ctx := context.Background()
		ch, _ := e.seedItem("KFF", "page-kff", "q1", "Vilka öppettider har simhallen i jul?")
		err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := inbox.Ingest(ctx, tx, ch, platform.Event{Platform: platform.Facebook, AccountID: "page-kff", EventID: "r1", Verb: platform.VerbCreate,
				Object: platform.Object{ExternalID: "r1", Kind: platform.KindReply, ThreadID: "post-page-kff", ParentID: "q1",
					Text:   "Simhallen har öppet 10–16 i jul. Hälsningar, Kultur och fritid",
					Author: platform.Author{ExternalID: "page-kff", Name: "Exempelby kommun", IsPage: true}, CreatedAt: time.Now().UTC()}}, time.Now().UTC())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, similar := e.seedItem("KFF", "page-kff", "q2", "Har simhallen öppet i jul?")
		_, other := e.seedItem("KFF", "page-kff", "q3", "När töms soptunnorna på Storgatan?")
		chSBF, elsewhere := e.seedItem("SBF", "page-sbf", "q4", "Har simhallen öppet i jul?")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		c := e.login("redaktor@exempelby.se")
		if _, page := e.get(c, fmt.Sprintf("/inkorg/%d", similar)); !strings.Contains(page, "→ Simhallen har öppet 10–16 i jul.") {
			t.Fatal("the earlier reply to a similar question is not suggested")
		}
		if _, page := e.get(c, fmt.Sprintf("/inkorg/%d", other)); strings.Contains(page, "→ Simhallen har öppet 10–16 i jul.") {
			t.Fatal("an earlier reply is suggested for an unrelated question")
		}
		// A person on the other department's channel sees the question but
		// not the reply from a channel that is not theirs.
		e.addMember("bibliotek@exempelby.se", chSBF, "editor")
		c2 := e.login("bibliotek@exempelby.se")
		st, page := e.get(c2, fmt.Sprintf("/inkorg/%d", elsewhere))
		if st != http.StatusOK || strings.Contains(page, "→ Simhallen har öppet 10–16 i jul.") {
			t.Fatalf("a reply from a channel the person may not see is suggested (status %d)", st)
		}
	})
}
