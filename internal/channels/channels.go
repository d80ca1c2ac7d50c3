// Package channels is the channel kit: the contract every channel kind
// implements (Adapter and its optional parts), the normalised events
// inbound traffic becomes, the outbound message, and the registry of kinds.
// Each kind lives in its own package below this one; the one list of them
// is package kinds.
package channels

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// Kinds of channel. Only the kit and a kind's own package look at these:
// everything else asks the registry.
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
)

// Inbound is a customer message as every channel normalises it.
type Inbound struct {
	ChannelID string
	// ExternalID is the provider's message id; the same id twice is the
	// same message.
	ExternalID string
	Contact    InboundContact
	// ThreadKey separates parallel conversations of one contact on one
	// channel (an e-mail thread, a listing's questions); "" is the
	// contact's one conversation.
	ThreadKey string
	Text      string
	At        time.Time // when the provider says it was sent; zero = now
	// ReplyTo is the provider id of the message this one answers.
	ReplyTo string
	// Edit: this is a new text for the earlier message ExternalID, not a
	// new message.
	Edit bool
	// Revoke: the sender deleted the earlier message ExternalID for
	// everyone; it stays for agents, marked deleted.
	Revoke bool
	// FromBusiness: the business sent this from the provider's own app
	// (the phone, Meta's inbox): stored as the business's message to the
	// contact, never sent again and not a customer message. Our own sends
	// echoed back are recognised by their provider id.
	FromBusiness bool
	// Comment: a public comment (on an Instagram post), not a private
	// message; agents answer it publicly or privately.
	Comment bool
	// Media are the provider's files on the message, fetched into
	// attachment storage after the webhook has been answered.
	Media []Media
	// AttachmentIDs are files the sender uploaded beforehand (webchat);
	// they must have been uploaded by Contact.ExternalID.
	AttachmentIDs []string
	// References are the provider ids of earlier messages this one
	// follows (an e-mail's In-Reply-To and References, nearest last): when
	// one of them is stored, the message joins that message's thread
	// instead of ThreadKey's.
	References []string
	// Subject, HTML and CC are an e-mail's: its subject, its HTML body
	// already sanitised (Text is the plain text agents read first), and the
	// other addresses it was sent to.
	Subject string
	HTML    string
	CC      []string
}

// InboundContact is the sender as the channel knows them.
type InboundContact struct {
	ExternalID string // the sender's id on the channel (phone, chat id, ...)
	Name       string
	Phone      string
	Email      string
}

// Media kinds.
const (
	MediaImage    = "image"
	MediaAudio    = "audio"
	MediaVoice    = "voice"
	MediaVideo    = "video"
	MediaDocument = "document"
	MediaSticker  = "sticker"
)

// Media is a file on an inbound message, as the provider names it.
type Media struct {
	Ref         string // what the adapter's FetchMedia needs to download it
	Kind        string // MediaImage, ...
	Name        string
	ContentType string
	Size        int64 // as announced; 0 unknown
	// Data is the file itself when the provider delivered it with the
	// message (an e-mail's parts): stored with the message, nothing to
	// fetch.
	Data []byte `json:"-"`
}

// Receipt is a provider's report on an outbound message, by the id the
// provider gave it. Statuses only move forward: sent < delivered < read;
// failed records the provider's reason.
type Receipt struct {
	ExternalID string
	// MessageID is our id when the provider echoes it back (WhatsApp's
	// biz_opaque_callback_data), so a receipt finds its message even if
	// the send's answer, and with it the provider's id, was lost.
	MessageID string
	Status    string // store.MessageSent, MessageDelivered, MessageRead, MessageFailed
	Reason    string
	At        time.Time
	Pricing   *Pricing // what the provider charges for the message, when it says
	// Contact and Until: a watermark receipt (Messenger's reads and
	// deliveries) of every message sent to the contact (its id on the
	// channel) up to Until, instead of one ExternalID.
	Contact string
	Until   time.Time
}

// Pricing is a provider's charge category for a message (WhatsApp's
// per-message pricing: type "regular" or "free_*", category marketing,
// utility, authentication, service).
type Pricing struct {
	Model    string
	Type     string
	Category string
}

// Batch is what one inbound request or connection event carries.
type Batch struct {
	Messages  []Inbound
	Receipts  []Receipt
	Templates []TemplateStatus
	// Fetches are resources a notification only names, read after the
	// webhook answered (the kind's ResourceFetcher).
	Fetches []Fetch
}

// Fetch is a provider resource a notification names (Mercado Livre's carry
// only the path of the question: they must be answered within 500 ms).
// Key is the notification's id: the same key twice is fetched once.
type Fetch struct {
	Key string
	Ref string
}

