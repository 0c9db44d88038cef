package release

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// Outcome is what the decision does with the request.
type Outcome string

// The outcomes of a request.
const (
	// Granted releases everything selected, unredacted.
	Granted Outcome = "bifall"
	// PartlyRefused releases with redactions or withheld records.
	PartlyRefused Outcome = "delvis_avslag"
	// Refused releases nothing.
	Refused Outcome = "avslag"
)

// Label is the outcome in Swedish.
func (o Outcome) Label() string {
	switch o {
	case Granted:
		return "Bifall – handlingarna lämnas ut"
	case PartlyRefused:
		return "Delvis avslag – handlingarna lämnas ut med maskeringar eller undantag"
	case Refused:
		return "Avslag – handlingarna lämnas inte ut"
	}
	return string(o)
}

// NeedsDecisionText reports whether the requester gets a written decision
// with an appeal notice: whenever anything is refused.
func (o Outcome) NeedsDecisionText() bool { return o == PartlyRefused || o == Refused }

// Decision is the registrar's decision on a request.
type Decision struct {
	Outcome Outcome
	// Grounds are further legal grounds, one per line, beyond those of the
	// redactions and withheld records (a refusal without records needs them).
	Grounds string
	// Reasoning is the decision's reasons in prose, optional.
	Reasoning string
	// SecrecyReviewed is the registrar's statement that the secret-class
	// records released without redaction or withholding have been tried
	// for secrecy and none applies ("sekretessprövad: ingen sekretess");
	// Reasoning must then give the reasons.
	SecrecyReviewed bool
}

