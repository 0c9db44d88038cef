package web

import (
	"net/http"
	"strconv"
)

// media serves a post's image to the platforms, which fetch it without
// signing in. The address is the image's SHA-256, which nobody can guess
// without the image; it answers only while a post using the image is
// approved and no consent behind it has ended.
func (s *Server) media(w http.ResponseWriter, r *http.Request) error {
	ctype, data, err := s.Publish.PublicImage(r.Context(), r.PathValue("sha"))
	if err != nil {
		return err
	}
	writeImage(w, ctype, data, "public, max-age=300")
	return nil
}

// imagePreview shows an image to those composing or approving a post.
func (s *Server) imagePreview(w http.ResponseWriter, r *http.Request) error {
	v := ChannelViewer(PrincipalFrom(r.Context()))
	ctype, data, err := s.Publish.PreviewImage(r.Context(), v, r.PathValue("sha"))
	if err != nil {
		return err
	}
	writeImage(w, ctype, data, "private, max-age=3600")
	return nil
}

func writeImage(w http.ResponseWriter, ctype string, data []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", cache)
	// An image is never a page: nothing in it runs.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", "inline")
	_, _ = w.Write(data)
}
