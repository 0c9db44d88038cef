package inbox

import (
	"context"
	"strings"

	"tilltal/internal/db"
)

// Classification is what the in-process classifier said of an item's text:
// its tone, and the categories of criminal or offensive content flagged for
// a person to review.
type Classification struct {
	Sentiment string   // "positive", "neutral" or "negative"
	Flags     []string // e.g. "threat", "hate", "harassment"
}

// SetClassification stores an item's tone and flags, in the transaction
// that ingested it.
func SetClassification(ctx context.Context, tx *db.Tx, itemID int64, c Classification) error {
	_, err := tx.Exec(ctx, "UPDATE items SET sentiment = ?, flags = ? WHERE id = ?", c.Sentiment, strings.Join(c.Flags, " "), itemID)
	return err
}
