package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// Instagram Login (Business Login for Instagram): the consent screen on
// www.instagram.com hands back a code; api.instagram.com exchanges it for
// a short-lived token (about an hour), graph.instagram.com for a
// long-lived one (60 days), refreshed before it expires once it is a day
// old.

// Defaults of Instagram Login's hosts.
const (
	DefaultAuthorizeURL = "https://www.instagram.com/oauth/authorize"
	DefaultAPIURL       = "https://api.instagram.com"
)

// Scopes CHATSPOT asks for: the account, its DMs and its comments.
const Scopes = "instagram_business_basic,instagram_business_manage_messages,instagram_business_manage_comments"

// refreshBefore is how long before expiry the token is refreshed: well
// before its 60 days, with room for days of the provider being down.
const refreshBefore = 10 * 24 * time.Hour

// minTokenAge: Instagram refreshes only tokens at least a day old.
const minTokenAge = 24 * time.Hour

// AuthorizeURL is Instagram's consent screen for the channel's app.
func (a *Adapter) AuthorizeURL(ch store.Channel, flow channels.OAuthFlow) (string, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return "", err
	}
	if s.String(keyAppID) == "" || s.String(keyAppSecret) == "" {
		return "", &channels.FieldError{Field: "settings." + keyAppID, Reason: "the Instagram app's id and secret are needed to connect"}
	}
	base := a.AuthorizeBase
	if base == "" {
		base = DefaultAuthorizeURL
	}
	q := url.Values{"client_id": {s.String(keyAppID)}, "redirect_uri": {flow.RedirectURI}, "response_type": {"code"}, "scope": {Scopes}, "state": {flow.State}}
	return base + "?" + q.Encode(), nil
}

// Exchange turns the code into a long-lived token, and learns its expiry
// and the account's id.
func (a *Adapter) Exchange(ctx context.Context, ch store.Channel, flow channels.OAuthFlow, code string) (channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {s.String(keyAppID)}, "client_secret": {s.String(keyAppSecret)}, "grant_type": {"authorization_code"},
		"redirect_uri": {flow.RedirectURI}, "code": {code}}
	api := a.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/oauth/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	raw, err := a.call(req)
	if err != nil {
		return nil, err
	}
	short, userID, err := shortToken(raw)
	if err != nil {
		return nil, err
	}
	q := url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {s.String(keyAppSecret)}, "access_token": {short}}
	long, err := a.tokenCall(ctx, "access_token?"+q.Encode())
	if err != nil {
		return nil, err
	}
	long[keyUserID] = userID
	return long, nil
}

// RefreshAt is ten days before the token expires; a token of unknown
// expiry (pasted) is refreshed a day after it was stored, to learn it.
func (a *Adapter) RefreshAt(ch store.Channel, now time.Time) time.Time {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil || s.String(keyToken) == "" {
		return time.Time{}
	}
	exp, err := time.Parse(time.RFC3339, s.String(keyTokenExpires))
	if err != nil {
		return now.Add(minTokenAge)
	}
	return exp.Add(-refreshBefore)
}

// RefreshToken trades the long-lived token for a new one of 60 days.
func (a *Adapter) RefreshToken(ctx context.Context, ch store.Channel) (channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	if s.String(keyToken) == "" {
		return nil, &channels.PermanentError{Reason: "the Instagram channel has no token: connect it again", Reauth: true}
	}
	q := url.Values{"grant_type": {"ig_refresh_token"}, "access_token": {s.String(keyToken)}}
	return a.tokenCall(ctx, "refresh_access_token?"+q.Encode())
}

// tokenCall calls one of graph.instagram.com's unversioned token
// endpoints and answers the token and its expiry as settings.
func (a *Adapter) tokenCall(ctx context.Context, pathAndQuery string) (channels.Settings, error) {
	base := a.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+pathAndQuery, nil)
	if err != nil {
		return nil, err
	}
	raw, err := a.call(req)
	if err != nil {
		return nil, err
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(raw, &t); err != nil || t.AccessToken == "" {
		return nil, fmt.Errorf("instagram answered no token: %s", raw[:min(len(raw), 200)])
	}
	out := channels.Settings{keyToken: t.AccessToken}
	if t.ExpiresIn > 0 {
		out[keyTokenExpires] = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	return out, nil
}

// call sends a token request; a refusal is permanent (the manager must
// connect again), other failures are retried.
func (a *Adapter) call(req *http.Request) ([]byte, error) {
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return raw, nil
	}
	reason := oauthReason(raw)
	if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests {
		return nil, &channels.PermanentError{Reason: "Instagram refused: " + reason, Reauth: true}
	}
	return nil, errors.New("Instagram answered " + strconv.Itoa(res.StatusCode) + ": " + reason)
}

// oauthReason reads Instagram's two error shapes: the Graph API's
// {"error":{...}} and Instagram Login's {"error_type","code","error_message"}.
func oauthReason(raw []byte) string {
	var e struct {
		Error   *meta.Error `json:"error"`
		Type    string      `json:"error_type"`
		Message string      `json:"error_message"`
	}
	if json.Unmarshal(raw, &e) == nil {
		if e.Error != nil {
			return e.Error.Error()
		}
		if e.Message != "" {
			return e.Message
		}
	}
	return strings.TrimSpace(string(raw[:min(len(raw), 200)]))
}

// shortToken reads the code exchange's answer: documented as
// {"data":[{"access_token","user_id","permissions"}]}, formerly
// {"access_token","user_id"}.
func shortToken(raw []byte) (token, userID string, err error) {
	type grant struct {
		AccessToken string      `json:"access_token"`
		UserID      json.Number `json:"user_id"`
		Permissions string      `json:"permissions"`
	}
	var ans struct {
		grant
		Data []grant `json:"data"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return "", "", fmt.Errorf("instagram's token answer: %w", err)
	}
	g := ans.grant
	if len(ans.Data) > 0 {
		g = ans.Data[0]
	}
	if g.AccessToken == "" {
		return "", "", errors.New("instagram answered no token")
	}
	if g.Permissions != "" && !strings.Contains(g.Permissions, "instagram_business_manage_messages") {
		return "", "", &channels.PermanentError{Reason: "the account did not allow CHATSPOT to manage its messages: connect again and keep every permission on", Reauth: true}
	}
	return g.AccessToken, g.UserID.String(), nil
}
