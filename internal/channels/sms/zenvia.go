package sms

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// DefaultZenviaURL is Zenvia's API host.
const DefaultZenviaURL = "https://api.zenvia.com"

// ZenviaSecretHeader carries the secret we gave Zenvia with our
// subscriptions; Zenvia documents no signature.
const ZenviaSecretHeader = "X-Chatspot-Secret"

// zenvia speaks Zenvia's API v2: POST /v2/channels/sms/messages with the
// X-API-TOKEN header, and subscriptions for MESSAGE and MESSAGE_STATUS
// events.
type zenvia struct {
	base string
	http *http.Client
}

func (*zenvia) limits() Limits { return Zenvia }

// zenviaError is Zenvia's error body.
type zenviaError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Code    string `json:"code"`
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"details"`
}

func (e zenviaError) reason(status int) string {
	parts := []string{}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	for _, d := range e.Details {
		parts = append(parts, strings.TrimSpace(d.Path+" "+d.Message))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("answered %d", status)
	}
	return strings.Join(parts, "; ")
}

func (z *zenvia) do(ctx context.Context, s channels.Settings, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(z.base, "/")+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-API-TOKEN", s.String(keyToken))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := z.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		var e zenviaError
		_ = json.Unmarshal(raw, &e)
		return res.StatusCode, statusError("Zenvia", res.StatusCode, e.reason(res.StatusCode), retryAfter(res.Header))
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("Zenvia answered %d with unreadable JSON: %w", res.StatusCode, err)
		}
	}
	return res.StatusCode, nil
}

func (z *zenvia) check(ctx context.Context, s channels.Settings) (string, channels.Settings, error) {
	var subs []json.RawMessage
	if _, err := z.do(ctx, s, http.MethodGet, "/v2/subscriptions", nil, &subs); err != nil {
		return "", nil, err
	}
	return "Zenvia accepted the token; sending as " + s.String(keyFrom), nil, nil
}

type zenviaContent struct {
	Type             string `json:"type"`
	Text             string `json:"text"`
	EncodingStrategy string `json:"encodingStrategy,omitempty"`
}

func (z *zenvia) send(ctx context.Context, s channels.Settings, to, text, _ string) (string, int, error) {
	// Zenvia takes the number's digits, without the +.
	body := map[string]any{"from": strings.TrimPrefix(s.String(keyFrom), "+"), "to": strings.TrimPrefix(to, "+"),
		"contents": []zenviaContent{{Type: "text", Text: text, EncodingStrategy: "AUTO"}}}
	var out struct {
		ID string `json:"id"`
	}
	status, err := z.do(ctx, s, http.MethodPost, "/v2/channels/sms/messages", body, &out)
	if err != nil && status == 0 {
		return "", 0, sendError("Zenvia", err)
	}
	if err != nil {
		return "", 0, err
	}
	if out.ID == "" {
		return "", 0, &channels.PermanentError{Reason: "Zenvia answered no message id"}
	}
	return out.ID, 0, nil // Zenvia reports no segment count: ours stands
}

// subscribe replaces our subscriptions with one for inbound messages and
// one for statuses, both calling the channel's hook with the secret
// header.
func (z *zenvia) subscribe(ctx context.Context, s channels.Settings, hookURL string) (channels.Settings, error) {
	if err := z.unsubscribe(ctx, s); err != nil {
		return nil, err
	}
	webhook := map[string]any{"url": hookURL, "headers": map[string]string{ZenviaSecretHeader: s.String(keyWebhookSecret)}}
	var ids []string
	for _, sub := range []map[string]any{
		{"eventType": "MESSAGE", "webhook": webhook, "criteria": map[string]string{"channel": "sms", "direction": "IN"}, "status": "ACTIVE"},
		{"eventType": "MESSAGE_STATUS", "webhook": webhook, "criteria": map[string]string{"channel": "sms"}, "status": "ACTIVE"},
	} {
		var out struct {
			ID string `json:"id"`
		}
		if _, err := z.do(ctx, s, http.MethodPost, "/v2/subscriptions", sub, &out); err != nil {
			return nil, err
		}
		ids = append(ids, out.ID)
	}
	return channels.Settings{keySubscriptions: strings.Join(ids, ",")}, nil
}

func (z *zenvia) unsubscribe(ctx context.Context, s channels.Settings) error {
	for _, id := range strings.Split(s.String(keySubscriptions), ",") {
		if id == "" {
			continue
		}
		status, err := z.do(ctx, s, http.MethodDelete, "/v2/subscriptions/"+id, nil, nil)
		if err != nil && status != http.StatusNotFound {
			return err
		}
	}
	return nil
}

// zenviaEvent is a MESSAGE or MESSAGE_STATUS event.
type zenviaEvent struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Channel   string `json:"channel"`
	Direction string `json:"direction"`
	Message   struct {
		ID        string `json:"id"`
		From      string `json:"from"`
		To        string `json:"to"`
		Direction string `json:"direction"`
		Visitor   struct {
			Name string `json:"name"`
		} `json:"visitor"`
		Contents []zenviaContent `json:"contents"`
	} `json:"message"`
	MessageID     string `json:"messageId"`
	MessageStatus struct {
		Timestamp   string `json:"timestamp"`
		Code        string `json:"code"`
		Description string `json:"description"`
		Cause       string `json:"cause"`
		Causes      []struct {
			ChannelErrorCode string `json:"channelErrorCode"`
			Reason           string `json:"reason"`
			Details          string `json:"details"`
		} `json:"causes"`
	} `json:"messageStatus"`
}

func (z *zenvia) receive(s channels.Settings, r channels.Request) (channels.Batch, *channels.Reply, error) {
	got := r.Header.Get(ZenviaSecretHeader)
	want := s.String(keyWebhookSecret)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return channels.Batch{}, nil, &channels.AuthError{Reason: "missing or wrong " + ZenviaSecretHeader, Field: ZenviaSecretHeader}
	}
	var ev zenviaEvent
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "not a Zenvia event: " + err.Error()}
	}
	var b channels.Batch
	switch ev.Type {
	case "MESSAGE":
		m := ev.Message
		if (ev.Direction != "" && ev.Direction != "IN") || (m.Direction != "" && m.Direction != "IN") || m.ID == "" {
			return b, nil, nil
		}
		if !ours(s, m.To) {
			return b, nil, nil // another number of the same Zenvia account
		}
		from, ok := E164(m.From)
		if !ok {
			return b, nil, &channels.MalformedError{Reason: "message.from is not a phone number"}
		}
		var text []string
		for _, c := range m.Contents {
			if c.Type == "text" && c.Text != "" {
				text = append(text, c.Text)
			}
		}
		b.Messages = append(b.Messages, channels.Inbound{ExternalID: m.ID, Contact: channels.InboundContact{ExternalID: from, Name: m.Visitor.Name, Phone: from},
			Text: strings.Join(text, "\n"), At: parseTime(ev.Timestamp)})
	case "MESSAGE_STATUS":
		st := ev.MessageStatus
		rc := channels.Receipt{ExternalID: ev.MessageID, At: parseTime(st.Timestamp)}
		switch st.Code {
		case "SENT":
			rc.Status = "sent"
		case "DELIVERED":
			rc.Status = "delivered"
		case "READ":
			rc.Status = "read"
		case "NOT_DELIVERED", "REJECTED":
			rc.Status = "failed"
			reasons := []string{strings.TrimSpace("Zenvia " + st.Code + ": " + st.Description)}
			if st.Cause != "" {
				reasons = append(reasons, st.Cause)
			}
			for _, c := range st.Causes {
				reasons = append(reasons, strings.TrimSpace(c.Reason+" "+c.Details))
			}
			rc.Reason = strings.Join(reasons, "; ")
		default:
			return b, nil, nil
		}
		if rc.ExternalID != "" {
			b.Receipts = append(b.Receipts, rc)
		}
	}
	return b, nil, nil
}

// ours tells whether a message was sent to the channel's number or
// sender: subscriptions are per Zenvia account, which may hold several.
func ours(s channels.Settings, to string) bool {
	from := s.String(keyFrom)
	if to == "" {
		return true
	}
	a, okA := E164(to)
	b, okB := E164(from)
	if okA && okB {
		return a == b
	}
	return strings.EqualFold(strings.TrimSpace(to), strings.TrimSpace(from))
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Now().UTC()
	}
	return t.UTC()
}

func retryAfter(h http.Header) time.Duration {
	var secs int
	if _, err := fmt.Sscanf(h.Get("Retry-After"), "%d", &secs); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	return 0
}
