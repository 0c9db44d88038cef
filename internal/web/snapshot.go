package web

import (
	"io"
	"net/http"

	"tilltal/internal/apperr"
	"tilltal/internal/org"
	"tilltal/internal/snapshot"
)

// snapshotTexts are the snapshot section's texts on the channel page.
var snapshotTexts = map[string]map[string]string{
	"sv": {
		"snapshot.title":   "Ögonblicksbilder",
		"snapshot.intro":   "En ögonblicksbild visar kanalens inlägg med kommentarer och svar från det senaste halvåret. Tilltal tar en varje halvår och alltid innan kanalen stängs; den sparas som allmän handling i arkivet.",
		"snapshot.none":    "Ingen ögonblicksbild än.",
		"snapshot.take":    "Ta ögonblicksbild nu",
		"snapshot.taken":   "Tagen",
		"snapshot.reason":  "Anledning",
		"snapshot.content": "Innehåll",
		"snapshot.files":   "Filer",
		"snapshot.posts":   "inlägg",
		"snapshot.items":   "poster",
	},
	"en": {
		"snapshot.title":   "Snapshots",
		"snapshot.intro":   "A snapshot shows the channel's posts with their comments and replies from the last six months. Tilltal takes one every six months and always before the channel is closed; it is kept as a public record in the archive.",
		"snapshot.none":    "No snapshot yet.",
		"snapshot.take":    "Take a snapshot now",
		"snapshot.taken":   "Taken",
		"snapshot.reason":  "Reason",
		"snapshot.content": "Content",
		"snapshot.files":   "Files",
		"snapshot.posts":   "posts",
		"snapshot.items":   "entries",
	},
}

func init() {
	for lang, texts := range snapshotTexts {
		for k, v := range texts {
			translations[lang][k] = v
		}
	}
}

// channelSnapshots fills the channel page's snapshot section: the list
// for those who may see the channel, the button for those who may take one.
func (s *Server) channelSnapshots(r *http.Request, id int64, d *channelData) error {
	if s.Snapshots == nil {
		return nil
	}
	list, err := s.Snapshots.List(r.Context(), id)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	d.Snapshots, d.CanSnapshot = list, d.CanManage || p.Has(org.Communicator)
	return nil
}

// channelSnapshot takes a snapshot of the channel now: its owner or
// deputy, or a communicator (who runs the registry).
func (s *Server) channelSnapshot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	c, err := s.Channels.Get(r.Context(), ChannelViewer(p), id)
	if err != nil {
		return err
	}
	if !ChannelViewer(p).CanManage(c) && !p.Has(org.Communicator) {
		return apperr.ErrForbidden
	}
	_, err = s.Snapshots.Take(r.Context(), id, snapshot.Manual)
	return s.afterChannelPost(w, r, id, err, "")
}

// channelSnapshotFile serves a snapshot's PDF or HTML to those who may see
// the channel. The HTML is sent as a download with a strict policy: it
// holds text from the platform, escaped, and no script.
func (s *Server) channelSnapshotFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	if _, err := s.Channels.Get(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id); err != nil {
		return err
	}
	sn, err := s.Snapshots.Get(r.Context(), sid)
	if err != nil {
		return err
	}
	if sn.ChannelID != id {
		return apperr.ErrNotFound
	}
	f, ctype, name, err := s.Snapshots.Open(r.Context(), sn, r.PathValue("format"))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, f)
	return err
}
