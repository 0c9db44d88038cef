package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPICoversEveryRoute keeps the document and the route table in step.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range (&API{}).Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s missing from openapi.json", path)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("%s %s missing from openapi.json", method, path)
		}
	}
}
