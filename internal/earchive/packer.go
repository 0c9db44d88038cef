package earchive

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// fileEntry is a file written into the package, as METS and PREMIS name it.
type fileEntry struct {
	id, name, mime, sha256, created string
	size                            int64
}

// packer writes files into the sink, hashing each as it goes, and keeps the
// fileSec's <file> elements in a scratch file per group until METS.xml is
// written.
type packer struct {
	id, created string
	sink        sink
	scratch     string
	fragPaths   [3]string
	fragFiles   [3]*os.File
	frags       [3]*bufio.Writer
	encs        [3]*xml.Encoder
	counts      [3]int
	n           int
	copyBuf     []byte
}

func newPacker(id, created string, s sink, scratch string) (*packer, error) {
	p := &packer{id: id, created: created, sink: s, scratch: scratch, copyBuf: make([]byte, 64<<10)}
	for i := range groups {
		p.fragPaths[i] = filepath.Join(scratch, "filesec-"+strconv.Itoa(i)+".xml")
		f, err := os.Create(p.fragPaths[i])
		if err != nil {
			return nil, fmt.Errorf("earchive: %w", err)
		}
		p.fragFiles[i], p.frags[i] = f, bufio.NewWriterSize(f, 64<<10)
		p.encs[i] = xml.NewEncoder(p.frags[i])
	}
	return p, nil
}

func (p *packer) close() {
	for _, f := range p.fragFiles {
		if f != nil {
			f.Close()
		}
	}
}

// put writes r as the file name; group is the fileSec group, or -1 for the
// metadata files that METS references from dmdSec and amdSec instead.
func (p *packer) put(group int, name, mime string, r io.Reader) (fileEntry, error) {
	w, err := p.sink.create(name)
	if err != nil {
		return fileEntry{}, fmt.Errorf("earchive: %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), r, p.copyBuf)
	if err != nil {
		return fileEntry{}, fmt.Errorf("earchive: %s: %w", name, err)
	}
	p.n++
	e := fileEntry{id: "file-" + strconv.Itoa(p.n), name: name, mime: mime, sha256: hex.EncodeToString(h.Sum(nil)), created: p.created, size: n}
	if group < 0 {
		return e, nil
	}
	p.counts[group]++
	err = p.encs[group].Encode(metsFile{ID: e.id, MimeType: e.mime, Size: e.size, Created: e.created, Checksum: e.sha256, ChecksumType: "SHA-256",
		FLocat: locat{LocType: "URL", Type: "simple", Href: e.name}})
	return e, err
}

// putFile copies a scratch file into the package.
func (p *packer) putFile(group int, name, mime, src string) (fileEntry, error) {
	f, err := os.Open(src)
	if err != nil {
		return fileEntry{}, fmt.Errorf("earchive: %w", err)
	}
	defer f.Close()
	return p.put(group, name, mime, f)
}

// flushFrags makes the fileSec fragments readable.
func (p *packer) flushFrags() error {
	for i := range groups {
		if err := p.encs[i].Flush(); err != nil {
			return err
		}
		if err := p.frags[i].Flush(); err != nil {
			return err
		}
	}
	return nil
}
