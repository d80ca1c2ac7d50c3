// Package meta holds what Meta's messaging products (WhatsApp Cloud API,
// Messenger, Instagram) share: the Graph API client with a configurable
// base URL and version, its error format, the webhook verification
// handshake and the X-Hub-Signature-256 check.
package meta

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// Defaults of the Graph API.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v25.0"
)

// HeaderSignature carries sha256=<hex HMAC-SHA256(app secret, raw body)>.
const HeaderSignature = "X-Hub-Signature-256"

// VerifySignature checks a webhook's signature over the raw body, in
// constant time.
func VerifySignature(appSecret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok || appSecret == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// Sign is the header value Meta sends for body (tests, local tools).
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Challenge answers Meta's verification request
// (GET ?hub.mode=subscribe&hub.challenge=X&hub.verify_token=Y): the raw
// challenge when the token matches, else an AuthError (403 is what Meta
// expects; 401 refuses it just the same).
func Challenge(q url.Values, verifyToken string) (*channels.Reply, error) {
	if q.Get("hub.mode") != "subscribe" || verifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return nil, &channels.AuthError{Reason: "wrong or missing hub.verify_token"}
	}
	return &channels.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(q.Get("hub.challenge"))}, nil
}

// Error is a Graph API error: {"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}.
type Error struct {
	Status  int    `json:"-"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    int    `json:"code"`
	Subcode int    `json:"error_subcode"`
	Data    struct {
		Details string `json:"details"`
	} `json:"error_data"`
	FBTrace string `json:"fbtrace_id"`
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("Meta error %d: %s", e.Code, e.Message)
	if e.Data.Details != "" {
		msg += " (" + e.Data.Details + ")"
	}
	return msg
}

// Token errors: the channel needs re-authorization.
const CodeTokenInvalid = 190

// Client calls the Graph API with a token.
type Client struct {
	BaseURL string // "" is DefaultBaseURL
	Version string // "" is DefaultVersion
	Token   string
	HTTP    *http.Client
}

func (c Client) url(path string) string {
	base, v := c.BaseURL, c.Version
	if base == "" {
		base = DefaultBaseURL
	}
	if v == "" {
		v = DefaultVersion
	}
	return strings.TrimRight(base, "/") + "/" + v + "/" + strings.TrimLeft(path, "/")
}

func (c Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// Do sends a request (body JSON-encoded unless it is an io.Reader with
// contentType) and decodes a 2xx answer into out; other answers become
// *Error.
func (c Client) Do(ctx context.Context, method, path string, body any, contentType string, out any) error {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case io.Reader:
		r = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		r, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path), r)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := c.client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var wrapped struct {
			Error *Error `json:"error"`
		}
		if json.Unmarshal(raw, &wrapped) == nil && wrapped.Error != nil {
			wrapped.Error.Status = res.StatusCode
			return wrapped.Error
		}
		return &Error{Status: res.StatusCode, Message: fmt.Sprintf("HTTP %d: %s", res.StatusCode, bytes.TrimSpace(raw[:min(len(raw), 300)]))}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// Download fetches a media URL Meta handed out, with the token.
func (c Client) Download(ctx context.Context, mediaURL string, limit int64) ([]byte, error) {
	data, _, err := c.get(ctx, mediaURL, limit)
	return data, err
}

// get fetches a URL (with the token, when the client has one) and answers
// its bytes and content type.
func (c Client) get(ctx context.Context, rawURL string, limit int64) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", &channels.PermanentError{Reason: "the file's URL is invalid: " + err.Error()}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.client().Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusGone:
		return nil, "", &channels.PermanentError{Reason: fmt.Sprintf("the file is no longer available at Meta (%d)", res.StatusCode)}
	case res.StatusCode != http.StatusOK:
		return nil, "", fmt.Errorf("media download answered %d", res.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > limit {
		return nil, "", &channels.PermanentError{Reason: fmt.Sprintf("the file is larger than %d MiB", limit>>20)}
	}
	return data, res.Header.Get("Content-Type"), nil
}
