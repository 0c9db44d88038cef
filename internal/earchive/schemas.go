package earchive

import (
	"embed"
	"io/fs"
)

// schemaFS holds the official schemas the package's XML files use, copied
// into every package's schemas/ folder (see schemas/SOURCES.md). mets.xsd
// imports xlink.xsd from beside it rather than from the web, so that the
// package validates offline.
//
//go:embed schemas/*.xsd schemas/LICENSE-E-ARK.txt schemas/SOURCES.md
var schemaFS embed.FS

// schemaFiles lists the schema files in the order they are written.
func schemaFiles() ([]string, error) {
	entries, err := fs.ReadDir(schemaFS, "schemas")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out, nil
}
