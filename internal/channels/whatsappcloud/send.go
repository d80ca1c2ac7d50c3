package whatsappcloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// MaxTextLen is the Cloud API's limit on a text message's body.
const MaxTextLen = 4096

// sendAnswer is the messages endpoint's answer.
type sendAnswer struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// MarkRead shows the customer the blue ticks: marking the newest message
// read marks every earlier one too.
func (a Adapter) MarkRead(ctx context.Context, ch store.Channel, _ string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	g, s, err := a.graph(ch)
	if err != nil {
		return err
	}
	body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": ids[len(ids)-1]}
	return sendError(g.Do(ctx, http.MethodPost, s.String(keyPhoneNumberID)+"/messages", body, "", nil))
}

// Send delivers an agent's message: the text (as a reply when it answers
// one), then each file uploaded to Meta. Every message carries our id as
// biz_opaque_callback_data, so its statuses find it even if the send's
// answer was lost. The provider id is the first message's wamid.
func (a Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	g, s, err := a.graph(out.Channel)
	if err != nil {
		return "", err
	}
	phone := s.String(keyPhoneNumberID)
	base := func(kind string) map[string]any {
		m := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": out.To, "type": kind,
			"biz_opaque_callback_data": out.MessageID}
		if out.ReplyTo != "" {
			m["context"] = map[string]string{"message_id": out.ReplyTo}
		}
		return m
	}
	first := ""
	send := func(body map[string]any) error {
		var ans sendAnswer
		if err := g.Do(ctx, http.MethodPost, phone+"/messages", body, "", &ans); err != nil {
			return sendError(err)
		}
		if first == "" && len(ans.Messages) > 0 {
			first = ans.Messages[0].ID
		}
		return nil
	}
	if out.Template != nil {
		body := base("template")
		body["template"] = templateMessage(out.Template)
		if err := send(body); err != nil {
			return "", err
		}
		return first, nil
	}
	if text := strings.TrimSpace(out.Text); text != "" {
		if len([]rune(text)) > MaxTextLen {
			return "", &channels.PermanentError{Reason: fmt.Sprintf("WhatsApp messages have at most %d characters", MaxTextLen)}
		}
		body := base("text")
		body["text"] = map[string]any{"body": text, "preview_url": strings.Contains(text, "https://")}
		if err := send(body); err != nil {
			return "", err
		}
	}
	for _, f := range out.Files {
		if out.Open == nil {
			return "", &channels.PermanentError{Reason: "files cannot be read here"}
		}
		data, err := out.Open(ctx, f.ID)
		if err == nil {
			var id string
			if id, err = a.upload(ctx, g, phone, f, data); err == nil {
				kind := mediaType(f.ContentType)
				body := base(kind)
				media := map[string]any{"id": id}
				if kind == "document" {
					media["filename"] = f.Name
				}
				body[kind] = media
				err = send(body)
			}
		}
		if err != nil {
			if first != "" {
				return "", &channels.PermanentError{Reason: "the text was sent, the file " + f.Name + " was not: " + err.Error()}
			}
			return "", err
		}
	}
	if first == "" {
		return "", &channels.PermanentError{Reason: "nothing to send"}
	}
	return first, nil
}

// mediaType is the message type a file is sent as.
func mediaType(contentType string) string {
	switch {
	case contentType == "image/jpeg" || contentType == "image/png":
		return "image"
	case strings.HasPrefix(contentType, "audio/"):
		return "audio"
	case contentType == "video/mp4":
		return "video"
	}
	return "document"
}

// upload posts a file to the number's media endpoint and returns its id.
func (a Adapter) upload(ctx context.Context, g meta.Client, phone string, f channels.OutboundFile, data []byte) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", f.ContentType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.Name))
	h.Set("Content-Type", f.ContentType)
	part, err := w.CreatePart(h)
	if err != nil {
		return "", err
	}
	_, _ = part.Write(data)
	if err := w.Close(); err != nil {
		return "", err
	}
	var ans struct {
		ID string `json:"id"`
	}
	if err := g.Do(ctx, http.MethodPost, phone+"/media", &buf, w.FormDataContentType(), &ans); err != nil {
		return "", sendError(err)
	}
	return ans.ID, nil
}

