package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/incident"
	"tilltal/internal/org"
)

type archiveRecordData struct {
	Record      recordView
	Raw         string
	RawCut      bool
	Binary      bool
	Attachments []archive.Attachment
	Related     []recordView
	Class       *archive.ItemClass
	Classes     []archive.Class
	Holds       []archive.Hold
	CanClassify bool
	CanHold     bool
	// FileLink downloads an attachment record's file.
	FileLink string
}

// rawShown bounds the raw content shown on the page.
const rawShown = 64 << 10

func (s *Server) archiveRecordPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	rec, err := archive.Get(ctx, s.DB, seq)
	if err != nil {
		return err
	}
	names, _, err := s.channelNames(ctx, p)
	if err != nil {
		return err
	}
	d := archiveRecordData{Record: viewRecord(p, rec, names), Classes: archive.Classes, CanClassify: p.Has(org.Registrar), CanHold: holdKeepers.Allows(p)}
	if !d.Record.Masked && rec.Content != nil {
		raw := rec.Content
		if len(raw) > rawShown {
			raw, d.RawCut = raw[:rawShown], true
		}
		if utf8.Valid(raw) {
			d.Raw = string(raw)
		} else {
			d.Binary = true
		}
	}
	if d.Attachments, err = s.Archive.Attachments(ctx, seq); err != nil {
		return err
	}
	if rec.Kind == archive.KindAttachment && rec.Content != nil && !d.Record.Masked {
		var c archive.AttachmentContent
		if json.Unmarshal(rec.Content, &c) == nil && c.SHA256 != "" {
			d.FileLink = "/arkiv/" + strconv.FormatInt(c.SourceSeq, 10) + "/bilagor/" + strconv.Itoa(c.Position)
		}
	}
	if rec.ItemID != 0 {
		related, err := archive.Search(ctx, s.DB, archive.Filter{ItemID: rec.ItemID, Limit: 100})
		if err != nil {
			return err
		}
		for _, x := range related {
			d.Related = append(d.Related, viewRecord(p, x, names))
		}
		if c, err := s.Archive.ItemClassOf(ctx, rec.ItemID); err == nil {
			d.Class = &c
		}
	}
	if d.Holds, err = s.Archive.HoldsOn(ctx, rec); err != nil {
		return err
	}
	return s.render(w, r, "archive_record", d)
}

// archiveAttachment sends a fetched attachment's file as a download: its
// content came from the internet and is never rendered in Tilltal's origin.
func (s *Server) archiveAttachment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	pos, err := strconv.Atoi(r.PathValue("pos"))
	if err != nil {
		return apperr.ErrNotFound
	}
	rec, err := archive.Get(ctx, s.DB, seq)
	if err != nil {
		return err
	}
	if rec.Secret && !seesSecrets(PrincipalFrom(ctx)) {
		return apperr.ErrForbidden
	}
	atts, err := s.Archive.Attachments(ctx, seq)
	if err != nil {
		return err
	}
	if pos < 0 || pos >= len(atts) || atts[pos].Status != archive.AttachmentFetched {
		return apperr.NotFoundf("Bilagan finns inte i arkivet")
	}
	// Media in quarantine is unreadable to every role, whatever its
	// status says: the flag may have come a moment ago. The answer is the
	// same as for an attachment that is not there.
	if q, err := incident.Quarantined(ctx, s.DB, atts[pos].ItemID); err != nil {
		return err
	} else if q {
		return apperr.NotFoundf("Bilagan finns inte i arkivet")
	}
	f, err := s.Archive.Blobs.Open(ctx, atts[pos].BlobSHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return apperr.NotFoundf("Bilagans fil saknas")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// A record is evidence: what is sent must be what was archived. The
	// store checks the hash only at the end of the content, so the content
	// is read whole (or spooled to a temporary file) before any is sent.
	verified, err := readVerified(f, atts[pos].Size)
	if errors.Is(err, blob.ErrCorrupt) {
		s.Log.Error("archive: an attachment's content does not match its hash", "seq", seq, "pos", pos, "sha256", atts[pos].BlobSHA256)
		return fmt.Errorf("archive attachment %d/%d not sent: %w", seq, pos, err)
	}
	if err != nil {
		return err
	}
	defer verified.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="bilaga-`+strconv.FormatInt(seq, 10)+"-"+strconv.Itoa(pos)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Length", strconv.FormatInt(atts[pos].Size, 10))
	_, err = io.Copy(w, verified)
	return err
}

// inMemoryLimit is the largest attachment checked in memory; larger ones
// are spooled to a temporary file while their hash is checked.
const inMemoryLimit = 32 << 20

// readVerified reads r, a blob store reader that checks the content's hash
// at its end, to the end and returns the checked content.
func readVerified(r io.Reader, size int64) (io.ReadCloser, error) {
	if size <= inMemoryLimit {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	tmp, err := os.CreateTemp("", "tilltal-attachment-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // gone when closed
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// archiveClass is the registrar's decision on an item's class.
func (s *Server) archiveClass(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	rec, err := archive.Get(ctx, s.DB, seq)
	if err != nil {
		return err
	}
	if rec.ItemID == 0 {
		return apperr.Invalidf("Handlingen hör inte till något inlägg")
	}
	class, err := archive.ParseClass(r.PostFormValue("class"))
	if err != nil {
		return err
	}
	if err := s.Archive.SetClass(ctx, rec.ItemID, class, r.PostFormValue("reason"), r.PostFormValue("ground")); err != nil {
		return err
	}
	return redirect(w, r, "/arkiv/"+itoa(seq)+"?ok=1#klass")
}
