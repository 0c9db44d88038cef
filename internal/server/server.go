// Package server assembles a running Tilltal from its configuration: the
// database, the migrations, the stores, the job queue with its workers and
// the HTTP handler. cmd/tilltal and the end-to-end tests both build it here,
// so the tests exercise exactly what runs in production.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"tilltal/internal/answer"
	"tilltal/internal/api"
	"tilltal/internal/archive"
	"tilltal/internal/auth"
	"tilltal/internal/blob"
	"tilltal/internal/channel"
	"tilltal/internal/clock"
	"tilltal/internal/config"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/diary"
	"tilltal/internal/earchive"
	"tilltal/internal/escalation"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/intake"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
	"tilltal/internal/platform/linkedin"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/youtube"
	"tilltal/internal/publish"
	"tilltal/internal/quota"
	"tilltal/internal/report"
	"tilltal/internal/secret"
	"tilltal/internal/snapshot"
	"tilltal/internal/web"
)

// App is an assembled Tilltal.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *db.DB
	Org    *org.Store
	Auth   *auth.Service
	Outbox *notify.Outbox
	Inbox  *inbox.Store
	// Escalations are questions sent to departments.
	Escalations *escalation.Store
	Intake      *intake.Store
	Credentials *credential.Store
	Outbound    *outbound.Service
	// Answers are the saved answers.
	Answers *answer.Store
	// Diary is the diarium.
	Diary *diary.Store
	// Incidents are the cases of criminal content and their vault.
	Incidents *incident.Store
	// Actions send replies, hides and deletes of inbox items.
	Actions    *inbox.Actions
	Connectors map[platform.Name]platform.Connector
	Queue      *jobs.Queue
	Secrets    *secret.Box
	Handler    http.Handler
	Web        *web.Server
	Now        func() time.Time

	// Channels is the channel registry.
	Channels *channel.Store
	// Reports computes the reports and keeps their figures current.
	Reports *report.Store
	// Publish is publishing: posts, approval, scheduling, consents.
	Publish *publish.Service
	// Archive keeps the public records.
	Archive *archive.Store
	// Snapshots are the channels' ögonblicksbilder.
	Snapshots *snapshot.Service
	// Exports writes e-archive packages as background jobs.
	Exports *earchive.Jobs
}

// Options change how an App is built, for tests.
type Options struct {
	// Mailer replaces SMTP delivery.
	Mailer notify.Mailer
	// HTTPClient is used for outbound calls (OIDC, webhooks).
	HTTPClient *http.Client
	// FetchPollInterval overrides the job queue's poll interval.
	FetchPollInterval time.Duration
	// Connectors replace the real platforms (the demo's simulated one).
	Connectors map[platform.Name]platform.Connector
	// PollEvery is how often connected channels are polled.
	PollEvery time.Duration
	// GapCheckInterval overrides how often every active channel's rota is
	// checked for gaps (default hourly).
	GapCheckInterval time.Duration
	// ReportRefreshInterval overrides how often the report figures are
	// brought up to date (default every two minutes).
	ReportRefreshInterval time.Duration
}

