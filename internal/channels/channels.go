// Package channels defines what every channel kind shares: the normalised
// inbound message. Each kind lives in its own package below this one.
package channels

import "time"

// Kinds of channel.
const (
	KindAPI     = "api"
	KindWebchat = "webchat"
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
}

// InboundContact is the sender as the channel knows them.
type InboundContact struct {
	ExternalID string // the sender's id on the channel (phone, chat id, ...)
	Name       string
	Phone      string
	Email      string
}
