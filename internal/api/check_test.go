package api

import (
	"slices"
	"testing"

	"tilltal/internal/inbox"
	"tilltal/internal/replycheck"
)

// TestAddThread: the municipality's own replies, signed by its editors,
// give the check neither texts nor names.
func TestAddThread(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		thread      []inbox.Item
		texts, whom []string
	}{
		{"citizens only", []inbox.Item{{Body: "Fråga", AuthorName: "Anna Andersson"}, {Body: "Svar", AuthorName: ""}},
			[]string{"Fråga", "Svar"}, []string{"Anna Andersson"}},
		{"our reply left out", []inbox.Item{{Body: "Fråga", AuthorName: "Anna Andersson"},
			{Body: "Hälsningar, Lisa Svensson", AuthorName: "Exempelby kommun", FromUs: true}},
			[]string{"Fråga"}, []string{"Anna Andersson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in replycheck.Input
			addThread(&in, tt.thread)
			if !slices.Equal(in.ThreadTexts, tt.texts) || !slices.Equal(in.ThreadAuthors, tt.whom) {
				t.Errorf("texts %q authors %q, want %q %q", in.ThreadTexts, in.ThreadAuthors, tt.texts, tt.whom)
			}
		})
	}
}
