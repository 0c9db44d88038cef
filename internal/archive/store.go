package archive

import (
	"log/slog"
	"net/http"
	"time"

	"tilltal/internal/blob"
	"tilltal/internal/db"
)

// Store is the archive's service for the web, the API and the jobs: the
// functions that only append (AppendTx, ItemVersionTx, ReplyTx,
// DeliveryTx) are free functions so that other packages can call them in
// their own transactions without holding a Store.
type Store struct {
	DB *db.DB
	// Blobs keeps attachment content.
	Blobs blob.Store
	// HTTP fetches attachments; nil uses a client with a timeout.
	HTTP *http.Client
	Now  func() time.Time
	Log  *slog.Logger
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Store) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
