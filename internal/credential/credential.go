// Package credential keeps each channel's platform tokens, encrypted at rest
// with the secret box and bound to their row, and watches them: a daily job
// asks each platform whether its token still works, warns the channel's
// owner before a token expires, and marks a channel "needs reconnecting"
// when its token has died, so that nothing is sent into the void.
package credential

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
	"tilltal/internal/secret"
)

// Status is a credential's state.
type Status string

// The states of a credential.
const (
	StatusOK             Status = "ok"
	StatusNeedsReconnect Status = "needs_reconnect"
)

// ErrNeedsReconnect is returned for the credentials of a channel whose
// token is dead: a person must connect it again.
var ErrNeedsReconnect = &apperr.Error{Kind: apperr.Conflict, Message: "Kanalen behöver anslutas på nytt innan något kan skickas"}

// Store keeps and checks credentials.
type Store struct {
	DB      *db.DB
	Secrets *secret.Box
	Notify  *notify.Outbox
	// Connectors check tokens, by platform.
	Connectors map[platform.Name]platform.Connector
	Now        func() time.Time
	// WarnBefore is how long before expiry the owner is warned; 14 days
	// by default.
	WarnBefore time.Duration
	// BaseURL starts the links in notifications.
	BaseURL string
	// OnConnect, when set, runs in the transaction that stores a channel's
	// new credentials: the wiring enqueues the back-fill with it.
	OnConnect func(ctx context.Context, tx *db.Tx, channelID int64) error
}

// Credential is what is known of a channel's credentials, without the
// tokens.
type Credential struct {
	ChannelID    int64
	Platform     platform.Name
	ChannelName  string
	AccountID    string
	ExpiresAt    time.Time
	Scopes       []string
	Status       Status
	StatusDetail string
	CheckedAt    time.Time
	ConnectedAt  time.Time
}

func accessAD(channelID int64) string { return fmt.Sprintf("channel_credentials:%d:access", channelID) }
func refreshAD(channelID int64) string {
	return fmt.Sprintf("channel_credentials:%d:refresh", channelID)
}

