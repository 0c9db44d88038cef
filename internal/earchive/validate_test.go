package earchive_test

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// xmllint validates file against schema with libxml2's xmllint (Debian
// libxml2-utils, installed by .ci/install-tools).
func xmllint(t *testing.T, schema, file string) {
	t.Helper()
	out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s does not validate against %s: %v\n%s", file, filepath.Base(schema), err, out)
	}
}

// validatePackage checks a package folder: every METS, ERMS and PREMIS file
// against the official schemas (the package's own copies, except METS,
// whose driver adds the CSIP and SIP extensions), and the METS inventory
// against the files.
func validatePackage(t *testing.T, root string) {
	t.Helper()
	var xmls []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			xmls = append(xmls, p)
		}
		return err
	})
	seen := map[string]bool{}
	for _, p := range xmls {
		rel, _ := filepath.Rel(root, p)
		switch {
		case rel == "METS.xml":
			xmllint(t, "testdata/mets-csip.xsd", p)
			// The package's own schemas validate it offline too.
			xmllint(t, filepath.Join(root, "schemas", "mets.xsd"), p)
		case strings.HasPrefix(rel, "metadata/descriptive/"):
			xmllint(t, filepath.Join(root, "schemas", "ERMS.xsd"), p)
		case strings.HasPrefix(rel, "metadata/preservation/"):
			xmllint(t, filepath.Join(root, "schemas", "premis-v3-0.xsd"), p)
		default:
			continue
		}
		seen[rel] = true
	}
	for _, want := range []string{"METS.xml", "metadata/descriptive/ERMS.xml", "metadata/preservation/PREMIS.xml"} {
		if !seen[want] {
			t.Errorf("package has no %s", want)
		}
	}
	checkInventory(t, root)
	checkReferences(t, root)
}

// checkReferences proves that every file a record's JSON names (its
// content, its platform delivery, its stored files) and every file PREMIS
// describes is in the package: a name pointing at nothing would pass the
// inventory check, which sees only files that exist.
func checkReferences(t *testing.T, root string) {
	t.Helper()
	has := func(from, name string) {
		t.Helper()
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s names %s, which is not in the package", from, name)
		}
	}
	recs, err := filepath.Glob(filepath.Join(root, "representations", "rep1", "data", "records", "*.json"))
	if err != nil || len(recs) == 0 {
		t.Fatalf("no records in the package: %v", err)
	}
	for _, p := range recs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			ContentFile  string   `json:"content_file"`
			PlatformFile string   `json:"platform_file"`
			Files        []string `json:"files"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, name := range append([]string{rec.ContentFile, rec.PlatformFile}, rec.Files...) {
			if name != "" {
				has(filepath.Base(p), name)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "metadata", "preservation", "PREMIS.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var premis struct {
		Objects []struct {
			IDs []struct {
				Type  string `xml:"objectIdentifierType"`
				Value string `xml:"objectIdentifierValue"`
			} `xml:"objectIdentifier"`
		} `xml:"object"`
	}
	if err := xml.Unmarshal(b, &premis); err != nil {
		t.Fatal(err)
	}
	for _, o := range premis.Objects {
		for _, id := range o.IDs {
			if id.Type == "filepath" {
				has("PREMIS.xml", id.Value)
			}
		}
	}
}

// metsDoc is what the test reads of METS.xml.
type metsDoc struct {
	OBJID string `xml:"OBJID,attr"`
	Refs  []struct {
		Href     string `xml:"http://www.w3.org/1999/xlink href,attr"`
		Checksum string `xml:"CHECKSUM,attr"`
		Type     string `xml:"CHECKSUMTYPE,attr"`
		Size     string `xml:"SIZE,attr"`
	} `xml:"dmdSec>mdRef"`
	AmdRefs []struct {
		Href     string `xml:"http://www.w3.org/1999/xlink href,attr"`
		Checksum string `xml:"CHECKSUM,attr"`
		Type     string `xml:"CHECKSUMTYPE,attr"`
		Size     string `xml:"SIZE,attr"`
	} `xml:"amdSec>digiprovMD>mdRef"`
	Groups []struct {
		Use   string `xml:"USE,attr"`
		Files []struct {
			Mime     string `xml:"MIMETYPE,attr"`
			Size     string `xml:"SIZE,attr"`
			Checksum string `xml:"CHECKSUM,attr"`
			Type     string `xml:"CHECKSUMTYPE,attr"`
			FLocat   struct {
				Href string `xml:"http://www.w3.org/1999/xlink href,attr"`
			}
		} `xml:"file"`
	} `xml:"fileSec>fileGrp"`
}

// checkInventory proves that every file but METS.xml is listed in METS,
// with its size and a SHA-256 that matches, and that nothing listed is
// missing.
func checkInventory(t *testing.T, root string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "METS.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var m metsDoc
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.OBJID != filepath.Base(root) {
		t.Errorf("OBJID %q, package folder %q", m.OBJID, filepath.Base(root))
	}
	type listed struct{ sum, size, typ string }
	inv := map[string]listed{}
	for _, r := range append(m.Refs, m.AmdRefs...) {
		inv[r.Href] = listed{r.Checksum, r.Size, r.Type}
	}
	for _, g := range m.Groups {
		for _, f := range g.Files {
			href := f.FLocat.Href
			if f.Mime == "" {
				t.Errorf("%s has no MIME type", href)
			}
			if _, dup := inv[href]; dup {
				t.Errorf("%s listed twice", href)
			}
			inv[href] = listed{f.Checksum, f.Size, f.Type}
		}
	}
	files := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == "METS.xml" {
			return nil
		}
		files++
		l, ok := inv[rel]
		if !ok {
			t.Errorf("%s is in the package but not in METS", rel)
			return nil
		}
		delete(inv, rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if l.typ != "SHA-256" || l.sum != hex.EncodeToString(sum[:]) || l.size != strconv.Itoa(len(b)) {
			t.Errorf("%s: METS says %s %s size %s, the file is SHA-256 %x size %d", rel, l.typ, l.sum, l.size, sum, len(b))
		}
		return nil
	})
	for href := range inv {
		t.Errorf("METS lists %s, which is not in the package", href)
	}
	if files < 10 {
		t.Errorf("only %d files in the package", files)
	}
}

// unzip extracts a packed package and returns its root folder.
func unzip(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	root := ""
	for _, f := range zr.File {
		top, _, _ := strings.Cut(f.Name, "/")
		if root == "" {
			root = top
		} else if top != root {
			t.Fatalf("zip entries under %s and %s: a package has one root folder", root, top)
		}
		if strings.Contains(f.Name, "..") {
			t.Fatalf("entry %s", f.Name)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, root)
}
