package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/release"
)

// The secrecy review of a records request: each selected record's text
// with Tilltal's suggestions and the redactions made, and the forms that
// redact spans and withhold authors or whole records.

// segment is a run of a record's text that is masked, suggested, or plain.
type segment struct {
	Text      string
	Redacted  bool
	Suggested bool
	Ground    string
}

// segments cuts text at every redaction and suggestion boundary, so the
// review can show both; the segments' texts join to the text exactly.
func segments(text string, sugg []release.Suggestion, rs []release.Redaction) []segment {
	runes := []rune(text)
	cuts := map[int]bool{0: true, len(runes): true}
	for _, x := range sugg {
		cuts[min(x.Start, len(runes))], cuts[min(x.End, len(runes))] = true, true
	}
	for _, x := range rs {
		cuts[min(x.Start, len(runes))], cuts[min(x.End, len(runes))] = true, true
	}
	points := make([]int, 0, len(cuts))
	for c := range cuts {
		points = append(points, c)
	}
	sort.Ints(points)
	var out []segment
	for i := 0; i+1 < len(points); i++ {
		a, b := points[i], points[i+1]
		seg := segment{Text: string(runes[a:b])}
		for _, x := range rs {
			if x.Start <= a && b <= x.End {
				seg.Redacted, seg.Ground = true, x.Ground
			}
		}
		for _, x := range sugg {
			if x.Start <= a && b <= x.End {
				seg.Suggested = true
			}
		}
		out = append(out, seg)
	}
	return out
}

// reviewRecord is one record on the review page.
type reviewRecord struct {
	release.Selected
	Segments    []segment
	Suggestions []release.Suggestion
	Redactions  []release.Redaction
	Text        string
}

type reviewData struct {
	Request  release.Request
	Records  []reviewRecord
	Grounds  []release.Ground
	CanWrite bool
	Error    string
}

func (s *Server) releaseReviewPage(w http.ResponseWriter, r *http.Request) error {
	return s.showReview(w, r, http.StatusOK, "")
}

// showReview renders the secrecy review: each record's text with the
// suggested spans and the redactions made, and the forms to redact.
func (s *Server) showReview(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.releases().Case(ctx, id)
	if err != nil {
		return err
	}
	req, recs, rs := c.Request, c.Records, c.Redactions
	d := reviewData{Request: req, Grounds: release.Grounds, Error: problem,
		CanWrite: registrar.Allows(PrincipalFrom(ctx)) && (req.Status == release.Received || req.Status == release.Reviewing)}
	for _, x := range recs {
		if x.Quarantined {
			continue
		}
		var mine []release.Redaction
		for _, red := range rs {
			if red.Seq == x.Seq {
				mine = append(mine, red)
			}
		}
		sugg := release.Suggest(x, mine)
		d.Records = append(d.Records, reviewRecord{Selected: x, Suggestions: sugg, Redactions: mine, Text: x.Text(), Segments: segments(x.Text(), sugg, mine)})
	}
	s.renderStatus(w, r, status, "release_review", d)
	return nil
}

// releaseRedact masks a span given by start and end, or every occurrence
// of a passage typed as it stands.
func (s *Server) releaseRedact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	seq, err := strconv.ParseInt(r.PostFormValue("seq"), 10, 64)
	if err != nil {
		return errBadForm
	}
	ground := r.PostFormValue("ground")
	if passage := r.PostFormValue("passage"); strings.TrimSpace(passage) != "" {
		_, err = s.releases().RedactPassage(r.Context(), id, seq, passage, ground)
	} else {
		start, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("start")))
		end, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("end")))
		if err1 != nil || err2 != nil {
			err = apperr.Invalidf("Skriv in texten som ska maskeras, eller ange början och slut som tal")
		} else {
			_, err = s.releases().Redact(r.Context(), id, seq, start, end, ground)
		}
	}
	if err != nil {
		return s.releaseFail(w, r, err, s.showReview)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"/granskning?ok=1#handling-"+itoa(seq))
}

func (s *Server) releaseUnredact(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := requestForm(w, r, "rid")
	if err != nil {
		return err
	}
	if err := s.releases().Unredact(r.Context(), id, rid); err != nil {
		return s.releaseFail(w, r, err, s.showReview)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"/granskning?ok=1")
}

func (s *Server) releaseWithhold(w http.ResponseWriter, r *http.Request) error {
	id, seq, err := requestForm(w, r, "seq")
	if err != nil {
		return err
	}
	wh := release.Withholding{Record: r.PostFormValue("record") == "on", RecordGround: r.PostFormValue("record_ground"),
		Author: r.PostFormValue("author") == "on", AuthorGround: r.PostFormValue("author_ground")}
	if err := s.releases().Withhold(r.Context(), id, seq, wh); err != nil {
		return s.releaseFail(w, r, err, s.showReview)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"/granskning?ok=1#handling-"+itoa(seq))
}
