// Package sms is the SMS channel: text messages to and from a number,
// through an SMS provider (Zenvia or Twilio, behind one interface), each
// send charged to the account's prepaid balance at the plan's price per
// segment (Capabilities.Metered: the kit reserves the cost when the
// message is stored and refunds it when the send finally fails).
//
// Inbound messages and delivery reports arrive by webhook at
// /hooks/sms/<channel>: Zenvia's carry a secret header we chose when we
// subscribed (Zenvia documents no signature), Twilio's its
// X-Twilio-Signature. Segments are counted as each provider counts them;
// Twilio's own count, answered with the send, wins.
package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Providers.
const (
	ProviderZenvia = "zenvia"
	ProviderTwilio = "twilio"
)

// Settings keys.
const (
	keyProvider      = "provider"
	keyFrom          = "from"
	keyAccount       = "account_sid"
	keyToken         = "token"
	keyWebhookSecret = "webhook_secret"
	keySubscriptions = "subscriptions" // Zenvia's subscription ids, comma-separated
	keyNumberSID     = "number_sid"    // Twilio's IncomingPhoneNumber sid
)

// Activation steps (the kit puts channels.StepPrepaidBalance first).
const (
	StepCheckProvider     = "check_provider"
	StepSubscribeWebhooks = "subscribe_webhooks"
)

// DefaultSegmentCents is the price of a segment when the operator set
// none: R$ 0,10.
const DefaultSegmentCents = 10

// Adapter is the SMS kind.
type Adapter struct {
	ZenviaURL, TwilioURL string // "" are the providers' hosts
	// SegmentCents is the plan's price of one segment, in centavos.
	SegmentCents int64
	HTTP         *http.Client
}

// provider is one SMS provider's API and webhooks.
type provider interface {
	limits() Limits
	// check verifies the credentials (and, Twilio, that the number is the
	// account's), answering what it found.
	check(ctx context.Context, s channels.Settings) (detail string, set channels.Settings, err error)
	send(ctx context.Context, s channels.Settings, to, text, hookURL string) (id string, segments int, err error)
	subscribe(ctx context.Context, s channels.Settings, hookURL string) (channels.Settings, error)
	unsubscribe(ctx context.Context, s channels.Settings) error
	receive(s channels.Settings, r channels.Request) (channels.Batch, *channels.Reply, error)
}

func (a *Adapter) provider(s channels.Settings) (provider, error) {
	switch s.String(keyProvider) {
	case ProviderZenvia:
		return &zenvia{base: or(a.ZenviaURL, DefaultZenviaURL), http: a.client()}, nil
	case ProviderTwilio:
		return &twilio{base: or(a.TwilioURL, DefaultTwilioURL), http: a.client()}, nil
	}
	return nil, &channels.FieldError{Field: "settings." + keyProvider, Reason: "must be zenvia or twilio"}
}

// Kind describes SMS.
func (a *Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindSMS, Label: "SMS",
		Settings: []channels.Field{
			{Name: keyProvider, Label: "Provider", Type: channels.FieldSelect, Required: true, Options: []string{ProviderZenvia, ProviderTwilio}},
			{Name: keyFrom, Label: "Number or sender ID", Type: channels.FieldText, Required: true,
				Help: "E.164 (+5511999990000); Zenvia: the sender ID registered with Zenvia"},
			{Name: keyAccount, Label: "Account SID (Twilio)", Type: channels.FieldText, Help: "Twilio only: AC…"},
			{Name: keyToken, Label: "API token (Zenvia) or Auth Token (Twilio)", Type: channels.FieldSecret, Required: true},
		},
		Secrets: []string{keyWebhookSecret},
		Hidden:  []string{keyWebhookSecret, keySubscriptions, keyNumberSID},
		// Receipts: delivery reports. Delivery depends on the carrier.
		Capabilities: channels.Capabilities{Receipts: true, Metered: true, MaxText: 1600},
	}
}

// Validate normalises the number and fills in the webhook secret.
func (a *Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	p := s.String(keyProvider)
	if p != ProviderZenvia && p != ProviderTwilio {
		return nil, &channels.FieldError{Field: "settings." + keyProvider, Reason: "must be zenvia or twilio"}
	}
	from := strings.TrimSpace(s.String(keyFrom))
	if e164, ok := E164(from); ok {
		from = e164
	} else if p == ProviderTwilio || from == "" || len(from) > 20 {
		return nil, &channels.FieldError{Field: "settings." + keyFrom, Reason: "must be a phone number in E.164, as +5511999990000"}
	}
	s[keyFrom] = from
	if p == ProviderTwilio && !strings.HasPrefix(strings.TrimSpace(s.String(keyAccount)), "AC") {
		return nil, &channels.FieldError{Field: "settings." + keyAccount, Reason: "Twilio's Account SID starts with AC"}
	}
	s[keyAccount] = strings.TrimSpace(s.String(keyAccount))
	if strings.TrimSpace(s.String(keyToken)) == "" {
		return nil, &channels.FieldError{Field: "settings." + keyToken, Reason: "is required"}
	}
	if s.String(keyWebhookSecret) == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		s[keyWebhookSecret] = hex.EncodeToString(b)
	}
	return s, nil
}

