package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/server"
)

// runArchiveVerify checks the whole hash chain of the archive. It prints
// one line on success; on any alteration it fails naming the first bad
// record, so that scripts and monitoring see a non-zero exit.
func runArchiveVerify(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	blobs := fs.Bool("blobs", false, "also read every fetched attachment's blob and check it against its hash")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("archive verify: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("archive verify: unexpected argument %q", fs.Arg(0))
	}
	d, _, _, err := openStores(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := archive.Verify(ctx, d)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return failedAt(rep.Problems[0], rep.ProblemCount)
	}
	checked := ""
	if *blobs {
		n, err := verifyBlobs(ctx, d)
		if err != nil {
			return err
		}
		checked = fmt.Sprintf(", %d attachment blobs match their hashes", n)
	}
	head := rep.HeadHash
	if len(head) > 16 {
		head = head[:16]
	}
	_, err = fmt.Fprintf(stdout, "ok: %d records verified (seq 1–%d, %d culled), head %s…, in %s%s\n",
		rep.Records, rep.LastSeq, rep.Culled, head, rep.Duration.Round(time.Millisecond), checked)
	return err
}

// verifyBlobs checks every fetched attachment's blob in the configured
// blob store, failing on the first problem like the chain check.
func verifyBlobs(ctx context.Context, d *db.DB) (int, error) {
	cfg, err := config.FromOS()
	if err != nil {
		return 0, err
	}
	blobs, err := server.BlobStore(cfg)
	if err != nil {
		return 0, err
	}
	n, problems, count, err := (&archive.Store{DB: d, Blobs: blobs}).VerifyBlobs(ctx)
	if err != nil {
		return n, err
	}
	if count > 0 {
		return n, failedAt(problems[0], count)
	}
	return n, nil
}

// failedAt is the command's error: the first problem, and how many more.
func failedAt(first archive.Problem, count int) error {
	more := ""
	if count > 1 {
		more = fmt.Sprintf(" (and %d more problems)", count-1)
	}
	return fmt.Errorf("archive verify: FAILED at record %d: %s%s", first.Seq, first.Reason, more)
}