// New opens the database, applies migrations and builds everything.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (*App, error) {
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, d, o)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, o Options) (*App, error) {
	if err := migrations.Up(ctx, d, log); err != nil {
		return nil, err
	}
	box, err := secret.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	now := clock.Real{}.Now
	a := &App{Config: cfg, Log: log, DB: d, Secrets: box, Now: now}
	a.stores(o)
	blobs, err := BlobStore(cfg)
	if err != nil {
		return nil, err
	}
	a.Archive = &archive.Store{DB: d, Blobs: blobs, HTTP: o.HTTPClient, Now: now, Log: log}
	a.Snapshots = &snapshot.Service{DB: d, Blobs: blobs, Now: now, Log: log}
	// A channel in use is closed only with its last snapshot recorded in
	// the same transaction; the snapshot's files are rendered and stored
	// before it, outside any lock.
	a.Channels.BeforeClose = func(ctx context.Context, channelID int64) (channel.CloseStep, error) {
		p, err := a.Snapshots.Prepare(ctx, channelID, snapshot.Closing)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx *db.Tx) error {
			_, err := a.Snapshots.RecordTx(ctx, tx, p)
			return err
		}, nil
	}
	a.Exports = &earchive.Jobs{Exporter: &earchive.Exporter{DB: d, Blobs: blobs, Now: now}, Dir: filepath.Join(cfg.DataDir, "exports")}
	workers, periodic := a.workers(o)
	a.Queue, err = jobs.New(d, log, jobs.Options{Workers: workers, PeriodicJobs: periodic, FetchPollInterval: o.FetchPollInterval})
	if err != nil {
		return nil, err
	}
	a.Outbox.Queue, a.Outbound.Queue, a.Channels.Queue, a.Publish.Queue, a.Reports.Queue, a.Incidents.Queue = a.Queue, a.Queue, a.Queue, a.Queue, a.Queue, a.Queue
	a.Exports.Queue = a.Queue
	a.Credentials.OnConnect = func(ctx context.Context, tx *db.Tx, channelID int64) error {
		return intake.EnqueueBackfillTx(ctx, tx, a.Queue, channelID)
	}
	oidc, err := a.oidc(ctx, o)
	if err != nil {
		return nil, err
	}
	apiSurface := &api.API{DB: d, Org: a.Org, Inbox: a.Inbox, Actions: a.Actions, Channels: a.Channels, ReplyRules: a.Channels.CheckRules, Publish: a.Publish, Reports: a.Reports, Incidents: a.Incidents, Archive: a.Archive, Exports: a.Exports}
	mounts := append(apiSurface.Routes(),
		web.Mount{Pattern: "GET /metrics", Access: web.Public, Handler: a.metricsHandler()},
		// Meta signs its deliveries; the handler checks the signature
		// before anything else and needs no session. It answers 503 when
		// it cannot store (Meta then retries); the wrapper adds Retry-After
		// and counts it.
		web.Mount{Pattern: "/webhooks/meta", Access: web.Public, Handler: web.RetryOn503("webhook_meta",
			&intake.MetaWebhook{Store: a.Intake, AppSecret: cfg.MetaAppSecret, VerifyToken: cfg.MetaVerifyToken, Log: log})},
	)
	a.Web, err = web.New(web.Deps{Config: cfg, DB: d, Org: a.Org, Auth: a.Auth, Outbox: a.Outbox, Inbox: a.Inbox, Escalations: a.Escalations,
		Actions: a.Actions, Answers: a.Answers, Diary: a.Diary, Intake: a.Intake, Credentials: a.Credentials, Channels: a.Channels, Publish: a.Publish,
		Reports: a.Reports, Incidents: a.Incidents, Archive: a.Archive, Snapshots: a.Snapshots, Exports: a.Exports, OIDC: oidc, Log: log, Now: now, Mount: mounts})
	if err != nil {
		return nil, err
	}
	a.Handler = a.Web
	// Deliveries acknowledged before a crash or a stop are processed now.
	a.Intake.Kick()
	return a, nil
}

// BlobStore is the blob store the configuration chooses: the directory
// TILLTAL_DATA_DIR/blobs, or an S3-compatible bucket, which every instance
// behind a load balancer must share. An S3 upload is spooled in the data
// directory while its hash is computed.
func BlobStore(cfg config.Config) (blob.Store, error) {
	if !cfg.Blobs.S3() {
		return blob.NewDir(filepath.Join(cfg.DataDir, "blobs"), 0)
	}
	spool := filepath.Join(cfg.DataDir, "spool")
	if err := os.MkdirAll(spool, 0o750); err != nil {
		return nil, fmt.Errorf("blob spool: %w", err)
	}
	b := cfg.Blobs
	return blob.NewS3(blob.S3Options{Endpoint: b.Endpoint, Region: b.Region, Bucket: b.Bucket, Prefix: b.Prefix,
		AccessKey: b.AccessKey, SecretKey: b.SecretKey.Reveal(), PathStyle: b.PathStyle, SpoolDir: spool})
}

