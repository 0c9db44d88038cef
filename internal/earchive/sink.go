package earchive

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"
)

// sink is where a package's files go, one at a time: a folder or a ZIP.
// Nothing is visible under the final name until commit.
type sink interface {
	// create starts the file at name (slash-separated, relative to the
	// package root); the previous file is finished.
	create(name string) (io.Writer, error)
	// commit finishes the package and gives it its final name.
	commit() (string, error)
	// abort removes everything written.
	abort()
}

// dirSink writes a folder dir/.<id>.partial, renamed to dir/<id>.
type dirSink struct {
	tmp, final string
	cur        *os.File
	buf        *bufio.Writer
}

func newDirSink(dir, id string) (*dirSink, error) {
	s := &dirSink{tmp: filepath.Join(dir, "."+id+".partial"), final: filepath.Join(dir, id)}
	if err := exists(s.final); err != nil {
		return nil, err
	}
	if err := os.Mkdir(s.tmp, 0o750); err != nil {
		return nil, fmt.Errorf("earchive: %w", err)
	}
	return s, nil
}

func (s *dirSink) closeCur() error {
	if s.cur == nil {
		return nil
	}
	err := s.buf.Flush()
	if cerr := s.cur.Close(); err == nil {
		err = cerr
	}
	s.cur = nil
	return err
}

func (s *dirSink) create(name string) (io.Writer, error) {
	if err := s.closeCur(); err != nil {
		return nil, err
	}
	p := filepath.Join(s.tmp, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, err
	}
	s.cur, s.buf = f, bufio.NewWriterSize(f, 64<<10)
	return s.buf, nil
}

func (s *dirSink) commit() (string, error) {
	if err := s.closeCur(); err != nil {
		return "", err
	}
	if err := os.Rename(s.tmp, s.final); err != nil {
		return "", fmt.Errorf("earchive: %w", err)
	}
	return s.final, nil
}

func (s *dirSink) abort() {
	_ = s.closeCur()
	_ = os.RemoveAll(s.tmp)
}

// zipSink writes dir/.<id>.zip.partial, renamed to dir/<id>.zip; entries sit
// under the folder <id>/ as CSIP asks of a packed package.
type zipSink struct {
	tmp, final, root string
	f                *os.File
	buf              *bufio.Writer
	zw               *zip.Writer
	now              time.Time
}

func newZipSink(dir, id string, now time.Time) (*zipSink, error) {
	s := &zipSink{tmp: filepath.Join(dir, "."+id+".zip.partial"), final: filepath.Join(dir, id+".zip"), root: id, now: now}
	if err := exists(s.final); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("earchive: %w", err)
	}
	s.f, s.buf = f, bufio.NewWriterSize(f, 256<<10)
	s.zw = zip.NewWriter(s.buf)
	return s, nil
}

func (s *zipSink) create(name string) (io.Writer, error) {
	return s.zw.CreateHeader(&zip.FileHeader{Name: path.Join(s.root, name), Method: zip.Deflate, Modified: s.now})
}

func (s *zipSink) commit() (string, error) {
	err := s.zw.Close()
	if err == nil {
		err = s.buf.Flush()
	}
	if err == nil {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("earchive: %w", err)
	}
	if err := os.Rename(s.tmp, s.final); err != nil {
		return "", fmt.Errorf("earchive: %w", err)
	}
	return s.final, nil
}

func (s *zipSink) abort() {
	_ = s.f.Close()
	_ = os.Remove(s.tmp)
}

// exists refuses to overwrite a finished package.
func exists(p string) error {
	if _, err := os.Stat(p); err == nil {
		return fmt.Errorf("earchive: %s already exists", p)
	}
	return nil
}
