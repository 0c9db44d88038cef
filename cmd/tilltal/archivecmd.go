package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"tilltal/internal/archive"
)

// runArchiveVerify checks the whole hash chain of the archive. It prints
// one line on success; on any alteration it fails naming the first bad
// record, so that scripts and monitoring see a non-zero exit.
func runArchiveVerify(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
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
		more := ""
		if rep.ProblemCount > 1 {
			more = fmt.Sprintf(" (and %d more problems)", rep.ProblemCount-1)
		}
		return fmt.Errorf("archive verify: FAILED at record %d: %s%s", rep.Problems[0].Seq, rep.Problems[0].Reason, more)
	}
	head := rep.HeadHash
	if len(head) > 16 {
		head = head[:16]
	}
	_, err = fmt.Fprintf(stdout, "ok: %d records verified (seq 1–%d, %d culled), head %s…, in %s\n",
		rep.Records, rep.LastSeq, rep.Culled, head, rep.Duration.Round(time.Millisecond))
	return err
}