// stores builds the domain stores and connects them: events that intake
// stores become inbox items (webhook deliveries' after the answer, see
// process.go).
func (a *App) stores(o Options) {
	d, now, cfg := a.DB, a.Now, a.Config
	a.Connectors = o.Connectors
	if a.Connectors == nil {
		a.Connectors = Connectors(cfg, o.HTTPClient, a.DB)
	}
	a.Org = &org.Store{DB: d, Now: now}
	a.Auth = &auth.Service{DB: d, Org: a.Org, Now: now}
	a.Outbox = &notify.Outbox{DB: d, Secrets: a.Secrets, Now: now}
	a.Inbox = &inbox.Store{DB: d, Now: now}
	a.Escalations = &escalation.Store{DB: d, Outbox: a.Outbox, Now: now, BaseURL: cfg.BaseURL}
	a.Channels = &channel.Store{DB: d, Outbox: a.Outbox, Now: now, BaseURL: cfg.BaseURL}
	// Events that came for an account before its channel was registered
	// were kept as unrouted; the channel takes them over when it is saved.
	a.Channels.Identified = func(ctx context.Context, channelID int64) error {
		_, err := a.Intake.RouteUnrouted(ctx, channelID)
		return err
	}
	// Webhook deliveries are acknowledged once stored and processed after
	// (see process.go); polled and newly routed events in their transaction.
	a.Intake = &intake.Store{DB: d, Now: now, Log: a.Log, AfterStore: a.afterStore}
	a.Intake.Process = ingestConsumer{a}
	a.Credentials = &credential.Store{DB: d, Secrets: a.Secrets, Notify: a.Outbox, Connectors: a.Connectors, Now: now, BaseURL: cfg.BaseURL}
	a.Outbound = &outbound.Service{DB: d, Credentials: a.Credentials, Connectors: a.Connectors, Now: now}
	a.Actions = &inbox.Actions{Store: a.Inbox, Outbound: a.Outbound, Rules: a.Channels.CheckRules}
	a.Answers = &answer.Store{DB: d, Now: now}
	a.Diary = &diary.Store{DB: d, Now: now}
	a.Publish = &publish.Service{DB: d, Outbox: a.Outbox, Outbound: a.Outbound, Channels: a.Channels, Now: now, BaseURL: cfg.BaseURL}
	a.Incidents = &incident.Store{DB: d, Secrets: a.Secrets, Diary: a.Diary, Outbox: a.Outbox, Actions: a.Actions, Channels: a.Channels,
		Duty: a.Channels, Connectors: a.Connectors, Credentials: a.Credentials, Fetch: incident.HTTPFetcher(o.HTTPClient), Now: now, BaseURL: cfg.BaseURL}
	// A finished action is an inbox item's (a reply, a hide, which may be
	// a case's too) or a post's (a publish); each hook leaves the others'
	// actions alone.
	a.Outbound.OnFinish = func(ctx context.Context, tx *db.Tx, act outbound.Action) error {
		// Both hooks archive what they change in items; the archive's lock
		// comes before the items' so that a webhook arriving for the same
		// thread never deadlocks with them (see archive.LockTx).
		if err := archive.LockTx(ctx, tx); err != nil {
			return err
		}
		if err := a.Actions.Finished(ctx, tx, act); err != nil {
			return err
		}
		if err := a.Incidents.ActionFinished(ctx, tx, act); err != nil {
			return err
		}
		return a.Publish.Finished(ctx, tx, act)
	}
	a.Reports = &report.Store{DB: d, Now: now, Channels: a.Channels, Intake: a.Intake, Outbox: a.Outbox, BaseURL: cfg.BaseURL, Incidents: a.Incidents,
		Scope: func(ctx context.Context, userID int64) ([]int64, error) {
			p, err := a.Auth.Principal(ctx, userID)
			if err != nil {
				return nil, err
			}
			return p.VisibleChannels(), nil
		}}
}

