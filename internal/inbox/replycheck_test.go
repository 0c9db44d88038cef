package inbox

import (
	"slices"
	"testing"

	"tilltal/internal/replycheck"
)

// TestThreadInput: the municipality's own replies, signed by its editors,
// give the check neither texts nor names.
func TestThreadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		thread      []Item
		texts, whom []string
	}{
		{"citizens only", []Item{{Body: "Fråga", AuthorName: "Anna Andersson"}, {Body: "Svar", AuthorName: ""}},
			[]string{"Fråga", "Svar"}, []string{"Anna Andersson"}},
		{"our reply left out", []Item{{Body: "Fråga", AuthorName: "Anna Andersson"},
			{Body: "Hälsningar, Lisa Svensson", AuthorName: "Exempelby kommun", FromUs: true}},
			[]string{"Fråga"}, []string{"Anna Andersson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in replycheck.Input
			ThreadInput(&in, tt.thread)
			if !slices.Equal(in.ThreadTexts, tt.texts) || !slices.Equal(in.ThreadAuthors, tt.whom) {
				t.Errorf("texts %q authors %q, want %q %q", in.ThreadTexts, in.ThreadAuthors, tt.texts, tt.whom)
			}
		})
	}
}
