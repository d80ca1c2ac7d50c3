// Package linkedin is the LinkedIn channel. LinkedIn has no messaging API
// for ordinary accounts and its User Agreement forbids automated
// collection, so nothing here calls LinkedIn: the person clicks the
// CHATSPOT extension's button on a profile or a conversation, one at a
// time, and the extension posts what is on the screen to
// POST /api/v1/linkedin/captures. Replies are written in LinkedIn
// (Capabilities.ExternalReplies); the next capture brings them in.
//
// A capture becomes a contact known by the profile's URL, a conversation
// threaded by it (its card: name, headline, company) and the captured
// messages, each stored once (MessageID), so a capture again appends only
// what is new.
package linkedin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Settings keys: where "Capturar + oportunidade" puts the card, and when
// captures arrived (written by the capture endpoint, shown on the screen).
const (
	KeyPipelineID   = "pipeline_id"
	KeyStageID      = "stage_id"
	KeyFirstCapture = "first_capture_at"
	KeyLastCapture  = "last_capture_at"
)

// Adapter is the LinkedIn kind.
type Adapter struct {
	// ExtensionID is the capture extension's stable id, shown to admins.
	ExtensionID string
}

// ExtensionPath is where the server hands out the extension.
const ExtensionPath = "/downloads/chatspot-linkedin.zip"

// Kind describes LinkedIn.
func (a *Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindLinkedIn, Label: "LinkedIn", Component: "linkedin",
		Settings: []channels.Field{
			{Name: KeyPipelineID, Label: "CRM pipeline", Type: channels.FieldText, Help: "Where \"Capturar + oportunidade\" creates the card"},
			{Name: KeyStageID, Label: "CRM stage", Type: channels.FieldText},
		},
		Capabilities: channels.Capabilities{Threads: true, ExternalReplies: true},
	}
}

// Validate keeps the CRM stage the captures use (checked by the capture).
func (a *Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	if s.String(KeyStageID) != "" && s.String(KeyPipelineID) == "" {
		return nil, &channels.FieldError{Field: "settings." + KeyPipelineID, Reason: "choose the pipeline of the stage"}
	}
	return s, nil
}

// Send refuses: replies are written in LinkedIn.
func (a *Adapter) Send(context.Context, channels.Outbound) (string, error) {
	return "", &channels.PermanentError{Reason: ErrRepliesInLinkedIn.Error()}
}

// ErrRepliesInLinkedIn says where replies are written.
var ErrRepliesInLinkedIn = errors.New("replies to LinkedIn are written in LinkedIn, by the person; the next capture brings them here")

// ThreadKind: a conversation's thread key is the profile's URL.
func (a *Adapter) ThreadKind(key string) string {
	if strings.HasPrefix(key, profilePrefix) {
		return channels.ThreadProfile
	}
	return ""
}

// DescribeThread has nothing to ask LinkedIn: the card is the one the
// last capture stored.
func (a *Adapter) DescribeThread(context.Context, store.Channel, string) (channels.ThreadInfo, error) {
	return channels.ThreadInfo{}, channels.ErrThreadStored
}

// Present shows where to get the extension, its id and the captures.
func (a *Adapter) Present(ch store.Channel, baseURL string) channels.Presentation {
	s, _ := channels.ParseSettings(ch.Settings)
	return channels.Presentation{ExtensionURL: strings.TrimRight(baseURL, "/") + ExtensionPath, ExtensionID: a.ExtensionID,
		FirstCaptureAt: s.String(KeyFirstCapture), LastCaptureAt: s.String(KeyLastCapture)}
}

const profilePrefix = "https://www.linkedin.com/in/"

var slug = regexp.MustCompile(`^[\p{L}\p{N}_%-]{2,100}$`)

// ProfileURL normalises a profile's address to https://www.linkedin.com/in/<slug>
// (any LinkedIn host, no query, no trailing path); false when it is not a
// member profile.
func ProfileURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return "", false
	}
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(parts) < 2 || parts[0] != "in" || !slug.MatchString(parts[1]) {
		return "", false
	}
	return profilePrefix + strings.ToLower(parts[1]), true
}

// CapturedMessage is one message on the screen.
type CapturedMessage struct {
	FromContact bool
	Text        string
	At          string // as the page showed it (ISO 8601 when the extension could read it); "" unknown
}

// MessageID is a captured message's id: what the page shows of it (who,
// when, the text) and how many identical ones came before it in the same
// capture, so a capture again finds the messages it already stored.
func MessageID(profile string, m CapturedMessage, occurrence int) string {
	who := "me"
	if m.FromContact {
		who = "contact"
	}
	sum := sha256.Sum256([]byte(profile + "\x00" + who + "\x00" + m.At + "\x00" + strings.TrimSpace(m.Text) + "\x00" + strconv.Itoa(occurrence)))
	return "li:" + hex.EncodeToString(sum[:16])
}

// Inbound turns a capture's messages into the kit's inbound messages:
// the contact's as theirs, the person's own as the business's (never
// sent again), in the order shown; times the page did not show are the
// capture's, a millisecond apart, to keep that order.
func Inbound(profile, name string, msgs []CapturedMessage, now time.Time) []channels.Inbound {
	seen := map[string]int{}
	out := make([]channels.Inbound, 0, len(msgs))
	for i, m := range msgs {
		k := strconv.FormatBool(m.FromContact) + "\x00" + m.At + "\x00" + strings.TrimSpace(m.Text)
		id := MessageID(profile, m, seen[k])
		seen[k]++
		at, err := time.Parse(time.RFC3339, m.At)
		if err != nil {
			at = now.Add(time.Duration(i-len(msgs)) * time.Millisecond)
		}
		out = append(out, channels.Inbound{ExternalID: id, Contact: channels.InboundContact{ExternalID: profile, Name: name},
			ThreadKey: profile, Text: strings.TrimSpace(m.Text), At: at, FromBusiness: !m.FromContact})
	}
	return out
}