// Template is a message template as its provider knows it.
type Template struct {
	ProviderID string
	Name       string
	Language   string // pt_BR, en_US, ...
	Category   string // MARKETING, UTILITY, AUTHENTICATION
	Status     string // store.TemplateApproved, ...
	Reason     string
	Header     string
	Body       string // with {{1}}..{{n}}
	Footer     string
	Examples   []string // a sample value per body variable, for the review
	// Unsupported says why the template cannot be sent with body values
	// alone (a media header, a button with a variable).
	Unsupported string
}

// TemplateStatus is a provider's news about a template's review.
type TemplateStatus struct {
	ProviderID string
	Name       string
	Language   string
	Status     string
	Reason     string
}

// TemplateSend is an outbound message sent as an approved template.
type TemplateSend struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params"` // the body's variables, in order
}

// Outbound is an agent's message to deliver to a customer.
type Outbound struct {
	MessageID string // the idempotency key: the same id is never delivered twice
	// Channel has its settings opened (credentials in clear, in memory only).
	Channel   store.Channel
	To        string // the contact's id on the channel
	ThreadKey string // the conversation's thread, "" for none
	ReplyTo   string // provider id of the message answered, "" for none
	Text      string
	CreatedAt time.Time
	// Template: send this approved template instead of free text (Text is
	// its rendered body, for the record).
	Template *TemplateSend
	// FirstContact: the contact never wrote on this channel (kinds that
	// send on a connection are told, to warn before a ban for cold sends).
	FirstContact bool
	// CustomerWroteAt is the customer's last message in the conversation
	// (zero: never): Meta's human-agent tag is needed past 24 hours.
	CustomerWroteAt time.Time
	// Comment: a public reply to the comment ReplyTo (Instagram); a
	// message that is not one, in a comment thread, is a private reply
	// to ReplyTo.
	Comment bool
	// PublicURL is the app's URL providers reach ("" when none): kinds
	// whose provider fetches files by URL build FileLinks on it.
	PublicURL string
	// Subject, CC and References are an e-mail reply's (kinds with
	// Capabilities.Subjects): the thread's subject, the addresses the
	// customer's last mail was copied to, and the provider ids of the
	// thread's messages, oldest first.
	Subject    string
	CC         []string
	References []string
	Files      []OutboundFile
	// Counted is where a metered kind's Send records the provider's own
	// count of units (SMS segments) when it reports one; its count wins
	// over ours, and the difference is debited or refunded. nil elsewhere.
	Counted *int `json:"-"`
	// Open reads a file's bytes from attachment storage, for providers
	// that take uploads.
	Open func(ctx context.Context, fileID string) ([]byte, error) `json:"-"`
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
// recipient, a revoked token); its Reason is shown to the agent. Reauth:
// the channel's credentials no longer work; the channel is marked
// "needs re-authorization".
type PermanentError struct {
	Reason string
	Reauth bool
}

func (e *PermanentError) Error() string { return e.Reason }

// RetryAfterError is a provider asking to be called again later (a rate
// limit); the delivery waits at least After before its next attempt.
type RetryAfterError struct {
	After  time.Duration
	Reason string
}

func (e *RetryAfterError) Error() string { return e.Reason }

// WindowClosedReason is what an agent reads when the window has closed.
const WindowClosedReason = "window closed: send an approved template"

// LegacyServiceWindow is the window rule conversation workflows used
// before the window came with the ticket: kept, unchanged, so histories
// recorded then replay the same decisions. New code reads
// Capabilities.Window.
func LegacyServiceWindow(kind string, humanAgentTag bool) time.Duration {
	switch kind {
	case KindWhatsAppOfficial:
		return 24 * time.Hour
	case KindMessenger, KindInstagram:
		if humanAgentTag {
			return 7 * 24 * time.Hour
		}
		return 24 * time.Hour
	}
	return 0
}

// FieldError names the input field a customer or integrator got wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// MalformedError is a request that cannot be read at all (not JSON, a
// field of the wrong type): 400, where a FieldError is 422.
type MalformedError struct {
	Field  string
	Reason string
}

func (e *MalformedError) Error() string { return e.Reason }

// LocationText is how a shared location reads in the inbox: its name and
// address with a map link.
func LocationText(name, address string, lat, lng float64) string {
	text := fmt.Sprintf("📍 %s %s https://maps.google.com/?q=%.6f,%.6f", name, address, lat, lng)
	return strings.Join(strings.Fields(text), " ")
}
