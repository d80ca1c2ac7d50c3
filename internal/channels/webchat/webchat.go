// Package webchat is the website chat channel: a floating balloon on the
// customer's site. Visitors get a signed token after the pre-chat form and
// keep their conversation across page reloads with it.
package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// Field requirements of the pre-chat form.
const (
	Required = "required"
	Optional = "optional"
	Hidden   = "hidden"
)

// Settings is the webchat channel's settings JSON.
type Settings struct {
	Title          string         `json:"title"`
	Color          string         `json:"color"`
	WelcomeMessage string         `json:"welcome_message"`
	OfflineMessage string         `json:"offline_message"`
	AllowedOrigins []string       `json:"allowed_origins"` // empty: any site
	PreChat        PreChat        `json:"prechat"`
	BusinessHours  *BusinessHours `json:"business_hours"` // nil: always open
}

// PreChat says which visitor details the form asks for.
type PreChat struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// BusinessHours are opening times per weekday in a time zone, e.g.
// {"timezone":"America/Sao_Paulo","days":{"mon":["09:00","18:00"]}}.
type BusinessHours struct {
	Timezone string               `json:"timezone"`
	Days     map[string][2]string `json:"days"`
}

// DefaultSettings are what a new webchat channel starts with.
func DefaultSettings() Settings {
	return Settings{
		Title: "Fale conosco", Color: "#2a5bd7",
		WelcomeMessage: "Olá! Como podemos ajudar?",
		OfflineMessage: "Estamos fora do horário de atendimento. Deixe sua mensagem que respondemos assim que possível.",
		PreChat:        PreChat{Name: Required, Email: Optional, Phone: Optional},
	}
}

// ParseSettings reads and validates a channel's settings.
func ParseSettings(raw string) (Settings, error) {
	s := DefaultSettings()
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("webchat settings: %w", err)
	}
	for _, f := range []string{s.PreChat.Name, s.PreChat.Email, s.PreChat.Phone} {
		if f != Required && f != Optional && f != Hidden {
			return s, fmt.Errorf("webchat settings: pre-chat fields are required, optional or hidden, not %q", f)
		}
	}
	if s.BusinessHours != nil {
		if _, err := time.LoadLocation(s.BusinessHours.Timezone); err != nil {
			return s, fmt.Errorf("webchat settings: business hours time zone: %w", err)
		}
		for day, span := range s.BusinessHours.Days {
			if !slices.Contains(weekdays, day) {
				return s, fmt.Errorf("webchat settings: business hours day %q is not one of %s", day, strings.Join(weekdays, ", "))
			}
			if !hhmm.MatchString(span[0]) || !hhmm.MatchString(span[1]) || span[0] >= span[1] {
				return s, fmt.Errorf("webchat settings: business hours of %s must be two HH:MM times, opening before closing", day)
			}
		}
	}
	if s.Color != "" && !hexColor.MatchString(s.Color) {
		return s, fmt.Errorf("webchat settings: color must be a hex colour such as #2a5bd7")
	}
	return s, nil
}

var (
	hhmm     = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
	hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
)

var weekdays = rules.WeekdayNames

// Open reports whether the business hours include t.
func (s Settings) Open(t time.Time) bool {
	bh := s.BusinessHours
	if bh == nil {
		return true
	}
	loc, err := time.LoadLocation(bh.Timezone)
	if err != nil {
		return true
	}
	local := t.In(loc)
	span, ok := bh.Days[weekdays[local.Weekday()]]
	if !ok {
		return false
	}
	return rules.InSpan(local, span)
}