// Decide records the decision. The outcome must fit the review: a release
// in full has nothing masked or withheld, a partial refusal has something,
// and any refusal cites at least one legal ground.
func (s *Store) Decide(ctx context.Context, id int64, dec Decision) (Request, error) {
	dec.Grounds, dec.Reasoning = strings.TrimSpace(dec.Grounds), strings.TrimSpace(dec.Reasoning)
	if utf8.RuneCountInString(dec.Reasoning) > 10000 || utf8.RuneCountInString(dec.Grounds) > 2000 {
		return Request{}, apperr.Invalidf("Motiveringen eller grunderna är för långa")
	}
	for _, g := range splitGrounds(dec.Grounds) {
		if err := checkGround(g, false); err != nil {
			return Request{}, err
		}
	}
	recs, err := s.Records(ctx, id)
	if err != nil {
		return Request{}, err
	}
	rs, err := s.Redactions(ctx, id)
	if err != nil {
		return Request{}, err
	}
	released, restricted := 0, len(rs) > 0
	for _, x := range recs {
		if x.Withheld || x.Quarantined {
			restricted = true
		} else {
			released++
		}
		restricted = restricted || x.AuthorWithheld
	}
	switch dec.Outcome {
	case Granted:
		if released == 0 {
			return Request{}, apperr.Invalidf("Välj minst en handling att lämna ut, eller avslå begäran")
		}
		if restricted {
			return Request{}, apperr.Invalidf("Något är maskerat eller undantaget; beslutet blir då delvis avslag")
		}
	case PartlyRefused:
		if released == 0 {
			return Request{}, apperr.Invalidf("Ingen handling lämnas ut; beslutet blir då avslag")
		}
		if !restricted {
			return Request{}, apperr.Invalidf("Inget är maskerat eller undantaget; beslutet blir då bifall")
		}
	case Refused:
	default:
		return Request{}, apperr.Invalidf("Välj beslut: bifall, delvis avslag eller avslag")
	}
	if dec.Outcome != Granted && len(citedGrounds(recs, rs, dec.Grounds)) == 0 {
		return Request{}, apperr.Invalidf("Ange den rättsliga grunden för avslaget, t.ex. OSL 21 kap. 7 §")
	}
	if dec.Outcome != Refused {
		if err := releasedCulled(recs); err != nil {
			return Request{}, err
		}
	}
	unreviewed := unreviewedSecrets(recs, rs)
	if dec.Outcome != Refused && len(unreviewed) > 0 {
		switch {
		case !dec.SecrecyReviewed:
			return Request{}, apperr.Invalidf("Handling %s är sekretessklassad och lämnas ut utan maskering eller undantag. Maskera eller undanta det som omfattas av sekretess, eller intyga att sekretessprövningen visar att ingen sekretess gäller", joinSeqs(unreviewed))
		case dec.Reasoning == "":
			return Request{}, apperr.Invalidf("Motivera i beslutet varför ingen sekretess gäller för handling %s", joinSeqs(unreviewed))
		}
	} else {
		unreviewed = nil
	}
	now := s.now()
	actor := audit.ActorFrom(ctx)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		// The review was read before the request's row was locked; a
		// change in between would leave the outcome unchecked.
		if fp, err := fingerprintTx(ctx, tx, id); err != nil {
			return err
		} else if fp != fingerprint(recs, rs) {
			return apperr.Conflictf("Urvalet eller maskeringarna ändrades medan beslutet fattades; pröva beslutet igen")
		}
		name := actor.Label
		_ = tx.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", actor.UserID).Scan(&name)
		if _, err := tx.Exec(ctx, `UPDATE release_requests SET status = ?, outcome = ?, grounds = ?, reasoning = ?, decided_at = ?, decided_by = ?, decider_name = ?, updated_at = ?
			WHERE id = ?`, string(Decided), string(dec.Outcome), dec.Grounds, dec.Reasoning, now, nullID(actor.UserID), name, now, id); err != nil {
			return fmt.Errorf("release: decide: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.decide", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: "Beslut: " + dec.Outcome.Label(), Detail: map[string]any{"outcome": string(dec.Outcome), "grounds": citedGrounds(recs, rs, dec.Grounds), "secrecy_reviewed": unreviewed}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Get(ctx, id)
}

// unreviewedSecrets are the secret-class records that would be released
// whole: not withheld, not quarantined, with nothing redacted.
func unreviewedSecrets(recs []Selected, rs []Redaction) []int64 {
	redacted := map[int64]bool{}
	for _, r := range rs {
		redacted[r.Seq] = true
	}
	var out []int64
	for _, x := range recs {
		if x.SecretClass && !x.Withheld && !x.Quarantined && !redacted[x.Seq] {
			out = append(out, x.Seq)
		}
	}
	return out
}

func joinSeqs(seqs []int64) string {
	parts := make([]string, len(seqs))
	for i, s := range seqs {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ", ")
}

// fingerprint sums up a review: records, what is withheld, redactions.
func fingerprint(recs []Selected, rs []Redaction) string {
	withheld := 0
	for _, x := range recs {
		if x.Withheld {
			withheld++
		}
		if x.AuthorWithheld {
			withheld += 1 << 20
		}
	}
	maxID := int64(0)
	for _, r := range rs {
		maxID = max(maxID, r.ID)
	}
	return fmt.Sprintf("%d/%d/%d/%d", len(recs), withheld, len(rs), maxID)
}

func fingerprintTx(ctx context.Context, tx *db.Tx, id int64) (string, error) {
	var n, withheld, reds int
	var maxID int64
	err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN withheld THEN 1 ELSE 0 END), 0) + COALESCE(SUM(CASE WHEN author_withheld THEN 1048576 ELSE 0 END), 0)
		FROM release_records WHERE request_id = ?`, id).Scan(&n, &withheld)
	if err == nil {
		err = tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM release_redactions WHERE request_id = ?", id).Scan(&reds, &maxID)
	}
	if err != nil {
		return "", fmt.Errorf("release: decide: %w", err)
	}
	return fmt.Sprintf("%d/%d/%d/%d", n, withheld, reds, maxID), nil
}

func splitGrounds(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// citedGrounds are the distinct grounds a decision rests on, in the order
// met: withheld records, withheld authors, redactions, then those stated.
func citedGrounds(recs []Selected, rs []Redaction, stated string) []string {
	var out []string
	add := func(g string) {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	for _, x := range recs {
		if x.Withheld {
			add(x.WithheldGround)
		}
		if x.AuthorWithheld {
			add(x.AuthorGround)
		}
	}
	for _, r := range rs {
		add(r.Ground)
	}
	for _, g := range splitGrounds(stated) {
		add(g)
	}
	return out
}

// DecisionDoc is the written decision (beslut) as the requester gets it.
type DecisionDoc struct {
	Municipality string  `json:"municipality"`
	DiaryNumber  string  `json:"diary_number"`
	DecidedAt    string  `json:"decided_at"`
	Requester    string  `json:"requester"`
	ReceivedAt   string  `json:"received_at"`
	Subject      string  `json:"subject"`
	Outcome      Outcome `json:"outcome"`
	// Holding is the decision itself, one sentence.
	Holding string `json:"holding"`
	// Parts say what is not released and why, without revealing it.
	Parts []string `json:"parts"`
	// Grounds are the provisions cited with what each protects.
	Grounds   []GroundLine `json:"grounds"`
	Reasoning string       `json:"reasoning"`
	// Appeal is the appeal notice (besvärshänvisning), paragraph by
	// paragraph.
	AppealTitle string   `json:"appeal_title"`
	Appeal      []string `json:"appeal"`
	DecidedBy   string   `json:"decided_by"`
}

// GroundLine is a cited provision and, when known, what it protects.
type GroundLine struct {
	Cite  string `json:"cite"`
	About string `json:"about,omitempty"`
}

// decisionDoc writes the decision from the request and its review.
func decisionDoc(municipality string, req Request, recs []Selected, rs []Redaction) DecisionDoc {
	doc := DecisionDoc{Municipality: municipality, DiaryNumber: req.DiaryNumber, Requester: req.Requester(), Subject: req.Subject,
		ReceivedAt: calendar.FormatDate(req.ReceivedAt), Outcome: req.Outcome, Reasoning: req.Reasoning, DecidedBy: req.DeciderName}
	if req.DecidedAt != nil {
		doc.DecidedAt = calendar.FormatDate(*req.DecidedAt)
	}
	switch req.Outcome {
	case Granted:
		doc.Holding = municipality + " beslutar att lämna ut de begärda handlingarna."
	case PartlyRefused:
		doc.Holding = municipality + " beslutar att lämna ut de begärda handlingarna med undantag av de uppgifter som anges nedan. I den delen avslås begäran."
	case Refused:
		doc.Holding = municipality + " beslutar att avslå begäran om att ta del av allmänna handlingar."
	}
	masked := map[int64][]string{}
	for _, r := range rs {
		masked[r.Seq] = append(masked[r.Seq], r.Ground)
	}
	for _, x := range recs {
		switch {
		case x.Quarantined:
			continue // not even its existence is told
		case x.Withheld || req.Outcome == Refused:
			g := x.WithheldGround
			if g == "" {
				g = strings.Join(citedGrounds(nil, nil, req.Grounds), ", ")
			}
			doc.Parts = append(doc.Parts, fmt.Sprintf("Handling %d lämnas inte ut (%s).", x.Seq, g))
			continue
		}
		if x.AuthorWithheld {
			doc.Parts = append(doc.Parts, fmt.Sprintf("I handling %d lämnas avsändarens namn och identitet inte ut (%s).", x.Seq, x.AuthorGround))
		}
		if gs := masked[x.Seq]; len(gs) > 0 {
			doc.Parts = append(doc.Parts, fmt.Sprintf("I handling %d har %d %s maskerats (%s).", x.Seq, len(gs), plural(len(gs), "uppgift", "uppgifter"), strings.Join(citedGrounds(nil, nil, strings.Join(gs, "\n")), ", ")))
		}
	}
	for _, g := range citedGrounds(recs, rs, req.Grounds) {
		doc.Grounds = append(doc.Grounds, GroundLine{Cite: g, About: About(g)})
	}
	doc.AppealTitle, doc.Appeal = appealNotice(municipality, req.DiaryNumber)
	return doc
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// appealNotice is the besvärshänvisning: how to appeal a refusal to
// release public records (6 kap. 7–8 §§ OSL, 44 § förvaltningslagen).
func appealNotice(municipality, diaryNumber string) (string, []string) {
	ref := "beslutets diarienummer"
	if diaryNumber != "" {
		ref = "diarienummer " + diaryNumber
	}
	return "Hur man överklagar (besvärshänvisning)", []string{
		"Om du inte är nöjd med beslutet kan du överklaga det hos kammarrätten. Överklagandet ska vara skriftligt.",
		"Skicka eller lämna överklagandet till " + municipality + ", den myndighet som fattat beslutet – inte till kammarrätten. " +
			municipality + " prövar först om beslutet ska ändras och skickar sedan överklagandet och handlingarna i ärendet vidare till kammarrätten.",
		"Överklagandet måste ha kommit in till " + municipality + " inom tre veckor från den dag du fick del av beslutet. Har det kommit in för sent prövas det inte.",
		"Skriv i överklagandet vilket beslut du överklagar (ange " + ref + " och beslutets datum), hur du vill att beslutet ska ändras och varför du anser att det ska ändras. " +
			"Bifoga gärna det som stöder din uppfattning. Ange hur kommunen och kammarrätten kan nå dig, till exempel en adress, e-postadress eller ett telefonnummer.",
		"Beslutet får överklagas enligt 6 kap. 7 och 8 §§ offentlighets- och sekretesslagen (2009:400). Tiden för överklagande följer av 44 § förvaltningslagen (2017:900).",
	}
}

// municipalityName is the municipality's name for documents.
func municipalityName(ctx context.Context, d *db.DB) string {
	name := "Kommunen"
	_ = d.QueryRow(ctx, "SELECT name FROM municipality WHERE id = 1").Scan(&name)
	return name
}

// Decision returns the written decision of a decided request.
func (s *Store) Decision(ctx context.Context, id int64) (DecisionDoc, error) {
	req, err := s.Get(ctx, id)
	if err != nil {
		return DecisionDoc{}, err
	}
	if req.Outcome == "" {
		return DecisionDoc{}, apperr.NotFoundf("Begäran är inte beslutad än")
	}
	recs, err := s.Records(ctx, id)
	if err != nil {
		return DecisionDoc{}, err
	}
	rs, err := s.Redactions(ctx, id)
	if err != nil {
		return DecisionDoc{}, err
	}
	return decisionDoc(municipalityName(ctx, s.DB), req, recs, rs), nil
}

// dateOf is a decision's time for file stamps: the decision, else now.
func dateOf(req Request, now time.Time) time.Time {
	if req.DecidedAt != nil {
		return *req.DecidedAt
	}
	return now
}
