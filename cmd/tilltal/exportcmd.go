package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/blob"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/earchive"
)

// runExport writes an e-archive package (FGS Paketstruktur 2.0 with
// ERMS and PREMIS) for a period, a channel or chosen records, and prints
// only the package's path, for scripts.
func runExport(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (inclusive)")
	channel := fs.Int64("channel", 0, "channel id")
	seqs := fs.String("seq", "", "archive record numbers, comma-separated")
	out := fs.String("out", "", "folder to write the package into")
	zip := fs.Bool("zip", false, "write a ZIP file instead of a folder")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return fmt.Errorf("export: --out is required")
	}
	var sel earchive.Selection
	var err error
	if sel.From, sel.To, err = earchive.ParsePeriod(*from, *to); err != nil {
		return fmt.Errorf("export: %s", apperr.Message(err))
	}
	if sel.Seqs, err = earchive.ParseSeqs(*seqs); err != nil {
		return fmt.Errorf("export: %s", apperr.Message(err))
	}
	sel.ChannelID = *channel
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	d, _, _, err := openStores(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	blobs, err := blob.NewDir(filepath.Join(cfg.DataDir, "blobs"), 0)
	if err != nil {
		return err
	}
	ex := &earchive.Exporter{DB: d, Blobs: blobs}
	res, err := ex.Export(ctx, earchive.Options{Selection: sel, Dir: *out, Zip: *zip})
	if err != nil {
		if apperr.KindOf(err) != apperr.Internal {
			return fmt.Errorf("export: %s", apperr.Message(err))
		}
		return err
	}
	ctx = audit.WithActor(ctx, audit.System("cli"))
	err = d.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, ex.Clock(), audit.Entry{Action: "earchive.export", ObjectType: "package", ObjectID: res.PackageID,
			Summary: fmt.Sprintf("Export till e-arkivet från kommandoraden: %d handlingar (%s)", res.Records, sel.Describe()),
			Detail:  map[string]any{"path": res.Path}})
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, res.Path)
	return err
}