// Connect stores a channel's tokens (replacing any before) and marks it ok.
func (s *Store) Connect(ctx context.Context, channelID int64, c platform.Credentials) error {
	if strings.TrimSpace(c.AccessToken) == "" {
		return apperr.Invalidf("Åtkomsttoken saknas")
	}
	now := s.Now().UTC()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ch, err := channelOf(ctx, tx, channelID)
		if err != nil {
			return err
		}
		account := c.AccountID
		if account == "" {
			account = ch.externalID
		}
		var refresh any
		if c.RefreshToken != "" {
			refresh = s.Secrets.Seal(c.RefreshToken, refreshAD(channelID))
		}
		_, err = tx.Exec(ctx, `INSERT INTO channel_credentials (channel_id, account_id, access_token_enc, refresh_token_enc, expires_at, status, status_detail, connected_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'ok', '', ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET account_id = excluded.account_id, access_token_enc = excluded.access_token_enc,
				refresh_token_enc = excluded.refresh_token_enc, expires_at = excluded.expires_at, status = 'ok', status_detail = '',
				scopes = '', checked_at = NULL, connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
			channelID, account, s.Secrets.Seal(c.AccessToken, accessAD(channelID)), refresh, nullTime(c.ExpiresAt), now, now)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "credential.connect", ObjectType: "channel", ObjectID: audit.ID(channelID),
			DepartmentID: ch.departmentID, Summary: "Kanalen " + ch.name + " anslöts"}); err != nil {
			return err
		}
		if s.OnConnect != nil {
			return s.OnConnect(ctx, tx, channelID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("credential: connect: %w", err)
	}
	return nil
}

// UpdateTokens stores refreshed tokens (an OAuth2 refresh) without
// changing the credential's status.
func (s *Store) UpdateTokens(ctx context.Context, channelID int64, access, refresh string, expiresAt time.Time) error {
	var refreshEnc any
	if refresh != "" {
		refreshEnc = s.Secrets.Seal(refresh, refreshAD(channelID))
	}
	res, err := s.DB.Exec(ctx, `UPDATE channel_credentials SET access_token_enc = ?, refresh_token_enc = COALESCE(?, refresh_token_enc), expires_at = ?, updated_at = ? WHERE channel_id = ?`,
		s.Secrets.Seal(access, accessAD(channelID)), refreshEnc, nullTime(expiresAt), s.Now().UTC(), channelID)
	if err != nil {
		return fmt.Errorf("credential: update tokens: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("Kanalen har inga sparade inloggningsuppgifter")
	}
	return nil
}

// refreshMargin: an access token that expires within it is refreshed before
// it is used, so that no action is sent with a token about to die.
const refreshMargin = 5 * time.Minute

// Credentials returns what a connector needs to act for the channel, or
// ErrNeedsReconnect when its token is dead. An OAuth2 access token near its
// expiry is refreshed first (LinkedIn, YouTube) and the new one stored.
func (s *Store) Credentials(ctx context.Context, channelID int64) (platform.Credentials, error) {
	c, err := s.stored(ctx, channelID)
	if err != nil || c.RefreshToken == "" || c.ExpiresAt.IsZero() || s.Now().Add(refreshMargin).Before(c.ExpiresAt) {
		return c, err
	}
	return s.refresh(ctx, channelID, c)
}

// refresh trades the refresh token for a new access token through the
// channel's connector. A refused refresh token means the channel must be
// reconnected; a transient failure is returned for the caller to retry.
func (s *Store) refresh(ctx context.Context, channelID int64, c platform.Credentials) (platform.Credentials, error) {
	var name string
	if err := s.DB.QueryRow(ctx, "SELECT platform FROM channels WHERE id = ?", channelID).Scan(&name); err != nil {
		return c, fmt.Errorf("credential: refresh: %w", err)
	}
	r, ok := s.Connectors[platform.Name(name)].(oauth.Refreshable)
	if !ok {
		return c, nil
	}
	next, err := r.RefreshCredentials(ctx, c)
	if platform.IsTokenInvalid(err) {
		if merr := s.MarkNeedsReconnect(ctx, channelID, "Förnyelsetoken godtas inte längre av plattformen"); merr != nil {
			return c, merr
		}
		return platform.Credentials{}, ErrNeedsReconnect
	}
	if err != nil {
		return c, fmt.Errorf("credential: refresh: %w", err)
	}
	if err := s.UpdateTokens(ctx, channelID, next.AccessToken, next.RefreshToken, next.ExpiresAt); err != nil {
		return c, err
	}
	return next, nil
}

// stored returns the credentials as stored.
func (s *Store) stored(ctx context.Context, channelID int64) (platform.Credentials, error) {
	var account, status string
	var access, refresh []byte
	var expires sql.NullTime
	err := s.DB.QueryRow(ctx, "SELECT account_id, access_token_enc, refresh_token_enc, expires_at, status FROM channel_credentials WHERE channel_id = ?", channelID).
		Scan(&account, &access, &refresh, &expires, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return platform.Credentials{}, apperr.NotFoundf("Kanalen är inte ansluten")
	}
	if err != nil {
		return platform.Credentials{}, fmt.Errorf("credential: %w", err)
	}
	if Status(status) != StatusOK {
		return platform.Credentials{}, ErrNeedsReconnect
	}
	c := platform.Credentials{AccountID: account, ExpiresAt: expires.Time}
	if c.AccessToken, err = s.Secrets.Open(access, accessAD(channelID)); err != nil {
		return platform.Credentials{}, fmt.Errorf("credential: channel %d: %w", channelID, err)
	}
	if len(refresh) > 0 {
		if c.RefreshToken, err = s.Secrets.Open(refresh, refreshAD(channelID)); err != nil {
			return platform.Credentials{}, fmt.Errorf("credential: channel %d: %w", channelID, err)
		}
	}
	return c, nil
}

// Get returns what is known of a channel's credentials.
func (s *Store) Get(ctx context.Context, channelID int64) (Credential, error) {
	list, err := s.list(ctx, "WHERE k.channel_id = ?", channelID)
	if err != nil {
		return Credential{}, err
	}
	if len(list) == 0 {
		return Credential{}, apperr.NotFoundf("Kanalen är inte ansluten")
	}
	return list[0], nil
}

// List returns every channel's credential state.
func (s *Store) List(ctx context.Context) ([]Credential, error) { return s.list(ctx, "") }

func (s *Store) list(ctx context.Context, where string, args ...any) ([]Credential, error) {
	rows, err := s.DB.Query(ctx, `SELECT k.channel_id, c.platform, c.name, k.account_id, k.expires_at, k.scopes, k.status, k.status_detail, k.checked_at, k.connected_at
		FROM channel_credentials k JOIN channels c ON c.id = k.channel_id `+where+` ORDER BY k.channel_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("credential: list: %w", err)
	}
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		var c Credential
		var expires, checked sql.NullTime
		var scopes string
		if err := rows.Scan(&c.ChannelID, &c.Platform, &c.ChannelName, &c.AccountID, &expires, &scopes, &c.Status, &c.StatusDetail, &checked, &c.ConnectedAt); err != nil {
			return nil, fmt.Errorf("credential: list: %w", err)
		}
		c.ExpiresAt, c.CheckedAt = expires.Time, checked.Time
		if scopes != "" {
			c.Scopes = strings.Split(scopes, ",")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LogValue keeps credentials out of logs beyond their identity.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("channel_id", c.ChannelID), slog.String("status", string(c.Status)))
}

type channelRow struct {
	name, externalID string
	platform         platform.Name
	departmentID     int64
}

func channelOf(ctx context.Context, tx *db.Tx, id int64) (channelRow, error) {
	var c channelRow
	err := tx.QueryRow(ctx, "SELECT name, external_id, platform, department_id FROM channels WHERE id = ?", id).Scan(&c.name, &c.externalID, &c.platform, &c.departmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("Kanalen finns inte")
	}
	return c, err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
