package pii

import "testing"

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"personnummer", "Mitt nummer är 19450112-8278.", "Mitt nummer är [personnummer]."},
		{"several kinds", "Anna Svensson, 070-174 06 05, anna@example.com",
			"[namn], [telefonnummer], [e-post]"},
		{"address with postcode", "Storgatan 12B, 123 45 Exempelby", "[adress]"},
		{"organisation number stays", "Org.nr 556016-0680, kontakt 08-465 004 01",
			"Org.nr 556016-0680, kontakt [telefonnummer]"},
		{"nothing to redact", "Tack för svaret!", "Tack för svaret!"},
		{"multi-byte text around", "Ärende för Åsa Öberg – klart", "Ärende för [namn] – klart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Redact(tc.in, Scan(tc.in)); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRedactBadFindings feeds findings that do not fit the text, as when they
// come from an older version of it: Redact must skip them, not panic.
func TestRedactBadFindings(t *testing.T) {
	t.Parallel()
	const text = "abc 19450112-8278"
	tests := []struct {
		name string
		fs   []Finding
		want string
	}{
		{"out of range", []Finding{{Kind: KindName, Start: 10, End: 99}}, text},
		{"negative", []Finding{{Kind: KindName, Start: -3, End: 2}}, text},
		{"empty span", []Finding{{Kind: KindName, Start: 2, End: 2}}, text},
		{"unknown kind", []Finding{{Kind: 0, Start: 0, End: 3}}, text},
		{"overlapping, first wins", []Finding{
			{Kind: KindPersonnummer, Start: 4, End: 17},
			{Kind: KindName, Start: 0, End: 6},
		}, "[namn]450112-8278"},
		{"unsorted", []Finding{
			{Kind: KindPersonnummer, Start: 4, End: 17},
			{Kind: KindName, Start: 0, End: 3},
		}, "[namn] [personnummer]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Redact(text, tc.fs); got != tc.want {
				t.Errorf("Redact = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScannerAllow(t *testing.T) {
	t.Parallel()
	sc := NewScanner("+46 8 465 004 01", "Registrator@Exempelby.se", "Karin  Lindberg")
	tests := []struct {
		name, in string
		want     []string
	}{
		{"allowed phone in another format", "Ring 08-465 004 01", nil},
		{"other phone still found", "Ring 08-465 004 02", []string{"08-465 004 02"}},
		{"allowed e-mail ignoring case", "registrator@exempelby.se", nil},
		{"allowed name ignoring spacing", "Hälsningar Karin Lindberg", nil},
		{"other name still found", "Hälsningar Maria Nilsson", []string{"Maria Nilsson"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := sc.Scan(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("Scan(%q) = %s, want %q", tc.in, describe(got), tc.want)
			}
			for i := range got {
				if got[i].Text != tc.want[i] {
					t.Errorf("finding %d = %q, want %q", i, got[i].Text, tc.want[i])
				}
			}
		})
	}
}

func TestHasPersonalData(t *testing.T) {
	t.Parallel()
	var sc Scanner
	tests := []struct {
		name, in string
		min      float64
		want     bool
	}{
		{"personnummer", "19450112-8278", 0.5, true},
		{"organisation number only", "556016-0680", 0.1, false},
		{"weak finding below threshold", "info@exempelby.se", 0.5, false},
		{"weak finding above threshold", "info@exempelby.se", 0.2, true},
		{"nothing", "Hej hej", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sc.HasPersonalData(tc.in, tc.min); got != tc.want {
				t.Errorf("HasPersonalData(%q, %v) = %v, want %v", tc.in, tc.min, got, tc.want)
			}
		})
	}
}

func TestKind(t *testing.T) {
	t.Parallel()
	for k := KindPersonnummer; k <= KindName; k++ {
		if k.String() == "okänd" {
			t.Errorf("kind %d has no name", k)
		}
		if got, want := k.Personal(), k != KindOrganisationsnummer; got != want {
			t.Errorf("%s.Personal() = %v", k, got)
		}
	}
	if Kind(0).Personal() || Kind(200).Personal() || Kind(200).String() != "okänd" {
		t.Error("invalid kinds must be unknown and not personal")
	}
	if b, _ := KindEmail.MarshalText(); string(b) != "e-post" {
		t.Errorf("MarshalText = %q", b)
	}
}
