// Command tilltal is the whole of Tilltal: the server and the commands that
// scripts and operators use. main only parses the command line and wires the
// dependencies; everything else lives in internal/.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, usage, help string
	run               func(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "tilltal serve", "Run the server (settings from TILLTAL_* environment variables).", runServe},
		{"demo", "tilltal demo", "Run the server on a fresh database with Exempelby kommun and a user for every role.", runDemo},
		{"migrate", "tilltal migrate", "Apply database migrations and exit.", runMigrate},
		{"user add", "tilltal user add --email E --name N --role R [--role R2] [--department D] (password on stdin)", "Add a user; prints the user's id.", runUserAdd},
		{"token create", "tilltal token create --email E [--name N]", "Create an API token for a user; prints the token.", runTokenCreate},
		{"channel add", "tilltal channel add --platform facebook|instagram|linkedin|youtube --external-id ID --name N --department D", "Add a channel to the registry (as requested; owner, editors and rota follow); prints its id.", runChannelAdd},
		{"report rebuild", "tilltal report rebuild", "Recompute the reports' daily figures from every item; prints how many rows there are.", runReportRebuild},
		{"backup", "tilltal backup --to DIR [--blobs-only]", "Copy the live embedded database and the blobs (directory or bucket) to a new directory; --blobs-only copies the blobs alone (PostgreSQL: pg_dump for the database).", runBackup},
		{"archive verify", "tilltal archive verify [--blobs]", "Check the archive's hash chain (--blobs: and every attachment's blob against its hash); fails naming the first changed, moved or missing record.", runArchiveVerify},
		{"export", "tilltal export --from 2026-01-01 --to 2026-12-31 [--channel ID] [--seq 1,2,3] --out DIR [--zip]", "Write an e-archive package (FGS 2.0: CSIP/SIP with ERMS and PREMIS) of a period, channel or records; prints its path.", runExport},
		{"loadtest", "tilltal loadtest [--url U] [--page P] [--rate N] [--duration D] [--concurrency C] [--events E] [--drain-timeout D]", "Send signed webhook deliveries to a running Tilltal, wait until it has processed them, and report throughput, latency and the ratios to a bare batched insert.", runLoadtest},
		{"classify", "tilltal classify [evaluate [--file F] [--json]]", "Score JSON lines {\"id\",\"text\"} from stdin for criminal content; evaluate: precision and recall on a labelled file.", runClassify},
		{"help", "tilltal help", "Show this help.", nil},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tilltal:", err)
		os.Exit(1)
	}
}

// dispatch finds the subcommand named by the first one or two words.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		words := len(strings.Fields(c.name))
		if len(args) >= words && strings.Join(args[:words], " ") == c.name && c.run != nil {
			return c.run(ctx, args[words:], stdin, stdout)
		}
	}
	printHelp(stderr)
	return fmt.Errorf("unknown command %q (see tilltal help)", strings.Join(args, " "))
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Tilltal – kommunens sociala medier: delad inkorg, arkiv och kanalförteckning.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-70s %s\n", c.usage, c.help)
	}
	fmt.Fprintln(w, "\nSettings (environment): TILLTAL_DATABASE (sqlite:PATH or postgres://…), TILLTAL_LISTEN, TILLTAL_DATA_DIR,")
	fmt.Fprintln(w, "TILLTAL_BASE_URL, TILLTAL_SMTP_*, TILLTAL_OIDC_*, TILLTAL_META_*, TILLTAL_LINKEDIN_API_URL, TILLTAL_YOUTUBE_API_URL. See README.md.")
}
