package apichannel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// Sender delivers agents' messages to the integrator's outbound URL: a
// POST signed with the channel's outbound secret. The message id travels
// as Idempotency-Key, so a delivery retried after a crash is recognised.
type Sender struct {
	HTTP *http.Client
}

// OutboundPayload is the JSON the integrator receives.
type OutboundPayload struct {
	MessageID string    `json:"message_id"`
	ChannelID string    `json:"channel_id"`
	To        string    `json:"to"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	// Files are fetched with GET /hooks/api/<channel>/attachments/<id>
	// and the channel's inbound token.
	Files []channels.OutboundFile `json:"attachments"`
}

// Signature headers; the signature is hex HMAC-SHA256 over
// "<timestamp>.<body>" with the outbound secret.
const (
	HeaderSignature = "X-Chatspot-Signature"
	HeaderTimestamp = "X-Chatspot-Timestamp"
)

// Sign computes the signature header value for a body.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts the message. 2xx delivers it (the provider id is the "id" of
// a JSON answer, else the message id); other 4xx are permanent refusals;
// 5xx, 408, 429 and network errors are retried by the caller.
func (s Sender) Send(ctx context.Context, out channels.Outbound) (string, error) {
	settings, err := ParseSettings(out.Channel.Settings)
	if err != nil || settings.OutboundURL == "" {
		return "", &channels.PermanentError{Reason: "this API channel has no outbound URL configured"}
	}
	if out.Files == nil {
		out.Files = []channels.OutboundFile{}
	}
	body, err := json.Marshal(OutboundPayload{MessageID: out.MessageID, ChannelID: out.Channel.ID, To: out.To, Text: out.Text, CreatedAt: out.CreatedAt, Files: out.Files})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, settings.OutboundURL, bytes.NewReader(body))
	if err != nil {
		return "", &channels.PermanentError{Reason: "outbound URL is invalid: " + err.Error()}
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", out.MessageID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(settings.OutboundSecret, ts, body))
	client := s.HTTP
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("outbound URL unreachable: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		var ack struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(answer, &ack) == nil && ack.ID != "" {
			return ack.ID, nil
		}
		return out.MessageID, nil
	case res.StatusCode == http.StatusRequestTimeout || res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return "", fmt.Errorf("outbound URL answered %d: %s", res.StatusCode, bytes.TrimSpace(answer))
	default:
		return "", &channels.PermanentError{Reason: fmt.Sprintf("outbound URL refused the message (%d): %s", res.StatusCode, bytes.TrimSpace(answer))}
	}
}
