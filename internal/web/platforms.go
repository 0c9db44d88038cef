package web

import (
	"net/http"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/credential"
	"tilltal/internal/intake"
	"tilltal/internal/platform"
	"tilltal/internal/platform/linkedin"
	"tilltal/internal/platform/meta"
)

// versionWarnDays is how long before a platform API version's end the admin
// page warns.
const versionWarnDays = 90

type apiVersion struct {
	Platform, Version string
	Sunset            time.Time
	DaysLeft          int
	Warn              bool
	Message           string
}

type platformsData struct {
	Versions    []apiVersion
	Credentials []credential.Credential
	Unrouted    []intake.UnroutedAccount
	Failed      []intake.RawDelivery
	Error       string
}

// platformsPage is the communicator's view of the connections: API
// versions and their end dates, every channel's token and its state,
// events for accounts no channel owns, and deliveries that could not be
// read.
func (s *Server) platformsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showPlatforms(w, r, http.StatusOK, "")
}

func (s *Server) showPlatforms(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	ctx := r.Context()
	now := s.Now()
	d := platformsData{Error: problem}
	days := int(meta.VersionSunset.Sub(now).Hours() / 24)
	d.Versions = append(d.Versions, apiVersion{Platform: "Meta Graph API", Version: meta.Version, Sunset: meta.VersionSunset, DaysLeft: days, Warn: days < versionWarnDays})
	li := linkedin.VersionStatus(now)
	d.Versions = append(d.Versions, apiVersion{Platform: "LinkedIn-Version", Version: li.Version, Sunset: li.Sunset, DaysLeft: li.DaysLeft, Warn: li.Warn, Message: li.Message})
	var err error
	if d.Credentials, err = s.Credentials.List(ctx); err != nil {
		return err
	}
	if d.Unrouted, err = s.Intake.UnroutedAccounts(ctx); err != nil {
		return err
	}
	if d.Failed, err = s.Intake.Deliveries(ctx, true, 50); err != nil {
		return err
	}
	s.renderStatus(w, r, status, "platforms", d)
	return nil
}

// platformToken stores a new token for a channel: the reconnect after a
// token died (a password change, a removed role) or the first connection.
func (s *Server) platformToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	c := platform.Credentials{AccessToken: strings.TrimSpace(r.PostFormValue("access_token")), RefreshToken: strings.TrimSpace(r.PostFormValue("refresh_token"))}
	if v := strings.TrimSpace(r.PostFormValue("expires")); v != "" {
		t, err := dateParam(v)
		if err != nil {
			return s.showPlatforms(w, r, http.StatusUnprocessableEntity, apperr.Message(err))
		}
		c.ExpiresAt = t
	}
	if err := s.Credentials.Connect(r.Context(), id, c); err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return err
		}
		return s.showPlatforms(w, r, statusOf(apperr.KindOf(err)), apperr.Message(err))
	}
	return redirect(w, r, "/admin/plattformar?ok=1")
}