// workers registers every job kind and the periodic jobs.
func (a *App) workers(o Options) (*river.Workers, []*river.PeriodicJob) {
	mailer := o.Mailer
	if mailer == nil {
		mailer = notify.NewSMTPMailer(a.Config.SMTP)
	}
	pollEvery := o.PollEvery
	if pollEvery == 0 {
		// Webhooks carry Meta's traffic; LinkedIn and YouTube are read by
		// polling (YouTube paces itself within its daily quota).
		pollEvery = 2 * time.Minute
	}
	w := river.NewWorkers()
	river.AddWorker(w, &notify.SendWorker{Outbox: a.Outbox, Mailer: mailer, HTTP: o.HTTPClient})
	river.AddWorker(w, &outbound.Worker{Service: a.Outbound})
	river.AddWorker(w, &intake.BackfillWorker{Store: a.Intake, Credentials: a.Credentials, Connectors: a.Connectors, Log: a.Log})
	// The queue does not exist yet; the worker reads it through the App
	// when it runs.
	river.AddWorker(w, &backfillAll{app: a})
	river.AddWorker(w, &credential.CheckWorker{Store: a.Credentials})
	river.AddWorker(w, &escalation.OverdueWorker{Store: a.Escalations})
	river.AddWorker(w, &inbox.SLAWorker{Store: a.Inbox, Duty: a.Channels, Outbox: a.Outbox, BaseURL: a.Config.BaseURL})
	river.AddWorker(w, &channel.GapWorker{Store: a.Channels})
	river.AddWorker(w, &archive.FetchWorker{Store: a.Archive})
	river.AddWorker(w, &archive.SweepWorker{Store: a.Archive})
	river.AddWorker(w, &archive.CullWorker{Store: a.Archive})
	river.AddWorker(w, &archive.PurgeWorker{Store: a.Archive})
	river.AddWorker(w, &archive.AnchorWorker{Store: a.Archive})
	river.AddWorker(w, &snapshot.DueWorker{Service: a.Snapshots})
	river.AddWorker(w, &earchive.ExportWorker{Jobs: a.Exports})
	river.AddWorker(w, &report.RefreshWorker{Store: a.Reports})
	river.AddWorker(w, &report.RebuildWorker{Store: a.Reports})
	river.AddWorker(w, &report.DigestWorker{Store: a.Reports})
	reportEvery := o.ReportRefreshInterval
	if reportEvery == 0 {
		reportEvery = 2 * time.Minute
	}
	river.AddWorker(w, &publish.Worker{Service: a.Publish})
	river.AddWorker(w, &publish.ExpiryWorker{Service: a.Publish})
	incident.AddWorkers(w, a.Incidents)
	gapEvery := o.GapCheckInterval
	if gapEvery == 0 {
		gapEvery = time.Hour
	}
	periodic := []*river.PeriodicJob{
		intake.PeriodicBackfill(pollEvery),
		credential.PeriodicCheck(),
		escalation.PeriodicOverdue(10 * time.Minute),
		inbox.PeriodicSLA(5 * time.Minute),
		channel.PeriodicGapCheck(gapEvery),
		archive.PeriodicFetch(30 * time.Second),
		archive.PeriodicSweep(10 * time.Minute),
		archive.PeriodicCull(time.Hour),
		archive.PeriodicAnchor(time.Hour),
		snapshot.PeriodicDue(time.Hour),
		report.PeriodicRefresh(reportEvery),
		report.PeriodicDigest(time.Hour),
		publish.PeriodicExpiry(time.Hour),
		incident.PeriodicWatch(time.Minute),
	}
	return w, periodic
}

// backfillAll is intake's BackfillAllWorker with the queue filled in at
// run time.
type backfillAll struct {
	river.WorkerDefaults[intake.BackfillAllArgs]
	app *App
}

