// Package apichannel is the built-in API channel: an integrator posts
// customer messages over HTTP with the channel's inbound token.
package apichannel

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatspot/chatspot/internal/channels"
)

// Settings is the channel's settings JSON. Only the inbound token's hash
// is kept; agents' messages go to OutboundURL, signed with OutboundSecret.
type Settings struct {
	InboundTokenSHA256 string `json:"inbound_token_sha256"`
	OutboundURL        string `json:"outbound_url,omitempty"`
	OutboundSecret     string `json:"outbound_secret,omitempty"`
}

// NewToken returns a fresh inbound token and the settings that accept it.
// The token is shown once; only its hash is stored.
func NewToken() (string, Settings) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	tok := "cht_" + hex.EncodeToString(b)
	return tok, Settings{InboundTokenSHA256: hash(tok)}
}

// Verify reports whether token is the channel's inbound token.
func (s Settings) Verify(token string) bool {
	if s.InboundTokenSHA256 == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hash(token)), []byte(s.InboundTokenSHA256)) == 1
}

func hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// ParseSettings reads a channel's settings JSON.
func ParseSettings(raw string) (Settings, error) {
	var s Settings
	err := json.Unmarshal([]byte(raw), &s)
	return s, err
}

// InboundRequest is the body an integrator posts for one customer message.
type InboundRequest struct {
	MessageID string    `json:"message_id"`
	From      From      `json:"from"`
	Text      string    `json:"text"`
	Timestamp time.Time `json:"timestamp"`
}

// From is the customer who wrote.
type From struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// MaxTextLen is the longest message text accepted, in characters.
const MaxTextLen = 4096

// Normalise validates the request and turns it into the inbound type every
// channel produces.
func (r InboundRequest) Normalise(channelID string) (channels.Inbound, error) {
	switch {
	case strings.TrimSpace(r.MessageID) == "":
		return channels.Inbound{}, &channels.FieldError{Field: "message_id", Reason: "is required: it makes retries safe"}
	case len(r.MessageID) > 200:
		return channels.Inbound{}, &channels.FieldError{Field: "message_id", Reason: "must be at most 200 characters"}
	case strings.TrimSpace(r.From.ID) == "":
		return channels.Inbound{}, &channels.FieldError{Field: "from.id", Reason: "is required"}
	case strings.TrimSpace(r.Text) == "":
		return channels.Inbound{}, &channels.FieldError{Field: "text", Reason: "is required"}
	case utf8.RuneCountInString(r.Text) > MaxTextLen:
		return channels.Inbound{}, &channels.FieldError{Field: "text", Reason: fmt.Sprintf("must be at most %d characters", MaxTextLen)}
	}
	return channels.Inbound{
		ChannelID:  channelID,
		ExternalID: r.MessageID,
		Contact:    channels.InboundContact{ExternalID: r.From.ID, Name: r.From.Name, Phone: r.From.Phone, Email: r.From.Email},
		Text:       r.Text,
		At:         r.Timestamp,
	}, nil
}
