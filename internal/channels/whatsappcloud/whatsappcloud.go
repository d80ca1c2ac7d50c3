// Package whatsappcloud is the WhatsApp Official channel: a business phone
// number on Meta's WhatsApp Cloud API. Meta calls
// /hooks/whatsapp_official/<channel> with messages and statuses, signed
// with the Meta app's secret; agents' messages go out through the Graph
// API's messages endpoint, files uploaded to Meta first.
//
// Meta charges per delivered template message (since 2025-07-01), not per
// conversation; service messages inside the customer's 24-hour window are
// free. Templates and Embedded Signup are not built yet: a channel is set
// up with the number's ids and a token pasted from Meta's dashboard.
package whatsappcloud

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// Settings keys.
const (
	keyPhoneNumberID = "phone_number_id"
	keyWABAID        = "waba_id"
	keyToken         = "access_token" // secret
	keyAppSecret     = "app_secret"   // secret: signs every webhook
	keyVerifyToken   = meta.KeyVerifyToken
	keyDisplayPhone  = "display_phone_number"
	keyVerifiedName  = "verified_name"
	keyWebhook       = "webhook" // "override" when activation pointed the WABA's webhooks here
)

// Activation steps.
const (
	StepVerifyNumber    = "verify_number"
	StepSubscribeWABA   = "subscribe_waba"
	stepWebhookOverride = "override"
)

// Adapter is the WhatsApp Cloud API channel kind.
type Adapter struct {
	BaseURL string // the Graph API's; "" is meta.DefaultBaseURL
	Version string // "" is meta.DefaultVersion
	HTTP    *http.Client
}

// Kind describes WhatsApp Official.
func (Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindWhatsAppOfficial, Label: "WhatsApp Official (Cloud API)",
		Settings: []channels.Field{
			{Name: keyPhoneNumberID, Label: "Phone number ID", Type: channels.FieldText, Required: true,
				Help: "WhatsApp Manager → Phone numbers, or the app's WhatsApp → API Setup page."},
			{Name: keyWABAID, Label: "WhatsApp Business Account ID", Type: channels.FieldText, Required: true},
			{Name: keyToken, Label: "Access token", Type: channels.FieldSecret, Required: true,
				Help: "A system user's permanent token with whatsapp_business_messaging and whatsapp_business_management."},
			{Name: keyAppSecret, Label: "App secret", Type: channels.FieldSecret, Required: true,
				Help: "Meta app → App settings → Basic; every webhook is checked against it."},
			meta.VerifyTokenField,
		},
		Capabilities: channels.Capabilities{
			Window:    24 * time.Hour,
			Media:     []string{channels.MediaImage, channels.MediaAudio, channels.MediaVoice, channels.MediaVideo, channels.MediaDocument, channels.MediaSticker},
			Templates: true, Receipts: true, Reactions: true,
			SendsPerSecond: 80, // Cloud API's default throughput per number
		},
	}
}

var digits = regexp.MustCompile(`^[0-9]{5,30}$`)

// Validate checks the ids' shape and fills in a verify token.
func (Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	for _, key := range []string{keyPhoneNumberID, keyWABAID} {
		v := strings.TrimSpace(s.String(key))
		if !digits.MatchString(v) {
			return nil, &channels.FieldError{Field: "settings." + key, Reason: "is a numeric id from WhatsApp Manager"}
		}
		s[key] = v
	}
	meta.EnsureVerifyToken(s, keyVerifyToken)
	return s, nil
}

func (a Adapter) graph(ch store.Channel) (meta.Client, channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return meta.Client{}, nil, err
	}
	if s.String(keyToken) == "" {
		return meta.Client{}, nil, &channels.PermanentError{Reason: "the WhatsApp channel has no access token"}
	}
	return meta.Client{BaseURL: a.BaseURL, Version: a.Version, Token: s.String(keyToken), HTTP: a.HTTP}, s, nil
}