// sendError maps Meta's errors: the closed window and other refusals fail
// the message with a reason the agent can act on, rate limits wait, a bad
// token asks for re-authorization, and the rest is retried.
func sendError(err error) error {
	var me *meta.Error
	if !errors.As(err, &me) {
		return err
	}
	switch {
	case me.Code == meta.CodeTokenInvalid:
		return &channels.PermanentError{Reason: "Meta refused the access token (expired or revoked): reconnect the channel", Reauth: true}
	case me.Code == 130429: // the number's throughput
		return &channels.RetryAfterError{After: 2 * time.Second, Reason: me.Error()}
	case me.Code == 131056: // too many to the same recipient
		return &channels.RetryAfterError{After: 6 * time.Second, Reason: me.Error()}
	case me.Code == 80007 || me.Code == 4: // the app's or account's rate limit
		return &channels.RetryAfterError{After: time.Minute, Reason: me.Error()}
	}
	if hint, ok := errorHints[me.Code]; ok {
		return &channels.PermanentError{Reason: hint + " [" + me.Error() + "]"}
	}
	if me.Status >= 400 && me.Status < 500 && me.Status != http.StatusRequestTimeout {
		return &channels.PermanentError{Reason: "WhatsApp refused the message: " + me.Error()}
	}
	return err
}

// FetchMedia downloads an inbound file: its URL from GET /{media-id},
// then the file with the token.
func (a Adapter) FetchMedia(ctx context.Context, ch store.Channel, m channels.Media) (channels.File, error) {
	g, _, err := a.graph(ch)
	if err != nil {
		return channels.File{}, err
	}
	var info struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	if err := g.Do(ctx, http.MethodGet, m.Ref, nil, "", &info); err != nil {
		return channels.File{}, sendError(err)
	}
	if info.FileSize > attachments.MaxSize {
		return channels.File{}, &channels.PermanentError{Reason: fmt.Sprintf("the file is larger than %d MiB", attachments.MaxSize>>20)}
	}
	data, err := g.Download(ctx, info.URL, attachments.MaxSize)
	if err != nil {
		return channels.File{}, err
	}
	ct := m.ContentType
	if ct == "" {
		ct = info.MimeType
	}
	return channels.File{Name: m.Name, ContentType: ct, Data: data}, nil
}

// Steps: check the number and token, then subscribe the app to the
// WABA's webhooks (pointing them at this channel when the app has a
// public URL).
func (Adapter) Steps(store.Channel) []string { return []string{StepVerifyNumber, StepSubscribeWABA} }

// RunStep runs one activation step.
func (a Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	g, s, err := a.graph(ch)
	if err != nil {
		return channels.StepResult{}, err
	}
	switch step {
	case StepVerifyNumber:
		var num struct {
			DisplayPhoneNumber string `json:"display_phone_number"`
			VerifiedName       string `json:"verified_name"`
		}
		if err := g.Do(ctx, http.MethodGet, s.String(keyPhoneNumberID)+"?fields=display_phone_number,verified_name,quality_rating", nil, "", &num); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		return channels.StepResult{Detail: strings.TrimSpace(num.DisplayPhoneNumber + " " + num.VerifiedName),
			Set: channels.Settings{keyDisplayPhone: num.DisplayPhoneNumber, keyVerifiedName: num.VerifiedName}}, nil
	case StepSubscribeWABA:
		body := map[string]any{}
		detail := "webhooks go to the Meta app's callback URL"
		mode := ""
		if env.HookURL != "" {
			body = map[string]any{"override_callback_uri": env.HookURL, "verify_token": s.String(keyVerifyToken)}
			detail, mode = env.HookURL, stepWebhookOverride
		}
		if err := g.Do(ctx, http.MethodPost, s.String(keyWABAID)+"/subscribed_apps", body, "", nil); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		return channels.StepResult{Detail: detail, Set: channels.Settings{keyWebhook: mode}}, nil
	}
	return channels.StepResult{}, fmt.Errorf("whatsapp: no step %q", step)
}

// Deactivate points the WABA's webhooks back at the app's own callback
// URL when activation had overridden it.
func (a Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	g, s, err := a.graph(ch)
	if err != nil {
		return err
	}
	if s.String(keyWebhook) != stepWebhookOverride {
		return nil
	}
	return meta.ActivationError(g.Do(ctx, http.MethodPost, s.String(keyWABAID)+"/subscribed_apps", map[string]any{}, "", nil))
}
