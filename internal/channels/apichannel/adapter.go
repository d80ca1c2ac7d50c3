package apichannel

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/egress"
	"github.com/chatspot/chatspot/internal/store"
)

// Adapter is the API channel's part of the channel kit.
type Adapter struct {
	Sender
	// AllowPrivateURLs lets the outbound URL name loopback and private
	// addresses (dev, tests).
	AllowPrivateURLs bool
}

// New returns the adapter; deliveries go through client.
func New(client *http.Client, allowPrivateURLs bool) Adapter {
	return Adapter{Sender: Sender{HTTP: client}, AllowPrivateURLs: allowPrivateURLs}
}

// Kind describes the API channel.
func (Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindAPI, Label: "API", Component: "api",
		Settings: []channels.Field{
			{Name: "outbound_url", Label: "Outbound URL", Type: channels.FieldURL, Help: "Agents' messages are POSTed here, signed with the outbound secret."},
			{Name: "outbound_secret", Label: "Outbound secret", Type: channels.FieldSecret, Help: "At least 16 characters; signs every delivery (HMAC-SHA256)."},
		},
		Hidden:       []string{"inbound_token_sha256"},
		Capabilities: channels.Capabilities{Media: []string{channels.MediaDocument, channels.MediaImage}},
	}
}

// Validate checks the outbound URL (no private addresses unless allowed)
// and that a URL comes with its signing secret.
func (a Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	var st Settings
	if err := s.Decode(&st); err != nil {
		return nil, &channels.FieldError{Field: "settings", Reason: err.Error()}
	}
	if st.OutboundSecret != "" && len(st.OutboundSecret) < 16 {
		return nil, &channels.FieldError{Field: "settings.outbound_secret", Reason: "must have at least 16 characters: it signs every delivery"}
	}
	if st.OutboundURL != "" {
		if err := egress.CheckURL(st.OutboundURL, a.AllowPrivateURLs); err != nil {
			return nil, &channels.FieldError{Field: "settings.outbound_url", Reason: err.Error()}
		}
		if st.OutboundSecret == "" {
			return nil, &channels.FieldError{Field: "settings.outbound_secret", Reason: "must have at least 16 characters: it signs every delivery"}
		}
	}
	return channels.SettingsOf(st), nil
}

// Receive checks the channel's bearer token and reads one customer
// message.
func (Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	if r.Method != http.MethodPost {
		return channels.Batch{}, nil, &channels.FieldError{Field: "method", Reason: "inbound messages are POSTed"}
	}
	settings, err := ParseSettings(ch.Settings)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err != nil || !settings.Verify(token) {
		return channels.Batch{}, nil, &channels.AuthError{Reason: "missing or wrong channel token (Authorization: Bearer <token>)", Field: "Authorization"}
	}
	var req InboundRequest
	if err := json.Unmarshal(r.Body, &req); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return channels.Batch{}, nil, &channels.MalformedError{Field: typ.Field, Reason: typ.Field + " has the wrong type: want " + typ.Type.String()}
		}
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "malformed JSON body: " + err.Error()}
	}
	in, err := req.Normalise(ch.ID)
	if err != nil {
		return channels.Batch{}, nil, err
	}
	return channels.Batch{Messages: []channels.Inbound{in}}, nil, nil
}

// Respond answers 202 with the message's id, or 200 for a replay of one
// already accepted.
func (Adapter) Respond(results []channels.Ingested) channels.Reply {
	if len(results) == 0 {
		return channels.Reply{Status: http.StatusAccepted}
	}
	r := results[0]
	status := http.StatusAccepted
	if r.Duplicate {
		status = http.StatusOK
	}
	body, _ := json.Marshal(map[string]any{"message_id": r.MessageID, "contact_id": r.ContactID, "duplicate": r.Duplicate})
	return channels.Reply{Status: status, ContentType: "application/json", Body: body}
}

// VerifyToken reports whether token is the channel's inbound token
// (constant time), for the channel's other routes (file downloads).
func VerifyToken(ch store.Channel, token string) bool {
	s, err := ParseSettings(ch.Settings)
	return err == nil && s.Verify(token)
}

// IssueToken makes a new inbound token; the old one stops working.
func (Adapter) IssueToken(s channels.Settings) (string, channels.Settings) {
	token, fresh := NewToken()
	s["inbound_token_sha256"] = fresh.InboundTokenSHA256
	return token, s
}

// Present names the URL integrators post to.
func (Adapter) Present(ch store.Channel, baseURL string) channels.Presentation {
	return channels.Presentation{InboundURL: baseURL + "/hooks/api/" + ch.ID}
}
