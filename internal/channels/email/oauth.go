package email

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// OAuth2 for Gmail and Microsoft 365: the manager consents on the
// provider's screen; the code is traded for an access token (about an
// hour) and a refresh token, and the channel's token-refresh workflow
// renews the access token before it ends. Microsoft rotates the refresh
// token on each use: the new one is stored with the access token.

// Default OAuth endpoints.
const (
	DefaultGoogleAuthURL  = "https://accounts.google.com/o/oauth2/v2/auth"
	DefaultGoogleTokenURL = "https://oauth2.googleapis.com/token"
	DefaultMicrosoftURL   = "https://login.microsoftonline.com"
)

// Scopes asked for: full IMAP and SMTP access to the mailbox.
const (
	GoogleScope    = "https://mail.google.com/"
	MicrosoftScope = "offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send"
)

// refreshBefore is how long before the access token ends it is renewed.
const refreshBefore = 5 * time.Minute

func (a *Adapter) endpoints(c config) (authURL, tokenURL, scope string) {
	if c.Auth == AuthGoogle {
		return or(a.GoogleAuthURL, DefaultGoogleAuthURL), or(a.GoogleTokenURL, DefaultGoogleTokenURL), GoogleScope
	}
	tenant := or(c.Tenant, "common")
	base := strings.TrimRight(or(a.MicrosoftURL, DefaultMicrosoftURL), "/") + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/"
	return base + "authorize", base + "token", MicrosoftScope
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func oauthConfig(ch store.Channel) (config, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return config{}, err
	}
	c := configOf(s)
	if !c.oauth() {
		return c, &channels.FieldError{Field: "settings." + keyAuth, Reason: "this mailbox signs in with a password: choose google or microsoft to connect by OAuth"}
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return c, &channels.FieldError{Field: "settings." + keyClientID, Reason: "the OAuth client's id and secret are needed to connect"}
	}
	return c, nil
}

// AuthorizeURL is the provider's consent screen for the mailbox.
func (a *Adapter) AuthorizeURL(ch store.Channel, flow channels.OAuthFlow) (string, error) {
	c, err := oauthConfig(ch)
	if err != nil {
		return "", err
	}
	authURL, _, scope := a.endpoints(c)
	q := url.Values{"client_id": {c.ClientID}, "redirect_uri": {flow.RedirectURI}, "response_type": {"code"}, "scope": {scope},
		"state": {flow.State}, "login_hint": {c.Username}}
	if c.Auth == AuthGoogle {
		// offline + consent: Google sends a refresh token only then.
		q.Set("access_type", "offline")
		q.Set("prompt", "consent")
	} else {
		q.Set("response_mode", "query")
	}
	return authURL + "?" + q.Encode(), nil
}

// Exchange trades the consent screen's code for the tokens.
func (a *Adapter) Exchange(ctx context.Context, ch store.Channel, flow channels.OAuthFlow, code string) (channels.Settings, error) {
	c, err := oauthConfig(ch)
	if err != nil {
		return nil, err
	}
	_, _, scope := a.endpoints(c)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {flow.RedirectURI}}
	if c.Auth == AuthMicrosoft {
		form.Set("scope", scope)
	}
	set, err := a.token(ctx, c, form)
	if err == nil && set.String(keyRefreshToken) == "" {
		return nil, &channels.PermanentError{Reason: "the provider sent no refresh token: remove CHATSPOT's access in the account's security settings and connect again", Reauth: true}
	}
	return set, err
}

// RefreshAt is a few minutes before the access token ends.
func (a *Adapter) RefreshAt(ch store.Channel, now time.Time) time.Time {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return time.Time{}
	}
	c := configOf(s)
	if !c.oauth() || c.RefreshToken == "" {
		return time.Time{}
	}
	if c.TokenExpires.IsZero() {
		return now
	}
	return c.TokenExpires.Add(-refreshBefore)
}

// RefreshToken renews the access token (and Microsoft's rotated refresh
// token). A refused refresh token means connecting again.
func (a *Adapter) RefreshToken(ctx context.Context, ch store.Channel) (channels.Settings, error) {
	c, err := oauthConfig(ch)
	if err != nil {
		return nil, err
	}
	if c.RefreshToken == "" {
		return nil, &channels.PermanentError{Reason: "the mailbox has no refresh token: connect it again", Reauth: true}
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.RefreshToken}}
	if c.Auth == AuthMicrosoft {
		_, _, scope := a.endpoints(c)
		form.Set("scope", scope)
	}
	return a.token(ctx, c, form)
}

// token calls the token endpoint and answers the settings to store.
func (a *Adapter) token(ctx context.Context, c config, form url.Values) (channels.Settings, error) {
	_, tokenURL, _ := a.endpoints(c)
	form.Set("client_id", c.ClientID)
	form.Set("client_secret", c.ClientSecret)
	httpClient := a.HTTP
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	var answer struct {
		AccessToken      string `json:"access_token"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        int    `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	status, err := channels.PostTokenForm(ctx, httpClient, tokenURL, form, &answer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Auth, err)
	}
	switch {
	case answer.Error == "invalid_grant" || answer.Error == "invalid_client" || answer.Error == "unauthorized_client":
		return nil, &channels.PermanentError{Reason: fmt.Sprintf("%s refused the sign-in (%s: %s): connect the mailbox again", c.Auth, answer.Error, answer.ErrorDescription), Reauth: true}
	case status >= 500 || status == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%s token endpoint answered %d: %s", c.Auth, status, answer.Error)
	case answer.Error != "" || answer.AccessToken == "":
		return nil, &channels.PermanentError{Reason: fmt.Sprintf("%s refused the token request (%d %s: %s)", c.Auth, status, answer.Error, answer.ErrorDescription)}
	}
	set := channels.Settings{keyAccessToken: answer.AccessToken}
	if answer.ExpiresIn > 0 {
		set[keyTokenExpires] = time.Now().Add(time.Duration(answer.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	if answer.RefreshToken != "" {
		set[keyRefreshToken] = answer.RefreshToken
	}
	return set, nil
}