// E164 reads a phone number written with spaces, dashes, dots or
// parentheses into E.164; false when it is not one (too short, too long,
// letters). Without a +, a Brazilian number is assumed: an area code and
// 8 or 9 digits (after any leading 0s of a long-distance prefix) get 55.
func E164(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if !plus {
		d = strings.TrimLeft(d, "0")
		if len(d) == 10 || len(d) == 11 {
			d = "55" + d
		}
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	return "+" + d, true
}

// Price counts the text's segments as the channel's provider does.
func (a *Adapter) Price(ch store.Channel, text string) channels.Price {
	l := Standard
	if s, err := channels.ParseSettings(ch.Settings); err == nil {
		if p, err := a.provider(s); err == nil {
			l = p.limits()
		}
	}
	segs, enc, n := Count(text, l)
	unit := a.SegmentCents
	if unit <= 0 {
		unit = DefaultSegmentCents
	}
	return channels.Price{Units: segs, Encoding: enc, Characters: n, UnitCents: unit}
}

// Send delivers an agent's text. Neither provider takes an idempotency
// key, so an answer lost after the request was written is not retried (a
// second SMS would be sent and paid): the message fails saying so, and
// the agent decides. Requests that certainly did not arrive are retried.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	s, err := channels.ParseSettings(out.Channel.Settings)
	if err != nil {
		return "", err
	}
	if len(out.Files) > 0 {
		return "", &channels.PermanentError{Reason: "SMS carries text only; send the file by another channel"}
	}
	if out.Template != nil {
		return "", &channels.PermanentError{Reason: "SMS has no templates"}
	}
	p, err := a.provider(s)
	if err != nil {
		return "", &channels.PermanentError{Reason: err.Error()}
	}
	hook := ""
	if out.PublicURL != "" {
		hook = out.PublicURL + "/hooks/" + channels.KindSMS + "/" + out.Channel.ID
	}
	id, segs, err := p.send(ctx, s, out.To, out.Text, hook)
	if err != nil {
		return "", err
	}
	if segs > 0 && out.Counted != nil {
		*out.Counted = segs
	}
	return id, nil
}

// Receive takes a provider's webhook: inbound messages and delivery
// reports.
func (a *Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return channels.Batch{}, nil, err
	}
	p, err := a.provider(s)
	if err != nil {
		return channels.Batch{}, nil, err
	}
	return p.receive(s, r)
}

// Respond answers a webhook once what it carried is stored: an empty
// TwiML document, so Twilio sends no reply of its own.
func (a *Adapter) Respond([]channels.Ingested) channels.Reply { return twimlEmpty }

// Steps: check the credentials, then register the webhooks.
func (a *Adapter) Steps(store.Channel) []string {
	return []string{StepCheckProvider, StepSubscribeWebhooks}
}

// RunStep runs one activation step.
func (a *Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return channels.StepResult{}, err
	}
	p, err := a.provider(s)
	if err != nil {
		return channels.StepResult{}, &channels.PermanentError{Reason: err.Error()}
	}
	switch step {
	case StepCheckProvider:
		detail, set, err := p.check(ctx, s)
		return channels.StepResult{Detail: detail, Set: set}, err
	case StepSubscribeWebhooks:
		if env.HookURL == "" {
			return channels.StepResult{Skipped: true, Detail: "no public URL (CHATSPOT_BASE_URL): sends work, replies and delivery reports cannot reach this server"}, nil
		}
		set, err := p.subscribe(ctx, s, env.HookURL)
		return channels.StepResult{Detail: env.HookURL, Set: set}, err
	}
	return channels.StepResult{}, fmt.Errorf("unknown step %q", step)
}

// Deactivate removes our webhooks at the provider.
func (a *Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return err
	}
	p, err := a.provider(s)
	if err != nil {
		return nil // nothing was registered
	}
	return p.unsubscribe(ctx, s)
}

func (a *Adapter) client() *http.Client {
	if a.HTTP == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return a.HTTP
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// sendError tells a send that certainly did not reach the provider
// (retried) from one whose outcome is unknown (failed, not resent).
func sendError(provider string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &channels.PermanentError{Reason: provider + " did not answer the send (" + err.Error() + "); the SMS may have been sent: check before sending it again"}
}

// statusError reads a provider's refusal by HTTP status: a rate limit or
// an unavailable service is retried, anything else is the provider's
// refusal, with its reason; 401 and 403 mean the credentials.
func statusError(provider string, status int, reason string, retryAfter time.Duration) error {
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return &channels.RetryAfterError{After: max(retryAfter, 5*time.Second), Reason: provider + ": " + reason}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &channels.PermanentError{Reason: provider + " refused the credentials: " + reason, Reauth: true}
	}
	return &channels.PermanentError{Reason: provider + ": " + reason}
}
