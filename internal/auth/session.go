package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/org"
)

// Session lifetimes: a session ends after IdleTimeout without use, and in
// any case AbsoluteTimeout after sign-in.
const (
	IdleTimeout     = 8 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
)

// Login throttle: at most maxFailuresPerAccount failed sign-ins per account
// and maxFailuresPerIP per address within throttleWindow.
const (
	throttleWindow        = 15 * time.Minute
	maxFailuresPerAccount = 5
	maxFailuresPerIP      = 30
)

// Service signs people in and out and resolves sessions and tokens. Its
// state lives in the database, so every instance sees the same sessions.
type Service struct {
	DB  *db.DB
	Org *org.Store
	Now func() time.Time
}

// ErrBadCredentials is the one answer to a wrong e-mail or password; which of
// the two was wrong is not told.
var ErrBadCredentials = &apperr.Error{Kind: apperr.Unauthorized, Message: "Fel e-postadress eller lösenord"}

// ErrThrottled is the answer when too many sign-ins failed.
var ErrThrottled = &apperr.Error{Kind: apperr.RateLimited, Message: "För många misslyckade inloggningar. Vänta en kvart och försök igen."}

// ErrSessionExpired is the answer to an unknown or expired session.
var ErrSessionExpired = &apperr.Error{Kind: apperr.Unauthorized, Message: "Din session har gått ut. Logga in igen."}

// NewSessionToken returns a random token for a cookie and its stored hash.
func newSecret(prefix string) (plain, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain)
}

// HashToken is how session ids and API tokens are stored: only the hash, so
// that a copy of the database does not let anyone in.
func HashToken(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}

// Login checks an e-mail and password and opens a session. It returns the
// session token for the cookie.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.checkThrottle(ctx, email, ip); err != nil {
		return "", err
	}
	u, err := s.Org.UserByEmail(ctx, email)
	hash := ""
	if err == nil {
		hash, err = s.Org.PasswordHash(ctx, u.ID)
	}
	if err != nil || hash == "" || !u.Active {
		VerifyPassword(dummyHash, password)
		return "", s.fail(ctx, email, ip)
	}
	if !VerifyPassword(hash, password) {
		return "", s.fail(ctx, email, ip)
	}
	_ = s.Org.TouchLogin(ctx, u.ID)
	return s.CreateSession(ctx, u.ID, "password", ip, userAgent)
}

func (s *Service) fail(ctx context.Context, email, ip string) error {
	now := s.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, key := range []string{"email:" + email, "ip:" + ip} {
			if _, err := tx.Exec(ctx, "INSERT INTO login_attempts (key, at) VALUES (?, ?)", key, now); err != nil {
				return err
			}
		}
		ctx := audit.WithActor(ctx, audit.Actor{Label: "anonym", IP: ip})
		return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.login_failed", ObjectType: "user", Summary: email})
	})
	if err != nil {
		return fmt.Errorf("auth: record failure: %w", err)
	}
	return ErrBadCredentials
}

func (s *Service) checkThrottle(ctx context.Context, email, ip string) error {
	since := s.Now().Add(-throttleWindow)
	var perAccount, perIP int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM login_attempts WHERE key = ? AND at > ?", "email:"+email, since).Scan(&perAccount); err != nil {
		return fmt.Errorf("auth: throttle: %w", err)
	}
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM login_attempts WHERE key = ? AND at > ?", "ip:"+ip, since).Scan(&perIP); err != nil {
		return fmt.Errorf("auth: throttle: %w", err)
	}
	if perAccount >= maxFailuresPerAccount || perIP >= maxFailuresPerIP {
		return ErrThrottled
	}
	return nil
}

// CreateSession opens a session for a user who has proved who they are
// (by password or through OIDC) and returns its token. A new token each
// time: a session id from before sign-in is never reused (no fixation).
func (s *Service) CreateSession(ctx context.Context, userID int64, method, ip, userAgent string) (string, error) {
	plain, hash := newSecret("")
	csrf, _ := newSecret("")
	now := s.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hash, userID, csrf[:43], now, now, now.Add(AbsoluteTimeout), ip, userAgent); err != nil {
			return fmt.Errorf("auth: create session: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", now); err != nil {
			return err
		}
		ctx := audit.WithActor(ctx, audit.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID), IP: ip})
		return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: audit.ID(userID), Summary: method})
	})
	return plain, err
}

// Session resolves a session token to its principal, sliding its idle
// timeout forward.
func (s *Service) Session(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrSessionExpired
	}
	hash := HashToken(token)
	var userID int64
	var csrf string
	var lastSeen, expires time.Time
	err := s.DB.QueryRow(ctx, "SELECT user_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE id_hash = ?", hash).
		Scan(&userID, &csrf, &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("auth: session: %w", err)
	}
	now := s.Now()
	if now.After(expires) || now.Sub(lastSeen) > IdleTimeout {
		_, _ = s.DB.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", hash)
		return nil, ErrSessionExpired
	}
	// Write the sliding timestamp at most once a minute: a page view should
	// not cost a write on SQLite's single writer.
	if now.Sub(lastSeen) > time.Minute {
		_, _ = s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", now, hash)
	}
	p, err := s.Principal(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !p.User.Active {
		return nil, ErrSessionExpired
	}
	p.Via, p.SessionCSRF = "session", csrf
	return p, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", HashToken(token))
	return err
}

// Principal loads a user with what they may see.
func (s *Service) Principal(ctx context.Context, userID int64) (*Principal, error) {
	u, err := s.Org.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	p := &Principal{User: u}
	if len(u.Channels) > 0 {
		rows, err := s.DB.Query(ctx, `SELECT DISTINCT c.department_id FROM channels c JOIN channel_members m ON m.channel_id = c.id WHERE m.user_id = ?`, userID)
		if err != nil {
			return nil, fmt.Errorf("auth: principal: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			p.ChannelDepartments = append(p.ChannelDepartments, id)
		}
	}
	return p, nil
}
