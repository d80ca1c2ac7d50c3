// Package whatsappqr is the unofficial WhatsApp channel: a number linked
// to CHATSPOT as a companion device by scanning a QR code (or typing a
// pairing code) on the phone, through go.mau.fi/whatsmeow. No Meta account
// or fees; the session is a live connection, so it runs in the channel's
// connection workflow on one worker, and that worker does the channel's
// sends and downloads.
//
// Nothing is lost: events are acknowledged to WhatsApp only after the
// inbox stored them (whatsmeow's synchronous ack), so a crash means
// WhatsApp delivers them again and the inbox stores them once by id.
package whatsappqr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Settings keys.
const (
	keyPairWith       = "pair_with"        // PairQR or PairPhone
	keyPhone          = "phone"            // the number to pair by code
	keySendsPerMinute = "sends_per_minute" // the pace of sends against bans
	keyGroups         = "groups"           // take group messages
	keyJID            = "jid"              // read-only: the paired device
	keyNumber         = "number"           // read-only: the connected number
)

// Ways to pair.
const (
	PairQR    = "qr"
	PairPhone = "phone"
)

// StepPair is the activation's one step: link the phone.
const StepPair = "pair"

// DefaultSendsPerMinute is the pace of a number's sends unless the manager
// sets another: bans are reported after bursts, well above this.
const DefaultSendsPerMinute = 20

// Adapter is the WhatsApp (QR code) channel kind.
type Adapter struct {
	// Devices makes clients; nil in processes that only describe the kind
	// (the API server), which cannot pair or connect.
	Devices Devices
	// Clock paces sends; nil: real time. NoJitter: sends exactly at the
	// pace (tests).
	Clock    Clock
	NoJitter bool

	sessions sync.Map // channel id -> *session: the connections this process holds
}

// Kind describes the channel.
func (a *Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindWhatsAppQR, Label: "WhatsApp (QR code)",
		Settings: []channels.Field{
			{Name: keyPairWith, Label: "Pair with", Type: channels.FieldSelect, Required: true, Options: []string{PairQR, PairPhone},
				Help: "Scan a QR code with the phone (WhatsApp > Linked devices), or type a code on it."},
			{Name: keyPhone, Label: "Phone number (for pairing by code)", Type: channels.FieldText,
				Help: "With country and area code, e.g. +55 11 98765-4321."},
			{Name: keySendsPerMinute, Label: "Sends per minute", Type: channels.FieldNumber,
				Help: "Messages leave at this pace, never in bursts: WhatsApp bans numbers that send too fast. 20 is safe."},
			{Name: keyGroups, Label: "Take group messages", Type: channels.FieldBool},
		},
		Capabilities: channels.Capabilities{
			Media:             []string{channels.MediaImage, channels.MediaDocument, channels.MediaVoice, channels.MediaAudio, channels.MediaVideo, channels.MediaSticker},
			Receipts:          true,
			Edits:             true,
			Reactions:         true,
			SendsOnConnection: true,
		},
	}
}

// Validate checks the pairing choice and the pace.
func (a *Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	mode := s.String(keyPairWith)
	if mode == "" {
		mode = PairQR
	}
	if mode != PairQR && mode != PairPhone {
		return nil, &channels.FieldError{Field: "settings." + keyPairWith, Reason: "must be qr or phone"}
	}
	s[keyPairWith] = mode
	if phone := strings.TrimSpace(s.String(keyPhone)); phone != "" || mode == PairPhone {
		e164 := E164(phone)
		if len(e164) < 11 || len(e164) > 16 {
			return nil, &channels.FieldError{Field: "settings." + keyPhone, Reason: "is not a phone number with country and area code (e.g. +55 11 98765-4321)"}
		}
		s[keyPhone] = e164
	}
	rate, err := sendsPerMinute(s)
	if err != nil {
		return nil, err
	}
	s[keySendsPerMinute] = rate
	s[keyGroups] = s.Bool(keyGroups)
	return s, nil
}

// sendsPerMinute reads the pace setting: 1 to 60, the default when unset.
func sendsPerMinute(s channels.Settings) (float64, error) {
	var n float64
	switch v := s[keySendsPerMinute].(type) {
	case nil:
		return DefaultSendsPerMinute, nil
	case float64:
		n = v
	case string:
		if strings.TrimSpace(v) == "" {
			return DefaultSendsPerMinute, nil
		}
		var err error
		if n, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return 0, &channels.FieldError{Field: "settings." + keySendsPerMinute, Reason: "must be a number"}
		}
	default:
		return 0, &channels.FieldError{Field: "settings." + keySendsPerMinute, Reason: "must be a number"}
	}
	if n < 1 || n > 60 {
		return 0, &channels.FieldError{Field: "settings." + keySendsPerMinute, Reason: "must be between 1 and 60"}
	}
	return n, nil
}

// ProviderMessageID is the WhatsApp id of our message: derived from our id
// (same length and prefix as whatsmeow's own), stored before the send and
// the same on every retry, so the phone never shows a retried send twice
// and a receipt finds the message even if the send's answer was lost.
func (a *Adapter) ProviderMessageID(messageID string) string {
	sum := sha256.Sum256([]byte("chatspot:" + messageID))
	return "3EB0" + strings.ToUpper(hex.EncodeToString(sum[:9]))
}

// session is a connection this process holds.
func (a *Adapter) session(channelID string) (*session, error) {
	if s, ok := a.sessions.Load(channelID); ok {
		return s.(*session), nil
	}
	// Retried: the session is (re)connecting, or moving to this worker.
	return nil, errors.New("the WhatsApp session is not connected on this worker")
}

func settingsOf(ch store.Channel) channels.Settings {
	s, _ := channels.ParseSettings(ch.Settings)
	if s == nil {
		s = channels.Settings{}
	}
	return s
}

func (a *Adapter) devices() (Devices, error) {
	if a.Devices == nil {
		return nil, fmt.Errorf("whatsapp: this process has no device store")
	}
	return a.Devices, nil
}
