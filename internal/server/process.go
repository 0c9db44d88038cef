package server

import (
	"context"
	"runtime"
	"sync"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/intake"
	"tilltal/internal/moderation/score"
	"tilltal/internal/platform"
	"tilltal/internal/swedish"
)

// ingestConsumer makes what follows from webhook deliveries once they are
// acknowledged, a batch per transaction: each delivery goes into the
// archive as received, and each of its routed events into the inbox (item,
// thread, version and its archive record, search index), classified.
type ingestConsumer struct{ app *App }

// prepared is what Prepare makes of an event before the transaction.
type prepared struct {
	score  score.Result
	search string
}

// Prepare classifies the texts and analyses them for search before the
// transaction: it is the costliest CPU work of an event and needs no lock.
// The writer waits for it, so it is spread over the cores.
func (c ingestConsumer) Prepare(ds []intake.Unprocessed) {
	var events []*intake.Stored
	for i := range ds {
		for j := range ds[i].Events {
			if e := &ds[i].Events[j]; e.ChannelID != 0 {
				events = append(events, e)
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(events)+minPerWorker-1)/minPerWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(events); i += workers {
				events[i].Prepared = prepare(events[i].Event)
			}
		})
	}
	wg.Wait()
}

// minPerWorker is the fewest events worth a goroutine of Prepare's.
const minPerWorker = 8

func prepare(ev platform.Event) prepared {
	p := prepared{search: swedish.IndexText(ev.Object.Text)}
	if classifiable(ev) {
		p.score = score.Classify(ev.Object.Text)
	}
	return p
}

// Apply archives and ingests a batch. The archive's lock is taken first so
// that locks are taken in one order (see archive.LockTx).
func (c ingestConsumer) Apply(ctx context.Context, tx *db.Tx, ds []intake.Unprocessed) error {
	// The chain's head is read once for the batch and written once at its
	// end.
	ctx = archive.HoldHead(ctx, tx)
	if err := archive.LockTx(ctx, tx); err != nil {
		return err
	}
	ids := make([]int64, len(ds))
	var events []intake.Stored
	for i, d := range ds {
		ids[i] = d.DeliveryID
		events = append(events, d.Events...)
	}
	seqs, err := archive.DeliveriesTx(ctx, tx, ids)
	if err != nil {
		return err
	}
	if err := c.app.ingestAll(ctx, tx, events, seqs, c.app.Now()); err != nil {
		return err
	}
	return archive.ReleaseHeadTx(ctx, tx)
}

// afterStore ingests polled events, and events handed to a channel
// registered after they came, in the transaction that stored or routed
// them.
func (a *App) afterStore(ctx context.Context, tx *db.Tx, events []intake.Stored) error {
	if err := archive.LockTx(ctx, tx); err != nil {
		return err
	}
	var ids []int64
	for _, e := range events {
		if e.DeliveryID != 0 {
			ids = append(ids, e.DeliveryID)
		}
	}
	seqs, err := archive.DeliveriesTx(ctx, tx, ids)
	if err != nil {
		return err
	}
	return a.ingestAll(ctx, tx, events, seqs, a.Now())
}

// ingestAll makes stored events inbox items (or changes of them) whose
// archive records name the deliveries that brought them (seqs, by
// delivery id), and classifies the citizens' texts among them. Events no
// channel owns wait for one.
func (a *App) ingestAll(ctx context.Context, tx *db.Tx, events []intake.Stored, seqs map[int64]int64, now time.Time) error {
	var in []inbox.Incoming
	var scores []score.Result
	for _, e := range events {
		if e.ChannelID == 0 {
			continue
		}
		p, ok := e.Prepared.(prepared)
		if !ok && classifiable(e.Event) {
			p.score = score.Classify(e.Object.Text)
		}
		inc := inbox.Incoming{ChannelID: e.ChannelID, Event: e.Event, SearchText: p.search,
			Source: archive.Source{EventID: e.ID, PlatformEventID: e.EventID, DeliverySeq: seqs[e.DeliveryID]}}
		if classifiable(e.Event) {
			inc.Class = classification(p.score)
		}
		in = append(in, inc)
		scores = append(scores, p.score)
	}
	if len(in) == 0 {
		return nil
	}
	// Each changed citizen's text is retriaged when flagged and meets the
	// channel's rules for criminal content as soon as its event is written,
	// before the events after it: a page's answer takes the class (and
	// secrecy) its question has by then.
	rules := a.Incidents.RulesCache()
	_, err := inbox.IngestBatch(ctx, tx, in, now, func(i int, r inbox.Ingested) error {
		if !r.Changed || in[i].Class == nil {
			return nil
		}
		if len(in[i].Class.Flags) > 0 {
			// A flagged item is registered (the archive's triage rules say
			// so).
			if err := archive.RetriageTx(ctx, tx, r.ItemID, now); err != nil {
				return err
			}
		}
		return rules.ApplyTx(ctx, tx, incident.Classified{ItemID: r.ItemID, ChannelID: in[i].ChannelID, Result: scores[i]})
	})
	return err
}

// classifiable is a citizen's text: the page's own are not scored.
func classifiable(ev platform.Event) bool {
	return !ev.Object.Author.IsPage && ev.Object.Text != ""
}

// classification is what the inbox keeps of a text's scores: its tone
// (positive comments are answered too, and counted) and any criminal or
// offensive content, flagged for review.
func classification(r score.Result) *inbox.Classification {
	c := &inbox.Classification{Sentiment: r.Sentiment.Label}
	for _, f := range r.Flags {
		c.Flags = append(c.Flags, f.String())
	}
	return c
}
