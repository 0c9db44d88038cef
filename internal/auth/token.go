package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// TokenPrefix starts every API token, so that a leaked one is recognisable
// by secret scanners.
const TokenPrefix = "tilltal_"

// Token is an API token as listed; the token itself is shown once, at
// creation, and stored only as a hash.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// ErrBadToken is the answer to an unknown or revoked API token.
var ErrBadToken = &apperr.Error{Kind: apperr.Unauthorized, Message: "Ogiltig eller återkallad API-nyckel"}

// CreateToken makes an API token for a user and returns it in plain text.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if len(name) > 100 {
		return "", Token{}, apperr.Invalidf("Namnet på nyckeln är för långt")
	}
	plain, hash := newSecret(TokenPrefix)
	now := s.Now()
	t := Token{UserID: userID, Name: name, Prefix: plain[:len(TokenPrefix)+6], CreatedAt: now}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
			userID, name, hash, t.Prefix, now)
		if db.IsForeignKeyViolation(err) {
			return apperr.NotFoundf("Användaren finns inte")
		}
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		t.ID = id
		return audit.Record(ctx, tx, now, audit.Entry{Action: "token.create", ObjectType: "api_token", ObjectID: audit.ID(id), Summary: name,
			Detail: map[string]any{"user_id": userID, "prefix": t.Prefix}})
	})
	return plain, t, err
}

// Tokens lists a user's tokens.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of a user's tokens.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", now, tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Nyckeln finns inte eller är redan återkallad")
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "token.revoke", ObjectType: "api_token", ObjectID: audit.ID(tokenID)})
	})
}

// tokenUseResolution is how stale a token's last_used_at may get before a
// use records it again.
const tokenUseResolution = time.Minute

// Bearer resolves an API token to its principal.
func (s *Service) Bearer(ctx context.Context, token string) (*Principal, *Token, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return nil, nil, ErrBadToken
	}
	var t Token
	var lastUsed sql.NullTime
	err := s.DB.QueryRow(ctx, "SELECT id, user_id, name, prefix, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", HashToken(token)).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: bearer: %w", err)
	}
	p, err := s.Principal(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !p.User.Active {
		return nil, nil, ErrBadToken
	}
	p.Via = "token"
	// "Last used" is shown to the person to the minute; writing it on every
	// call would put a write on the database for each API read.
	if now := s.Now(); !lastUsed.Valid || now.Sub(lastUsed.Time) >= tokenUseResolution {
		_, _ = s.DB.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, t.ID)
	}
	return p, &t, nil
}
