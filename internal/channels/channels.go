// Package channels defines what every channel kind shares: the normalised
// inbound message, the outbound sender interface and the registry of kinds
// with their customer-service windows. Each kind lives in its own package
// below this one.
package channels

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// Kinds of channel.
const (
	KindAPI              = "api"
	KindWebchat          = "webchat"
	KindWhatsAppOfficial = "whatsapp_official"
	KindWhatsAppQR       = "whatsapp"
	KindMessenger        = "messenger"
	KindInstagram        = "instagram"
	KindTelegram         = "telegram"
	KindSMS              = "sms"
	KindEmail            = "email"
	KindMercadoLivre     = "mercadolivre"
	KindLinkedIn         = "linkedin"
	KindOLX              = "olx"
	humanAgentTagWindow  = 7 * 24 * time.Hour
	standardMetaWindow   = 24 * time.Hour
	noWindow             = time.Duration(0)
)

// Inbound is a customer message as every channel normalises it.
type Inbound struct {
	ChannelID string
	// ExternalID is the provider's message id; the same id twice is the
	// same message.
	ExternalID string
	Contact    InboundContact
	Text       string
	At         time.Time // when the provider says it was sent; zero = now
	// AttachmentIDs are files the sender uploaded beforehand (webchat);
	// they must have been uploaded by Contact.ExternalID.
	AttachmentIDs []string
}

// InboundContact is the sender as the channel knows them.
type InboundContact struct {
	ExternalID string // the sender's id on the channel (phone, chat id, ...)
	Name       string
	Phone      string
	Email      string
}

// Outbound is an agent's message to deliver to a customer.
type Outbound struct {
	MessageID string // the idempotency key: the same id is never delivered twice
	Channel   store.Channel
	To        string // the contact's id on the channel
	Text      string
	CreatedAt time.Time
	Files     []OutboundFile
}

// OutboundFile is a file sent with an outbound message; providers fetch
// or upload it by id.
type OutboundFile struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Sender delivers outbound messages of one channel kind and returns the
// provider's message id.
type Sender interface {
	Send(ctx context.Context, out Outbound) (providerID string, err error)
}

// PermanentError is a provider's refusal that retrying cannot fix (a bad
// recipient, a revoked token); its Reason is shown to the agent.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return e.Reason }

// ServiceWindow is how long after the customer's last message free text
// may be sent; 0 means no window. Meta's channels allow 7 days for
// messages sent with the human-agent tag.
func ServiceWindow(kind string, humanAgentTag bool) time.Duration {
	switch kind {
	case KindWhatsAppOfficial:
		return standardMetaWindow
	case KindMessenger, KindInstagram:
		if humanAgentTag {
			return humanAgentTagWindow
		}
		return standardMetaWindow
	}
	return noWindow
}

// WindowClosedReason is what an agent reads when the window has closed.
const WindowClosedReason = "window closed: send an approved template"

// Registry maps channel kinds to their senders.
type Registry struct {
	mu      sync.RWMutex
	senders map[string]Sender
}

// Register sets the sender of a kind.
func (r *Registry) Register(kind string, s Sender) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.senders == nil {
		r.senders = map[string]Sender{}
	}
	r.senders[kind] = s
}

// Sender returns the sender of a kind, or an error naming the kind.
func (r *Registry) Sender(kind string) (Sender, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.senders[kind]
	if !ok {
		return nil, &PermanentError{Reason: fmt.Sprintf("sending on %s channels is not available yet", kind)}
	}
	return s, nil
}

// FieldError names the input field a customer or integrator got wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