// Work enqueues a back-fill of every connected channel.
func (b *backfillAll) Work(ctx context.Context, job *river.Job[intake.BackfillAllArgs]) error {
	w := &intake.BackfillAllWorker{Store: b.app.Intake, Queue: b.app.Queue, Connectors: b.app.Connectors}
	return w.Work(ctx, job)
}

// oidc prepares OpenID Connect sign-in when it is configured.
func (a *App) oidc(ctx context.Context, o Options) (web.OIDCFlow, error) {
	cfg := a.Config
	if !cfg.OIDC.Enabled() {
		return nil, nil
	}
	flow, err := auth.NewOIDC(ctx, cfg.OIDC, cfg.BaseURL, a.Auth, o.HTTPClient)
	switch {
	case err == nil:
		return flow, nil
	case errors.Is(err, auth.ErrOIDCConfig):
		return nil, err
	}
	// The provider is unreachable now; start anyway and discover it on the
	// first sign-in through it.
	a.Log.Warn("OIDC provider not reachable at start; will retry at sign-in", "issuer", cfg.OIDC.Issuer, "err", err)
	return auth.NewLazyOIDC(cfg.OIDC, cfg.BaseURL, a.Auth, o.HTTPClient), nil
}

// Connectors builds the real platform connectors from the configuration.
// YouTube's daily quota is counted in d, so that every instance spends
// from the one budget of the municipality's Google Cloud project.
func Connectors(cfg config.Config, client *http.Client, d *db.DB) map[platform.Name]platform.Connector {
	yq := youtube.NewQuotaMeter(time.Now, youtube.DefaultBudget, youtube.DefaultReserve, youtube.DefaultBurst).
		WithLedger(&quota.Ledger{DB: d, Name: "youtube"})
	mc := meta.Config{GraphURL: cfg.MetaGraphURL, AppSecret: cfg.MetaAppSecret.Reveal(), HTTP: client}
	return map[platform.Name]platform.Connector{
		platform.Facebook:  meta.NewFacebook(mc),
		platform.Instagram: meta.NewInstagram(mc),
		platform.LinkedIn:  linkedin.New(linkedin.Config{APIURL: cfg.LinkedInAPIURL, ClientID: cfg.LinkedInClientID, ClientSecret: cfg.LinkedInClientSecret.Reveal(), HTTP: client}),
		platform.YouTube:   youtube.New(youtube.Config{APIURL: cfg.YouTubeAPIURL, ClientID: cfg.YouTubeClientID, ClientSecret: cfg.YouTubeClientSecret.Reveal(), HTTP: client, Quota: yq}),
	}
}

var registry = newRegistry()

func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r.MustRegister(web.Collectors()...)
	r.MustRegister(intake.Collectors()...)
	return r
}

// metricsHandler serves the process-wide metrics and this instance's own,
// read from its database when scraped: the intake's queue.
func (a *App) metricsHandler() http.Handler {
	own := prometheus.NewRegistry()
	own.MustRegister(a.Intake.QueueCollector())
	return promhttp.HandlerFor(prometheus.Gatherers{registry, own}, promhttp.HandlerOpts{})
}

// Listen opens the configured address, with a clear error when it is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w (is another Tilltal or program using the port? set TILLTAL_LISTEN)", addr, err)
	}
	return ln, nil
}

// Serve runs the job queue and the HTTP server on ln until ctx ends, then
// shuts down gracefully: HTTP first (no new work), then the queue, which
// lets running jobs finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Queue.Start(ctx); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("tilltal listening", "addr", ln.Addr().String(), "database", string(a.DB.Dialect))
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	a.Intake.Stop()
	qctx, qcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer qcancel()
	if err := a.Queue.Stop(qctx); err != nil {
		a.Log.Warn("job queue stop", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// Close stops processing deliveries and closes the database.
func (a *App) Close() error {
	a.Intake.Stop()
	return a.DB.Close()
}
