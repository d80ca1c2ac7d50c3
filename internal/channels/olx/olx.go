// Package olx is the OLX PRO chat channel: buyers' messages on the
// business's ads, answered from the inbox. Connected by OAuth with the
// chat scope; activation registers our webhook at OLX and deactivation
// removes it. OLX documents no webhook signature, so the registered URL
// carries an unguessable per-channel secret, checked in constant time.
// Each ad's chat is its own conversation.
package olx

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
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
	"github.com/chatspot/chatspot/internal/store"
)

// Defaults of OLX's hosts.
const (
	DefaultAuthURL = "https://auth.olx.com.br"
	DefaultAPIURL  = "https://apps.olx.com.br"
)

// Scopes asked for.
const Scopes = "basic_user_info chat"

// Settings keys.
const (
	keyClientID      = "client_id"
	keyClientSecret  = "client_secret"
	keyAccessToken   = "access_token"
	keyWebhookSecret = "webhook_secret"
)

// Activation steps.
const StepRegisterWebhook = "register_webhook"

// Adapter is the OLX kind.
type Adapter struct {
	AuthURL, APIURL string // "" are DefaultAuthURL and DefaultAPIURL
	HTTP            *http.Client
}

// Kind describes OLX PRO.
func (*Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindOLX, Label: "OLX PRO",
		Settings: []channels.Field{
			{Name: keyClientID, Label: "Client ID", Type: channels.FieldText, Required: true,
				Help: "From OLX's developer support for OLX PRO accounts; redirect URI: this server's /oauth/callback."},
			{Name: keyClientSecret, Label: "Client secret", Type: channels.FieldSecret, Required: true},
		},
		Secrets:      []string{keyAccessToken, keyWebhookSecret},
		Hidden:       []string{keyAccessToken, keyWebhookSecret},
		Capabilities: channels.Capabilities{Threads: true, AnswersLatest: true},
	}
}

// Validate fills in the webhook URL's secret.
func (*Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	if strings.TrimSpace(s.String(keyClientID)) == "" {
		return nil, &channels.FieldError{Field: "settings." + keyClientID, Reason: "is required"}
	}
	if s.String(keyWebhookSecret) == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		s[keyWebhookSecret] = hex.EncodeToString(b)
	}
	return s, nil
}

func (a *Adapter) authURL() string { return strings.TrimRight(or(a.AuthURL, DefaultAuthURL), "/") }
func (a *Adapter) apiURL() string  { return strings.TrimRight(or(a.APIURL, DefaultAPIURL), "/") }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (a *Adapter) client() *http.Client {
	if a.HTTP == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return a.HTTP
}

// AuthorizeURL is OLX's consent screen with the chat scope.
func (a *Adapter) AuthorizeURL(ch store.Channel, flow channels.OAuthFlow) (string, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return "", err
	}
	if s.String(keyClientID) == "" {
		return "", &channels.FieldError{Field: "settings." + keyClientID, Reason: "the OLX client id and secret are needed to connect"}
	}
	q := url.Values{"client_id": {s.String(keyClientID)}, "redirect_uri": {flow.RedirectURI}, "response_type": {"code"}, "scope": {Scopes}, "state": {flow.State}}
	return a.authURL() + "/oauth?" + q.Encode(), nil
}

// Exchange trades the code (single-use, ten minutes) for the access
// token; OLX documents no refresh or expiry.
func (a *Adapter) Exchange(ctx context.Context, ch store.Channel, flow channels.OAuthFlow, code string) (channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	form := url.Values{"code": {code}, "client_id": {s.String(keyClientID)}, "client_secret": {s.String(keyClientSecret)},
		"redirect_uri": {flow.RedirectURI}, "grant_type": {"authorization_code"}}
	var t struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := channels.PostTokenForm(ctx, a.client(), a.authURL()+"/oauth/token", form, &t)
	switch {
	case err != nil:
		return nil, err
	case status >= 400 || t.AccessToken == "":
		return nil, &channels.PermanentError{Reason: fmt.Sprintf("OLX refused the authorization (%d %s %s): connect again", status, t.Error, t.Description), Reauth: true}
	}
	return channels.Settings{keyAccessToken: t.AccessToken}, nil
}

// do sends a request and decodes a JSON answer into out (when there is
// one), answering the status.
func (a *Adapter) do(req *http.Request, out any) (int, error) {
	req.Header.Set("Accept", "application/json")
	res, err := a.client().Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

// api calls the chat API with the channel's token.
func (a *Adapter) api(ctx context.Context, ch store.Channel, method, path string, body any) (int, string, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return 0, "", err
	}
	if s.String(keyAccessToken) == "" {
		return 0, "", &channels.PermanentError{Reason: "the OLX account is not connected: use \"Conectar com OLX\"", Reauth: true}
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, method, a.apiURL()+path, bytes.NewReader(b))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.String(keyAccessToken))
	var answer map[string]any
	status, err := a.do(req, &answer)
	reason := ""
	for _, k := range []string{"message", "error_description", "error"} {
		if v, ok := answer[k].(string); ok && v != "" {
			reason = v
			break
		}
	}
	return status, reason, err
}

// refusal sorts OLX's answer: 401/403 need connecting again, other 4xx
// are final with OLX's words, 429 and 5xx are retried.
func refusal(status int, reason string) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &channels.PermanentError{Reason: fmt.Sprintf("OLX refused the access token (%d %s): connect the account again", status, reason), Reauth: true}
	case status == http.StatusTooManyRequests:
		return &channels.RetryAfterError{After: 30 * time.Second, Reason: "OLX asked to slow down"}
	case status >= 400 && status < 500:
		return &channels.PermanentError{Reason: fmt.Sprintf("OLX refused the message (%d): %s", status, reason)}
	case status >= 500:
		return fmt.Errorf("OLX answered %d: %s", status, reason)
	}
	return nil
}

