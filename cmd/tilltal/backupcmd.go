package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"tilltal/internal/backup"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/server"
)

// runBackup copies a live embedded installation, or the blobs of any, to a
// new directory.
func runBackup(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "a new directory for the copy")
	blobsOnly := fs.Bool("blobs-only", false, "copy only the blob store (PostgreSQL installations)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if *to == "" {
		return errors.New("backup: --to is required")
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	blobs, err := server.BlobStore(cfg)
	if err != nil {
		return err
	}
	// Blobs only, too, asks the database which files are quarantined.
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	if *blobsOnly {
		res, err := backup.Blobs(ctx, d, blobs, *to)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%d blobs\n", res.Blobs)
		return err
	}
	res, err := backup.Run(ctx, d, blobs, *to)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s (%d blobs)\n", res.Database, res.Blobs)
	return err
}
