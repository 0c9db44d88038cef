package auth

import (
	"context"
	"net/http"
	"sync"

	"tilltal/internal/apperr"
	"tilltal/internal/config"
)

// LazyOIDC discovers the provider on first use instead of at start, so that
// Tilltal starts (and password sign-in works) while the provider cannot be
// reached; each sign-in through it tries again until discovery succeeds.
type LazyOIDC struct {
	cfg     config.OIDC
	baseURL string
	svc     *Service
	client  *http.Client

	mu   sync.Mutex
	flow *OIDC
}

// NewLazyOIDC prepares a flow that discovers the provider when first used.
func NewLazyOIDC(cfg config.OIDC, baseURL string, svc *Service, client *http.Client) *LazyOIDC {
	return &LazyOIDC{cfg: cfg, baseURL: baseURL, svc: svc, client: client}
}

var errProviderDown = &apperr.Error{Kind: apperr.Unavailable, Message: "Kommunens inloggningstjänst svarar inte just nu. Försök igen om en stund eller logga in med lösenord."}

func (l *LazyOIDC) get(ctx context.Context) (*OIDC, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.flow != nil {
		return l.flow, nil
	}
	f, err := NewOIDC(ctx, l.cfg, l.baseURL, l.svc, l.client)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.Unavailable, Message: errProviderDown.Message, Err: err}
	}
	l.flow = f
	return f, nil
}

// Start begins a sign-in.
func (l *LazyOIDC) Start(ctx context.Context, returnTo string) (string, error) {
	f, err := l.get(ctx)
	if err != nil {
		return "", err
	}
	return f.Start(ctx, returnTo)
}

// Finish completes a sign-in.
func (l *LazyOIDC) Finish(ctx context.Context, state, code string) (int64, string, error) {
	f, err := l.get(ctx)
	if err != nil {
		return 0, "", err
	}
	return f.Finish(ctx, state, code)
}
