package api

import (
	_ "embed"
	"net/http"
)

// openapiDoc describes the API; a test checks that every route is in it.
//
//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the document, for tests and for merging routes of other
// packages.
func OpenAPI() []byte { return openapiDoc }

func (a *API) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(openapiDoc)
	return err
}
