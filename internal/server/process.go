package server

import (
	"context"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/intake"
	"tilltal/internal/moderation/score"
	"tilltal/internal/platform"
)

// ingestConsumer makes what follows from webhook deliveries once they are
// acknowledged, a batch per transaction: each delivery goes into the
// archive as received, and each of its routed events into the inbox (item,
// thread, version and its archive record, search index), classified.
type ingestConsumer struct{ app *App }

// Prepare classifies the texts before the transaction: it is the costliest
// CPU work of an event and needs no lock.
func (c ingestConsumer) Prepare(ds []intake.Unprocessed) {
	for i := range ds {
		for j := range ds[i].Events {
			e := &ds[i].Events[j]
			if e.ChannelID != 0 && classifiable(e.Event) {
				e.Prepared = score.Classify(e.Object.Text)
			}
		}
	}
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
	now := c.app.Now()
	for _, d := range ds {
		seq, err := archive.DeliveryTx(ctx, tx, d.DeliveryID)
		if err != nil {
			return err
		}
		for _, e := range d.Events {
			if err := c.app.ingest(ctx, tx, e, seq, now); err != nil {
				return err
			}
		}
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
	now := a.Now()
	for _, e := range events {
		var seq int64
		if e.DeliveryID != 0 {
			var err error
			if seq, err = archive.DeliveryTx(ctx, tx, e.DeliveryID); err != nil {
				return err
			}
		}
		if err := a.ingest(ctx, tx, e, seq, now); err != nil {
			return err
		}
	}
	return nil
}

// ingest makes one stored event an inbox item (or a change of one) whose
// archive records name the delivery that brought it, and classifies it.
func (a *App) ingest(ctx context.Context, tx *db.Tx, e intake.Stored, deliverySeq int64, now time.Time) error {
	if e.ChannelID == 0 {
		return nil
	}
	src := archive.Source{EventID: e.ID, PlatformEventID: e.EventID, DeliverySeq: deliverySeq}
	res, err := inbox.Ingest(archive.WithSource(ctx, src), tx, e.ChannelID, e.Event, now)
	if err != nil {
		return err
	}
	if !res.Changed || !classifiable(e.Event) {
		return nil
	}
	r, ok := e.Prepared.(score.Result)
	if !ok {
		r = score.Classify(e.Object.Text)
	}
	return a.classify(ctx, tx, e.ChannelID, res.ItemID, r, now)
}

// classifiable is a citizen's text: the page's own are not scored.
func classifiable(ev platform.Event) bool {
	return !ev.Object.Author.IsPage && ev.Object.Text != ""
}

// classify stores the scores of a new or edited citizen text in the
// transaction that stored it: its tone (positive comments are answered
// too, and counted) and any criminal or offensive content, flagged for
// review; then the channel's rules for criminal content act on the scores,
// in the same transaction.
func (a *App) classify(ctx context.Context, tx *db.Tx, channelID, itemID int64, r score.Result, now time.Time) error {
	c := inbox.Classification{Sentiment: r.Sentiment.Label}
	for _, f := range r.Flags {
		c.Flags = append(c.Flags, f.String())
	}
	if err := inbox.SetClassification(ctx, tx, itemID, c); err != nil {
		return err
	}
	if len(c.Flags) > 0 {
		// A flagged item is registered (the archive's triage rules say so).
		if err := archive.RetriageTx(ctx, tx, itemID, now); err != nil {
			return err
		}
	}
	return a.Incidents.ApplyTx(ctx, tx, incident.Classified{ItemID: itemID, ChannelID: channelID, Result: r})
}
