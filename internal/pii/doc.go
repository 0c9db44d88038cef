// Package pii finds personal data (personuppgifter) in Swedish text.
//
// The municipality's guideline says never to spread personal data, so every
// outgoing reply and post is scanned before it is sent, and incoming comments
// are scanned so that, say, a personnummer posted in public can be hidden
// quickly. Scan finds personnummer, samordningsnummer, interim numbers,
// phone numbers, e-mail addresses, street addresses, postcodes with town and
// names of private persons, each with its byte span, a confidence and a
// Swedish reason that can be shown to an editor. Organisation numbers are
// recognised too, but only so that they are not mistaken for personnummer:
// they are not personal data and Finding.Personal reports false for them.
//
// The detector prefers precision over recall where the two conflict:
// identity numbers must pass the Luhn check and be real dates, names need a
// capitalised given name followed by a capitalised surname from the SCB name
// statistics, and a lone capitalised word is never taken for a name.
//
// The name, postcode and common-word lists under data/ are trimmed copies of
// open data (see data/SOURCES.md); they are built into the binary and parsed
// once, on first use. gendata.go rebuilds them.
package pii

//go:generate go run gendata.go
