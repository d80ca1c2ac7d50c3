package store

import (
	"time"
)

// The models mirror the tables created by migrations/; the migrations are
// the source of truth for the schema, GORM only maps rows.

// Account is a tenant: a company with its contracted seats and modules.
type Account struct {
	ID        string
	Name      string
	Seats     int
	Modules   string // comma-separated: api, ai, crm, vip
	Timezone  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a person who logs in: admin, manager or agent.
type User struct {
	ID           string
	AccountID    string
	Email        string
	Name         string
	PasswordHash string `json:"-"`
	Role         string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Channel is an inbox of one kind (api, webchat, whatsapp, ...).
type Channel struct {
	ID        string
	AccountID string
	Kind      string
	Name      string
	Settings  string // JSON object, kind-specific
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Contact is a customer, whatever channels they write from.
type Contact struct {
	ID        string
	AccountID string
	Name      string
	Phone     string
	Email     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ContactIdentity is how a contact is known on one channel.
type ContactIdentity struct {
	ID         string
	AccountID  string
	ContactID  string
	ChannelID  string
	ExternalID string
	CreatedAt  time.Time
}

// Conversation statuses.
const (
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusSnoozed = "snoozed"
	StatusClosed  = "closed"
)

// Conversation is one ticket: one run of the conversation workflow.
type Conversation struct {
	ID                    string
	AccountID             string
	ChannelID             string
	ContactID             string
	WorkflowID            string
	RunID                 string
	Status                string
	AssigneeID            *string
	Priority              string
	LastMessageAt         *time.Time
	LastCustomerMessageAt *time.Time
	FirstResponseAt       *time.Time
	ClosedAt              *time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Message directions and statuses.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"

	MessageReceived  = "received"
	MessageQueued    = "queued"
	MessageSent      = "sent"
	MessageDelivered = "delivered"
	MessageRead      = "read"
	MessageFailed    = "failed"
)

// Message is one message of a conversation, either way.
type Message struct {
	ID             string
	AccountID      string
	ChannelID      string
	ContactID      string
	ConversationID *string
	Direction      string
	AuthorID       *string
	Body           string
	Status         string
	FailureReason  string
	ExternalID     *string
	IdempotencyKey *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}
