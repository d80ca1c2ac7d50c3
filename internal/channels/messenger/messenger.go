// Package messenger is the Facebook Messenger channel: a Facebook Page's
// inbox. Meta calls /hooks/messenger/<channel> with the page's messaging
// events (messages, echoes, reads, deliveries, reactions, edits), signed
// with the Meta app's secret; agents' messages go out through the Send
// API with the page's token. Messenger carries private messages only:
// the page's post comments are not part of it.
package messenger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// Settings keys.
const (
	keyPageID      = "page_id"
	keyToken       = "access_token" // secret: the page's token
	keyAppID       = "app_id"
	keyAppSecret   = "app_secret" // secret: signs every webhook
	keyVerifyToken = meta.KeyVerifyToken
	keyHumanAgent  = meta.KeyHumanAgent
	keyPageName    = "page_name"
)

// Activation steps.
const (
	StepVerifyPage = "verify_page"
	StepSubscribe  = "subscribe_page"
)

// subscribedFields are the page's webhook fields CHATSPOT reads.
const subscribedFields = "messages,message_echoes,message_deliveries,message_reads,message_reactions,message_edits,messaging_postbacks"

// Adapter is the Messenger channel kind.
type Adapter struct {
	BaseURL   string // the Graph API's; "" is meta.DefaultBaseURL
	Version   string // "" is meta.DefaultVersion
	DialogURL string // Facebook Login's consent screen host; "" is DefaultDialogURL
	HTTP      *http.Client
	names     meta.Names
}

// Kind describes Messenger.
func (*Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindMessenger, Label: "Facebook Messenger",
		Settings: []channels.Field{
			{Name: keyPageID, Label: "Page ID", Type: channels.FieldText,
				Help: "The Facebook Page's id (Page → About → Page transparency); filled in by \"Connect with Facebook\" when the account has one page."},
			{Name: keyToken, Label: "Page access token", Type: channels.FieldSecret,
				Help: "Filled in by \"Connect with Facebook\". Or paste a long-lived page token with pages_messaging and pages_manage_metadata."},
			{Name: keyAppID, Label: "App ID", Type: channels.FieldText, Required: true,
				Help: "The Meta app CHATSPOT sends through: its echoes are recognised as CHATSPOT's own."},
			{Name: keyAppSecret, Label: "App secret", Type: channels.FieldSecret, Required: true,
				Help: "Meta app → App settings → Basic; every webhook is checked against it."},
			meta.VerifyTokenField,
			meta.HumanAgentField,
		},
		Capabilities: channels.Capabilities{
			Window: meta.Window, HumanAgentWindow: meta.HumanAgentWindow,
			Media:    []string{channels.MediaImage, channels.MediaAudio, channels.MediaVideo, channels.MediaDocument},
			Receipts: true, Reactions: true, Edits: true,
		},
	}
}

// Validate checks the ids' shape and fills in a verify token.
func (*Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	if err := meta.ValidateIDs(s, keyAppID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.String(keyPageID)) != "" {
		if err := meta.ValidateIDs(s, keyPageID); err != nil {
			return nil, err
		}
	}
	meta.EnsureVerifyToken(s, keyVerifyToken)
	return s, nil
}

func (a *Adapter) graph(ch store.Channel) (meta.Client, channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return meta.Client{}, nil, err
	}
	if s.String(keyToken) == "" || s.String(keyPageID) == "" {
		return meta.Client{}, nil, &channels.PermanentError{Reason: "the Messenger channel is not connected to a page: connect with Facebook", Reauth: true}
	}
	return meta.Client{BaseURL: a.BaseURL, Version: a.Version, Token: s.String(keyToken), HTTP: a.HTTP}, s, nil
}

// Receive answers Meta's verification request and parses signed POSTs of
// the page object.
func (a *Adapter) Receive(ctx context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, n, reply, err := meta.ReceiveSigned(ch, r, keyVerifyToken, keyAppSecret)
	if err != nil || reply != nil {
		return channels.Batch{}, reply, err
	}
	own := meta.Own{ID: s.String(keyPageID), AppID: s.String(keyAppID)}
	b := n.Batch(ch.ID, own, nil)
	if g, _, err := a.graph(ch); err == nil {
		a.names.Fill(ctx, ch.ID, b.Messages, func(ctx context.Context, id string) (string, error) {
			var p struct {
				FirstName string `json:"first_name"`
				LastName  string `json:"last_name"`
			}
			err := g.Do(ctx, http.MethodGet, id+"?fields=first_name,last_name", nil, "", &p)
			return strings.TrimSpace(p.FirstName + " " + p.LastName), err
		})
	}
	return b, nil, nil
}

// FetchMedia downloads an inbound attachment from the URL Meta handed out.
func (a *Adapter) FetchMedia(ctx context.Context, ch store.Channel, m channels.Media) (channels.File, error) {
	return meta.FetchURL(ctx, a.HTTP, m)
}

// Send delivers an agent's message: the text, then each file uploaded
// with its own message. The provider id is the first message's.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	g, s, err := a.graph(out.Channel)
	if err != nil {
		return "", err
	}
	req := meta.SendRequest{Recipient: meta.Recipient{ID: out.To}, MessageID: out.MessageID,
		HumanAgent: meta.NeedsHumanAgentTag(s, out.CustomerWroteAt, time.Now())}
	id, err := meta.SendAll(ctx, g, s.String(keyPageID)+"/messages", req, out, "Messenger")
	return id, err
}

// MarkRead shows the customer their messages were seen.
func (a *Adapter) MarkRead(ctx context.Context, ch store.Channel, contact string, _ []string) error {
	g, s, err := a.graph(ch)
	if err != nil {
		return err
	}
	return meta.SendError("Messenger", g.MarkSeen(ctx, s.String(keyPageID)+"/messages", contact))
}

// Steps: check the page and its token, then subscribe the app to the
// page's messaging fields.
func (*Adapter) Steps(store.Channel) []string { return []string{StepVerifyPage, StepSubscribe} }

// RunStep runs one activation step.
func (a *Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	g, s, err := a.graph(ch)
	if err != nil {
		return channels.StepResult{}, err
	}
	page := s.String(keyPageID)
	switch step {
	case StepVerifyPage:
		var p struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		if err := g.Do(ctx, http.MethodGet, page+"?fields=id,name", nil, "", &p); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		if p.ID != "" && p.ID != page {
			return channels.StepResult{}, &channels.PermanentError{Reason: fmt.Sprintf("the token belongs to page %s, not %s", p.ID, page)}
		}
		return channels.StepResult{Detail: p.Name, Set: channels.Settings{keyPageName: p.Name}}, nil
	case StepSubscribe:
		if err := g.Do(ctx, http.MethodPost, page+"/subscribed_apps?subscribed_fields="+subscribedFields, nil, "", nil); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		detail := "webhooks go to the Meta app's callback URL"
		if env.HookURL != "" {
			detail = "set the Meta app's Messenger callback URL to " + env.HookURL
		}
		return channels.StepResult{Detail: detail}, nil
	}
	return channels.StepResult{}, fmt.Errorf("messenger: no step %q", step)
}

// Deactivate unsubscribes the app from the page's webhooks.
func (a *Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	g, s, err := a.graph(ch)
	if err != nil {
		var perm *channels.PermanentError
		if errors.As(err, &perm) {
			return nil // no token: nothing was subscribed with it
		}
		return err
	}
	return meta.ActivationError(g.Do(ctx, http.MethodDelete, s.String(keyPageID)+"/subscribed_apps", nil, "", nil))
}
