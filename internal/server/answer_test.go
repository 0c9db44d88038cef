package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
