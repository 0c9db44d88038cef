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
)

// runBackup copies a live embedded installation to a new directory.
func runBackup(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "a new directory for the copy")
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
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := backup.Run(ctx, d, cfg.DataDir, *to)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s (%d blobs)\n", res.Database, res.Blobs)
	return err
}
