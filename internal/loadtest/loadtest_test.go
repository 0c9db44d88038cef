package loadtest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// The baseline inserts the run's payloads made again from their sequence
// numbers: that is only the same payloads if a number always gives the
// same bytes, and each is a valid delivery of its own comments.
func TestPayloadsAreTheSentBytes(t *testing.T) {
	t.Parallel()
	p := Payloads{PageID: "sida", Tag: "abc", Events: 2, At: time.Unix(1767268800, 0)}
	if !bytes.Equal(p.Body(7), p.Body(7)) {
		t.Fatal("the same sequence number gave different bytes")
	}
	var d struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					CommentID string `json:"comment_id"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(p.Body(7), &d); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range d.Entry[0].Changes {
		ids = append(ids, c.Value.CommentID)
	}
	if len(ids) != 2 || ids[0] != "lt_abc_7_0" || ids[1] != "lt_abc_7_1" {
		t.Fatalf("comment ids %v", ids)
	}
}

func TestValuesList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rows, cols int
		want       string
	}{
		{1, 2, "(?, ?)"},
		{3, 2, "(?, ?), (?, ?), (?, ?)"},
		{2, 1, "(?), (?)"},
	} {
		if got := valuesList(c.rows, c.cols); got != c.want {
			t.Errorf("valuesList(%d, %d) = %q, want %q", c.rows, c.cols, got, c.want)
		}
	}
}