// Steps: register our webhook.
func (*Adapter) Steps(store.Channel) []string { return []string{StepRegisterWebhook} }

// RunStep registers the channel's webhook (with its secret) at OLX.
func (a *Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	if step != StepRegisterWebhook {
		return channels.StepResult{}, fmt.Errorf("olx: no step %q", step)
	}
	if env.HookURL == "" {
		return channels.StepResult{}, &channels.PermanentError{Reason: "OLX calls CHATSPOT with each message: set CHATSPOT_BASE_URL to a public https address"}
	}
	s, _ := channels.ParseSettings(ch.Settings)
	hook := env.HookURL + "?" + url.Values{"secret": {s.String(keyWebhookSecret)}}.Encode()
	status, reason, err := a.api(ctx, ch, http.MethodPost, "/autoservice/v1/chat", map[string]string{"webhook": hook})
	if err != nil {
		return channels.StepResult{}, err
	}
	if err := refusal(status, reason); err != nil {
		return channels.StepResult{}, err
	}
	return channels.StepResult{Detail: env.HookURL}, nil
}

// Deactivate removes our webhook at OLX.
func (a *Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	status, reason, err := a.api(ctx, ch, http.MethodDelete, "/autoservice/v1/chat", nil)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return nil // never connected: nothing registered
	}
	if err != nil {
		return err
	}
	if status == http.StatusNotFound || status == http.StatusUnauthorized {
		return nil
	}
	return refusal(status, reason)
}

// inbound is OLX's webhook payload.
type inbound struct {
	ChatID           string          `json:"chatId"`
	Message          string          `json:"message"`
	SenderType       string          `json:"senderType"`
	Email            string          `json:"email"`
	Name             string          `json:"name"`
	Phone            string          `json:"phone"`
	MessageTimestamp json.RawMessage `json:"messageTimestamp"`
	MessageID        string          `json:"messageId"`
	Origin           string          `json:"origin"` // buyer or seller
	ListID           json.RawMessage `json:"listId"`
}

// ThreadKey of an ad's chat: the ad and the chat.
func ThreadKey(listID, chatID string) string { return "ad:" + listID + ":" + chatID }

// Receive checks the URL's secret and takes a chat message. The seller's
// own messages (ours echoed back, or written in OLX's app) are the
// business's: ours are recognised by their id or text.
func (a *Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, _ := channels.ParseSettings(ch.Settings)
	want := s.String(keyWebhookSecret)
	if want == "" || subtle.ConstantTimeCompare([]byte(r.Query.Get("secret")), []byte(want)) != 1 {
		return channels.Batch{}, nil, &channels.AuthError{Reason: "missing or wrong secret in the webhook URL", Field: "secret"}
	}
	var m inbound
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Field: "body", Reason: "not an OLX chat message: " + err.Error()}
	}
	if m.ChatID == "" || m.MessageID == "" {
		return channels.Batch{}, nil, &channels.FieldError{Field: "chatId", Reason: "chatId and messageId are required"}
	}
	list := strings.Trim(string(m.ListID), `"`)
	contact := channels.InboundContact{ExternalID: "chat:" + m.ChatID, Name: m.Name, Phone: m.Phone, Email: strings.ToLower(m.Email)}
	in := channels.Inbound{ChannelID: ch.ID, ExternalID: m.MessageID, Contact: contact, ThreadKey: ThreadKey(list, m.ChatID),
		Text: m.Message, At: timestamp(m.MessageTimestamp), FromBusiness: m.Origin == "seller" || m.SenderType == "seller"}
	if in.FromBusiness {
		// The buyer's details are not the seller's: keep the contact as is.
		in.Contact = channels.InboundContact{ExternalID: contact.ExternalID}
	}
	return channels.Batch{Messages: []channels.Inbound{in}}, nil, nil
}

// timestamp reads OLX's messageTimestamp: ISO 8601, or epoch seconds or
// milliseconds (the format is not documented); zero when unreadable.
func timestamp(raw json.RawMessage) time.Time {
	v := strings.Trim(string(raw), `"`)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 1e12 {
			return time.UnixMilli(n)
		}
		return time.Unix(n, 0)
	}
	return time.Time{}
}

// Send replies in the ad's chat.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	if len(out.Files) > 0 {
		return "", &channels.PermanentError{Reason: "OLX's chat API carries text only"}
	}
	_, chat, ok := strings.Cut(strings.TrimPrefix(out.ThreadKey, "ad:"), ":")
	if !strings.HasPrefix(out.ThreadKey, "ad:") || !ok || chat == "" {
		return "", &channels.PermanentError{Reason: "this conversation is not an OLX ad's chat"}
	}
	status, reason, err := a.api(ctx, out.Channel, http.MethodPost, "/autoservice/v1/chat/send",
		map[string]string{"textMessage": out.Text, "messageId": out.ReplyTo, "chatId": chat})
	if err != nil {
		return "", err
	}
	if err := refusal(status, reason); err != nil {
		return "", err
	}
	return "", nil // OLX answers no id: the echo is matched by its text
}

// ThreadKind names ads' chats.
func (*Adapter) ThreadKind(key string) string {
	if strings.HasPrefix(key, "ad:") {
		return channels.ThreadAd
	}
	return ""
}

// DescribeThread names the ad: OLX's chat API has no ad details, only its
// list id.
func (*Adapter) DescribeThread(_ context.Context, _ store.Channel, key string) (channels.ThreadInfo, error) {
	list, _, _ := strings.Cut(strings.TrimPrefix(key, "ad:"), ":")
	return channels.ThreadInfo{Kind: channels.ThreadAd, Key: key, Title: "Anúncio " + list}, nil
}