// OriginAllowed checks a request's Origin against the allowed sites.
func (s Settings) OriginAllowed(origin string) bool {
	if len(s.AllowedOrigins) == 0 {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	for _, o := range s.AllowedOrigins {
		if a, err := url.Parse(o); err == nil && a.Host != "" {
			if strings.EqualFold(a.Scheme+"://"+a.Host, u.Scheme+"://"+u.Host) {
				return true
			}
		} else if strings.EqualFold(o, u.Hostname()) {
			return true
		}
	}
	return false
}

// Visitor is what the pre-chat form captures.
type Visitor struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Validate checks the visitor's details against the form's requirements.
func (p PreChat) Validate(v Visitor) error {
	check := func(field, req, value string, ok func(string) bool) error {
		value = strings.TrimSpace(value)
		switch {
		case req == Required && value == "":
			return &channels.FieldError{Field: field, Reason: "is required"}
		case req == Hidden && value != "":
			return &channels.FieldError{Field: field, Reason: "is not asked on this chat"}
		case value != "" && !ok(value):
			return &channels.FieldError{Field: field, Reason: "is not valid"}
		case len(value) > 200:
			return &channels.FieldError{Field: field, Reason: "is too long"}
		}
		return nil
	}
	anything := func(string) bool { return true }
	email := func(s string) bool { a, err := mail.ParseAddress(s); return err == nil && a.Address == s }
	phone := func(s string) bool {
		digits := 0
		for _, r := range s {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune("+-() .", r):
			default:
				return false
			}
		}
		return digits >= 8 && digits <= 15
	}
	if err := check("name", p.Name, v.Name, anything); err != nil {
		return err
	}
	if err := check("email", p.Email, v.Email, email); err != nil {
		return err
	}
	return check("phone", p.Phone, v.Phone, phone)
}

// tokenTTL is how long a visitor keeps their conversation without
// returning: long enough for a customer to come back next week.
const tokenTTL = 90 * 24 * time.Hour

// SignToken returns a visitor token binding the visitor to the channel.
func SignToken(secret []byte, channelID, visitorID string, now time.Time) string {
	payload := channelID + "." + visitorID + "." + strconv.FormatInt(now.Add(tokenTTL).Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + mac(secret, payload)
}

// ErrBadToken is a visitor token that is forged, expired or for another
// channel.
var ErrBadToken = errors.New("visitor token is invalid or expired; start a new chat")

// VerifyToken returns the visitor id of a valid token for the channel.
func VerifyToken(secret []byte, channelID, token string, now time.Time) (string, error) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(mac(secret, string(raw)))) {
		return "", ErrBadToken
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != channelID {
		return "", ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || now.Unix() > exp {
		return "", ErrBadToken
	}
	return parts[1], nil
}

func mac(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Sender "delivers" agents' messages: the visitor's own stream carries
// them, so sending only hands the message over; delivered and read follow
// from the visitor's browser.
type Sender struct{}

// Send accepts the message; the message id is its provider id.
func (Sender) Send(_ context.Context, out channels.Outbound) (string, error) {
	return "webchat-" + out.MessageID, nil
}

// Adapter is the webchat's part of the channel kit: its settings have a
// bespoke editor (preview, hours, pre-chat form); its widget has routes of
// its own (api/webchat.go) that ingest through the inbox like every kind.
type Adapter struct{ Sender }

// Kind describes the webchat.
func (Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindWebchat, Label: "Webchat", Component: "webchat",
		Capabilities: channels.Capabilities{Receipts: true, Media: []string{channels.MediaImage, channels.MediaDocument}},
	}
}

// Present gives the snippet a site pastes to show the balloon.
func (Adapter) Present(ch store.Channel, baseURL string) channels.Presentation {
	return channels.Presentation{Snippet: fmt.Sprintf(`<script src="%s/widget.js" data-channel="%s" async></script>`, baseURL, ch.ID)}
}

// Validate reads the settings with their defaults and checks them.
func (Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	st, err := ParseSettings(s.JSON())
	if err != nil {
		return nil, &channels.FieldError{Field: "settings", Reason: strings.TrimPrefix(err.Error(), "webchat settings: ")}
	}
	return channels.SettingsOf(st), nil
}
