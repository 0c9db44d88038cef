package pii

// Kind says what sort of data a Finding is.
type Kind uint8

// The kinds of data Scan reports. The zero Kind is never reported.
const (
	_ Kind = iota
	// KindPersonnummer is a personnummer with a real date and a valid check digit.
	KindPersonnummer
	// KindSamordningsnummer is a coordination number: a personnummer whose day is raised by 60.
	KindSamordningsnummer
	// KindInterimsnummer is an interim number (a letter in place of the first
	// birth-number digit) that authorities give people without a personnummer.
	KindInterimsnummer
	// KindIDNumber is a number shaped exactly like a personnummer that fails
	// the date or checksum test: possibly a mistyped personnummer.
	KindIDNumber
	// KindOrganisationsnummer is an organisation number. It is not personal
	// data; it is reported so that callers can see why it was not flagged.
	KindOrganisationsnummer
	// KindPhone is a Swedish phone number.
	KindPhone
	// KindEmail is an e-mail address.
	KindEmail
	// KindAddress is a street address, possibly with postcode and town.
	KindAddress
	// KindPostcode is a Swedish postcode followed by a town.
	KindPostcode
	// KindName is the name of a person: given name(s) and surname.
	KindName
)

var kindNames = [...]string{
	KindPersonnummer:        "personnummer",
	KindSamordningsnummer:   "samordningsnummer",
	KindInterimsnummer:      "interimsnummer",
	KindIDNumber:            "id-nummer",
	KindOrganisationsnummer: "organisationsnummer",
	KindPhone:               "telefonnummer",
	KindEmail:               "e-post",
	KindAddress:             "adress",
	KindPostcode:            "postnummer",
	KindName:                "namn",
}

// String returns the kind's stable identifier, which is also the Swedish word
// used in redactions ("personnummer", "telefonnummer", "namn", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "okänd"
}

// MarshalText makes a Kind appear by its identifier in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Personal reports whether data of this kind is personal data. Only an
// organisation number is not.
func (k Kind) Personal() bool {
	return k != KindOrganisationsnummer && k != 0 && int(k) < len(kindNames)
}
