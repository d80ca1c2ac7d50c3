package mercadolivre

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// refreshBefore is how long before the six-hour access token ends it is
// renewed.
const refreshBefore = 30 * time.Minute

func appOf(ch store.Channel) (channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	if s.String(keyAppID) == "" || s.String(keyAppSecret) == "" {
		return nil, &channels.FieldError{Field: "settings." + keyAppID, Reason: "the Mercado Livre app's id and secret key are needed to connect"}
	}
	return s, nil
}

// AuthorizeURL is Mercado Livre's consent screen, with PKCE (S256).
func (a *Adapter) AuthorizeURL(ch store.Channel, flow channels.OAuthFlow) (string, error) {
	s, err := appOf(ch)
	if err != nil {
		return "", err
	}
	base := a.AuthURL
	if base == "" {
		base = DefaultAuthURL
	}
	q := url.Values{"response_type": {"code"}, "client_id": {s.String(keyAppID)}, "redirect_uri": {flow.RedirectURI}, "state": {flow.State},
		"code_challenge": {flow.Challenge()}, "code_challenge_method": {"S256"}}
	return base + "?" + q.Encode(), nil
}

// Exchange trades the code (and the PKCE verifier) for the tokens and
// learns the seller's id.
func (a *Adapter) Exchange(ctx context.Context, ch store.Channel, flow channels.OAuthFlow, code string) (channels.Settings, error) {
	s, err := appOf(ch)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {s.String(keyAppID)}, "client_secret": {s.String(keyAppSecret)},
		"code": {code}, "redirect_uri": {flow.RedirectURI}}
	if flow.Verifier != "" {
		form.Set("code_verifier", flow.Verifier)
	}
	set, err := a.token(ctx, form)
	if err == nil && set.String(keyRefreshToken) == "" {
		return nil, &channels.PermanentError{Reason: "Mercado Livre sent no refresh token: enable offline access (offline_access) in the app's scopes and connect again, or the connection ends in six hours", Reauth: true}
	}
	return set, err
}

// RefreshAt is half an hour before the access token ends.
func (a *Adapter) RefreshAt(ch store.Channel, now time.Time) time.Time {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil || s.String(keyRefreshToken) == "" {
		return time.Time{}
	}
	exp, err := time.Parse(time.RFC3339, s.String(keyTokenExpires))
	if err != nil {
		return now
	}
	return exp.Add(-refreshBefore)
}

// RefreshToken renews the access token. Mercado Livre's refresh tokens
// are single-use: the new one comes with the answer and is stored with
// the access token in one write; one lost (a refresh answered but not
// stored) means connecting again, which the refusal says.
func (a *Adapter) RefreshToken(ctx context.Context, ch store.Channel) (channels.Settings, error) {
	s, err := appOf(ch)
	if err != nil {
		return nil, err
	}
	if s.String(keyRefreshToken) == "" {
		return nil, &channels.PermanentError{Reason: "the Mercado Livre account has no refresh token: connect it again", Reauth: true}
	}
	return a.token(ctx, url.Values{"grant_type": {"refresh_token"}, "client_id": {s.String(keyAppID)}, "client_secret": {s.String(keyAppSecret)},
		"refresh_token": {s.String(keyRefreshToken)}})
}

// token calls POST /oauth/token and answers the settings to store.
func (a *Adapter) token(ctx context.Context, form url.Values) (channels.Settings, error) {
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
		UserID       int64  `json:"user_id"`
		Error        string `json:"error"`
		Message      string `json:"message"`
	}
	status, err := channels.PostTokenForm(ctx, a.client(), a.apiURL()+"/oauth/token", form, &t)
	if err != nil {
		return nil, fmt.Errorf("Mercado Livre: %w", err)
	}
	switch {
	case status >= 500 || status == http.StatusTooManyRequests:
		return nil, fmt.Errorf("Mercado Livre's token endpoint answered %d: %s", status, t.Message)
	case t.Error == "invalid_grant":
		return nil, &channels.PermanentError{Reason: "Mercado Livre refused the authorization (" + t.Message + "): it was revoked, expired, or its single-use refresh token was already used — connect the account again", Reauth: true}
	case status >= 400 || t.AccessToken == "":
		return nil, &channels.PermanentError{Reason: fmt.Sprintf("Mercado Livre refused the token request (%d %s: %s)", status, t.Error, t.Message), Reauth: true}
	}
	set := channels.Settings{keyAccessToken: t.AccessToken,
		keyTokenExpires: time.Now().Add(time.Duration(t.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)}
	if t.RefreshToken != "" {
		set[keyRefreshToken] = t.RefreshToken
	}
	if t.UserID != 0 {
		set[keyUserID] = strconv.FormatInt(t.UserID, 10)
	}
	return set, nil
}
