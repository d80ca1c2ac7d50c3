// Package mercadolivre is the Mercado Livre channel: buyers' questions on
// the seller's listings, answered from the inbox. Each buyer's questions
// on a listing are one conversation threaded by the listing, with its
// title, photo, price and link. The seller connects by OAuth (PKCE); the
// six-hour access token is renewed by the token-refresh workflow, which
// stores each rotated refresh token. Notifications are answered at once
// and the question read in the background; missed feeds and unanswered
// questions are read periodically, so nothing a lost notification carried
// is missed.
package mercadolivre

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Defaults of Mercado Livre's hosts (Brazil).
const (
	DefaultAPIURL  = "https://api.mercadolibre.com"
	DefaultAuthURL = "https://auth.mercadolivre.com.br/authorization"
)

// MaxAnswer is the longest answer Mercado Livre takes.
const MaxAnswer = 2000

// Settings keys.
const (
	keyAppID        = "app_id"
	keyAppSecret    = "app_secret"
	keyAccessToken  = "access_token"
	keyRefreshToken = "refresh_token"
	keyTokenExpires = "token_expires_at"
	keyUserID       = "user_id"
	keyNickname     = "nickname"
)

// Thread keys of listings' questions.
const threadPrefix = "item:"

// Adapter is the Mercado Livre kind.
type Adapter struct {
	APIURL, AuthURL string // "" are DefaultAPIURL and DefaultAuthURL
	HTTP            *http.Client
	// PollInterval is how often missed feeds and unanswered questions are
	// read; 0 is five minutes.
	PollInterval time.Duration

	mu    sync.Mutex
	names map[string]string // buyer id -> nickname
}

// Kind describes Mercado Livre.
func (*Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindMercadoLivre, Label: "Mercado Livre",
		Settings: []channels.Field{
			{Name: keyAppID, Label: "App ID (client id)", Type: channels.FieldText, Required: true,
				Help: "Mercado Livre Developers → Minhas aplicações; redirect URI: this server's /oauth/callback; topic: questions; notifications URL: this channel's /hooks/mercadolivre/<channel>."},
			{Name: keyAppSecret, Label: "Secret key (client secret)", Type: channels.FieldSecret, Required: true},
		},
		Secrets: []string{keyAccessToken, keyRefreshToken},
		Hidden:  []string{keyAccessToken, keyRefreshToken},
		Capabilities: channels.Capabilities{
			Threads: true, Questions: true, AnswersLatest: true, MaxText: MaxAnswer,
		},
	}
}

// Validate checks the app's id.
func (*Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	id := strings.TrimSpace(s.String(keyAppID))
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return nil, &channels.FieldError{Field: "settings." + keyAppID, Reason: "must be the app's numeric id"}
	}
	s[keyAppID] = id
	return s, nil
}

func (a *Adapter) apiURL() string {
	if a.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(a.APIURL, "/")
}

func (a *Adapter) client() *http.Client {
	if a.HTTP == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return a.HTTP
}

// apiError is Mercado Livre's error answer.
type apiError struct {
	Status  int    `json:"status"`
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("Mercado Livre %d %s: %s", e.Status, e.Code, e.Message)
}

// call sends a request with the seller's token and decodes the answer.
func (a *Adapter) call(ctx context.Context, token, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.apiURL()+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		e := &apiError{Status: res.StatusCode}
		_ = json.Unmarshal(raw, e)
		e.Status = res.StatusCode
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("Mercado Livre answered %s %s with unreadable JSON: %w", method, path, err)
	}
	return nil
}

// refusal sorts an API error: a refused token needs connecting again; a
// 4xx is final with Mercado Livre's words; the rest is retried.
func refusal(err error) error {
	var e *apiError
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		return &channels.PermanentError{Reason: "Mercado Livre refused the access token: connect the account again (" + e.Message + ")", Reauth: true}
	case e.Status == http.StatusTooManyRequests:
		return &channels.RetryAfterError{After: 30 * time.Second, Reason: "Mercado Livre asked to slow down"}
	case e.Status >= 400 && e.Status < 500:
		return &channels.PermanentError{Reason: "Mercado Livre refused: " + e.Message}
	}
	return err
}

// token is the channel's access token, or why there is none.
func token(ch store.Channel) (channels.Settings, string, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, "", err
	}
	t := s.String(keyAccessToken)
	if t == "" {
		return s, "", &channels.PermanentError{Reason: "the Mercado Livre account is not connected: use \"Conectar com Mercado Livre\"", Reauth: true}
	}
	return s, t, nil
}

// Activation steps.
const (
	StepVerifyAccount = "verify_account"
	StepWatch         = "watch_questions"
)

// Steps: read the connected account, then watch its questions.
func (*Adapter) Steps(store.Channel) []string { return []string{StepVerifyAccount, StepWatch} }

// RunStep runs one activation step.
func (a *Adapter) RunStep(ctx context.Context, _ channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	_, tok, err := token(ch)
	if err != nil {
		return channels.StepResult{}, err
	}
	switch step {
	case StepVerifyAccount:
		var me struct {
			ID       int64  `json:"id"`
			Nickname string `json:"nickname"`
		}
		if err := a.call(ctx, tok, http.MethodGet, "/users/me", nil, &me); err != nil {
			return channels.StepResult{}, refusal(err)
		}
		return channels.StepResult{Detail: me.Nickname, Set: channels.Settings{keyUserID: strconv.FormatInt(me.ID, 10), keyNickname: me.Nickname}}, nil
	case StepWatch:
		return channels.StepResult{Connect: true}, nil
	}
	return channels.StepResult{}, fmt.Errorf("mercadolivre: no step %q", step)
}

// Deactivate has nothing to undo: notifications go to the app's URL.
func (*Adapter) Deactivate(context.Context, channels.Env, store.Channel) error { return nil }

// notification is what Mercado Livre posts to the app's callback URL.
type notification struct {
	ID            string `json:"_id"`
	Resource      string `json:"resource"`
	UserID        int64  `json:"user_id"`
	Topic         string `json:"topic"`
	ApplicationID int64  `json:"application_id"`
	Attempts      int    `json:"attempts"`
}

// Receive takes a notification: it carries no signature and only names
// the resource, so nothing of it is trusted but the name: the question is
// read from Mercado Livre, with the seller's token, after the answer.
// Notifications of another seller or app, or of topics not handled, are
// answered and dropped.
func (a *Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	if r.Method != http.MethodPost {
		return channels.Batch{}, &channels.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte("ok")}, nil
	}
	var n notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Field: "body", Reason: "not a Mercado Livre notification: " + err.Error()}
	}
	s, _ := channels.ParseSettings(ch.Settings)
	if strconv.FormatInt(n.UserID, 10) != s.String(keyUserID) || strconv.FormatInt(n.ApplicationID, 10) != s.String(keyAppID) {
		return channels.Batch{}, nil, nil
	}
	f, ok := fetchOf(n)
	if !ok {
		return channels.Batch{}, nil, nil
	}
	return channels.Batch{Fetches: []channels.Fetch{f}}, nil, nil
}

// fetchOf is the fetch a questions notification asks for.
func fetchOf(n notification) (channels.Fetch, bool) {
	if n.Topic != "questions" || !strings.HasPrefix(n.Resource, "/questions/") {
		return channels.Fetch{}, false
	}
	key := n.ID
	if key == "" {
		key = strings.TrimPrefix(n.Resource, "/questions/")
	}
	return channels.Fetch{Key: "ml-" + key, Ref: n.Resource}, true
}
