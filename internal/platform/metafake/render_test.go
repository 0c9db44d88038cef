package metafake

import (
	"slices"
	"testing"
)

func TestFieldSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"id", []string{"id"}},
		{"id,from{id,name},parent{id}", []string{"id", "from", "parent"}},
		{"attachments{type,media{image{src}},subattachments},is_hidden", []string{"attachments", "is_hidden"}},
		{"mentioned_comment.comment_id(17){id,text}", []string{"mentioned_comment"}},
	}
	for _, tt := range tests {
		if got := fieldSet(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("fieldSet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 25, 1000} {
		if got := decodeCursor(encodeCursor(n)); got != n {
			t.Errorf("%d → %d", n, got)
		}
	}
	if decodeCursor("not base64!") != 0 {
		t.Error("garbage cursor should start from the beginning")
	}
}
