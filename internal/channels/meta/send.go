package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// MaxMessengerText is the Send API's limit on a message's text
// (Messenger and Instagram).
const MaxMessengerText = 2000

// Recipient addresses a Send API message: a person's scoped id, or a
// comment to answer privately (Instagram's private replies).
type Recipient struct {
	ID        string `json:"id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
}

// SendRequest is one Send API message.
type SendRequest struct {
	Recipient Recipient
	// HumanAgent tags the message HUMAN_AGENT (allowed up to 7 days
	// after the customer's last message, with Meta's approval);
	// otherwise it is a RESPONSE inside the 24-hour window.
	HumanAgent bool
	Text       string
	// File is sent as an attachment uploaded with the request.
	File *channels.OutboundFile
	Data []byte
	// URL: the provider fetches the file from there instead (Instagram).
	URL string
	// MessageID is ours: echoed back in the message's metadata
	// (Messenger; Instagram documents no metadata).
	MessageID string
	// NoResponseType leaves messaging_type out unless the message is
	// tagged (Instagram's documented body has none).
	NoResponseType bool
}

// Send posts a message to path ({PAGE_ID}/messages, me/messages) and
// answers Meta's message id.
func (c Client) Send(ctx context.Context, path string, r SendRequest) (string, error) {
	msg := map[string]any{}
	if r.MessageID != "" {
		msg["metadata"] = EchoMetadata + r.MessageID
	}
	kind := "RESPONSE"
	if r.HumanAgent {
		kind = "MESSAGE_TAG"
	}
	var ans struct {
		MessageID string `json:"message_id"`
	}
	if r.File == nil || r.URL != "" {
		if r.File == nil {
			msg["text"] = r.Text
		} else {
			msg["attachment"] = map[string]any{"type": AttachmentType(r.File.ContentType), "payload": map[string]any{"url": r.URL}}
		}
		body := map[string]any{"recipient": r.Recipient, "message": msg}
		if !r.NoResponseType || r.HumanAgent {
			body["messaging_type"] = kind
		}
		if r.HumanAgent {
			body["tag"] = "HUMAN_AGENT"
		}
		err := c.Do(ctx, http.MethodPost, path, body, "", &ans)
		return ans.MessageID, err
	}
	// A file goes up with the message as multipart form data: recipient
	// and message as JSON fields, the bytes as filedata.
	msg["attachment"] = map[string]any{"type": AttachmentType(r.File.ContentType), "payload": map[string]any{"is_reusable": false}}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	recipient, _ := json.Marshal(r.Recipient)
	message, _ := json.Marshal(msg)
	_ = w.WriteField("recipient", string(recipient))
	_ = w.WriteField("message", string(message))
	_ = w.WriteField("messaging_type", kind)
	if r.HumanAgent {
		_ = w.WriteField("tag", "HUMAN_AGENT")
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename=%q`, r.File.Name))
	h.Set("Content-Type", r.File.ContentType)
	part, err := w.CreatePart(h)
	if err != nil {
		return "", err
	}
	_, _ = part.Write(r.Data)
	if err := w.Close(); err != nil {
		return "", err
	}
	err = c.Do(ctx, http.MethodPost, path, &buf, w.FormDataContentType(), &ans)
	return ans.MessageID, err
}

// AttachmentType is the Send API's attachment type of a file.
func AttachmentType(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "image/"):
		return "image"
	case strings.HasPrefix(contentType, "audio/"):
		return "audio"
	case strings.HasPrefix(contentType, "video/"):
		return "video"
	}
	return "file"
}

// MarkSeen tells the customer their messages were read (sender_action
// mark_seen).
func (c Client) MarkSeen(ctx context.Context, path, customer string) error {
	body := map[string]any{"recipient": Recipient{ID: customer}, "sender_action": "mark_seen"}
	return c.Do(ctx, http.MethodPost, path, body, "", nil)
}

// Error codes and subcodes of the Send API.
const (
	codeRateLimit     = 4     // the app's calls
	codePageRateLimit = 32    // the page's calls
	codeUserRateLimit = 17    // the user's calls
	codeSendRate      = 613   // calls within a short time
	codeOutOfWindow   = 10    // with the subcodes below: outside the window
	codeUnavailable   = 551   // the person is not available right now
	codeNoUser        = 100   // with subcode 2018001: no such recipient
	codeLimit         = 80007 // Instagram: the account's rate limit
)

var windowSubcodes = map[int]bool{2018278: true, 2534022: true, 2018108: true}

// SendError maps a Graph API refusal of a send or call: a bad token asks
// for re-authorization, rate limits wait, the closed window names what
// the agent can do, other refusals fail the message with Meta's reason,
// and the rest (network, 5xx) is retried.
func SendError(product string, err error) error {
	var me *Error
	if !errors.As(err, &me) {
		return err
	}
	switch {
	case me.Code == CodeTokenInvalid:
		return &channels.PermanentError{Reason: product + " refused the access token (expired or revoked): reconnect the channel", Reauth: true}
	case me.Code == codeRateLimit || me.Code == codeLimit || me.Code == codePageRateLimit:
		return &channels.RetryAfterError{After: time.Minute, Reason: me.Error()}
	case me.Code == codeSendRate || me.Code == codeUserRateLimit:
		return &channels.RetryAfterError{After: 10 * time.Second, Reason: me.Error()}
	case me.Code == codeOutOfWindow && (windowSubcodes[me.Subcode] || me.Subcode == 0):
		return &channels.PermanentError{Reason: "the 24-hour window is closed: the customer must write again (or enable Meta's human-agent tag on the channel) [" + me.Error() + "]"}
	case me.Code == codeUnavailable:
		return &channels.PermanentError{Reason: "the person cannot receive messages right now (blocked the account or deactivated) [" + me.Error() + "]"}
	case me.Code == codeNoUser && me.Subcode == 2018001:
		return &channels.PermanentError{Reason: "Meta knows no such recipient on this account [" + me.Error() + "]"}
	}
	if me.Status >= 400 && me.Status < 500 && me.Status != http.StatusRequestTimeout && me.Status != http.StatusTooManyRequests {
		return &channels.PermanentError{Reason: product + " refused the message: " + me.Error()}
	}
	return err
}

// ActivationError maps a refusal during activation: 4xx answers are shown
// on the step (a bad token asking for re-authorization); the rest is
// retried.
func ActivationError(err error) error {
	var me *Error
	if errors.As(err, &me) && me.Status >= 400 && me.Status < 500 && me.Status != http.StatusTooManyRequests {
		return &channels.PermanentError{Reason: me.Error(), Reauth: me.Code == CodeTokenInvalid}
	}
	return err
}
