package store

import (
	"slices"
	"strings"
	"time"
)

// The models mirror the tables created by migrations/; the migrations are
// the source of truth for the schema, GORM only maps rows.

// Account is a tenant: a company with its contracted seats and modules.
type Account struct {
	ID       string
	Name     string
	Seats    int
	Modules  string // comma-separated: api, ai, crm, vip
	Channels string // enabled channel kinds, comma-separated; "" enables every kind
	Timezone string
	// BusinessHours is JSON {"mon":["09:00","18:00"], ...}: the opening
	// hours rules see through inBusinessHours(); "" is none.
	BusinessHours string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// User is a person who logs in; their profile says what they may do.
type User struct {
	ID           string
	AccountID    string
	Email        string
	Name         string
	PasswordHash string
	ProfileID    string
	Active       bool
	Status       string // online, away, offline
	Capacity     int    // most conversations at once, for distribution
	FailedLogins int
	LockedUntil  *time.Time
	LastLoginAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Profile is a named set of permissions (a role). Built-in profiles have
// a BuiltinKey: admin, manager or agent.
type Profile struct {
	ID          string
	AccountID   string
	BuiltinKey  *string
	Name        string
	Permissions string // comma-separated; "*" is every permission
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Team is a department or queue of agents.
type Team struct {
	ID        string
	AccountID string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TeamMember puts a user in a team.
type TeamMember struct {
	TeamID    string
	UserID    string
	AccountID string
}

// Session is one login: it holds a seat while active.
type Session struct {
	ID          string // SHA-256 of the cookie token
	AccountID   string
	UserID      string
	CSRFToken   string `gorm:"column:csrf_token"`
	UserAgent   string
	IP          string `gorm:"column:ip"`
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time
	EndedAt     *time.Time
	EndedReason string
}

// APIToken lets an integrator call the API with a subset of permissions.
type APIToken struct {
	ID          string
	AccountID   string
	Name        string
	Prefix      string // first characters, shown to tell tokens apart
	TokenHash   string
	Permissions string
	CreatedBy   string
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// TableName keeps GORM from pluralising to "api_tokens" differently.
func (APIToken) TableName() string { return "api_tokens" }

// AuditEntry records who did what: sign-ins, permission changes, tokens.
type AuditEntry struct {
	ID        string
	AccountID string
	ActorID   string
	ActorKind string // user, token, system
	Action    string
	Target    string
	Detail    string
	IP        string `gorm:"column:ip"`
	CreatedAt time.Time
}

// TableName is audit_log.
func (AuditEntry) TableName() string { return "audit_log" }

// Channel is an inbox of one kind (api, webchat, whatsapp, ...).
type Channel struct {
	ID        string
	AccountID string
	Kind      string
	Name      string
	Settings  string // JSON object, kind-specific
	Active    bool
	// Health as the channel's activation and connection last reported it
	// (ChannelConnected, ...); "" for kinds that have no connection.
	Status       string
	StatusReason string
	StatusAt     *time.Time
	Activation   string // JSON channels.Activation: the last activation's steps
	// ConnectionQueue is the task queue of the worker holding the channel's
	// live connection, for kinds whose sends need it; "" when none does.
	ConnectionQueue string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Channel health.
const (
	ChannelPending      = "pending"
	ChannelConnected    = "connected"
	ChannelDisconnected = "disconnected"
	ChannelNeedsReauth  = "needs_reauth"
	ChannelBanned       = "banned"
	ChannelInactive     = "inactive"
)

// ChannelCursor is where a stateful connection's sync stands (an IMAP
// folder's UIDVALIDITY and last UID), saved after what it covers is stored.
type ChannelCursor struct {
	ChannelID string `gorm:"primaryKey"`
	Name      string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

// InboundMedia is a provider's file on an inbound message, fetched into
// attachment storage by an activity after the webhook answered.
type InboundMedia struct {
	ID           string
	AccountID    string
	ChannelID    string
	MessageID    string
	Ref          string // the provider's reference (file id, media id, URL)
	Kind         string // image, audio, voice, video, document, sticker
	Name         string
	ContentType  string
	Size         int64
	Status       string // MediaPending, MediaStored, MediaFailed
	Error        string
	AttachmentID *string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName keeps the plural the migration uses.
func (InboundMedia) TableName() string { return "inbound_media" }

// InboundMedia statuses.
const (
	MediaPending = "pending"
	MediaStored  = "stored"
	MediaFailed  = "failed"
)

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
	ThreadKey             string // "" for the contact's one conversation on the channel
	ThreadInfo            string // JSON channels.ThreadInfo: what the thread is about, "" until described
	ThreadInfoAt          *time.Time
	Status                string
	AssigneeID            *string
	TeamID                *string
	Priority              string
	Tags                  string // comma-separated, sorted
	Unread                int    // customer messages since an agent last read
	SnoozedUntil          *time.Time
	SLABreachedAt         *time.Time `gorm:"column:sla_breached_at"`
	QueuedAt              *time.Time // waiting in a distribution rule's queue since
	QueueRuleID           *string
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
	Kind           string // text, or note: private, never sent to the customer
	AuthorID       *string
	Body           string
	Attempts       int        // delivery attempts
	RecordedAt     *time.Time // inbound: when its workflow took it in
	Status         string
	FailureReason  string
	ExternalID     *string
	IdempotencyKey *string
	ThreadKey      string     // inbound: the conversation thread it belongs to
	ReplyToID      *string    // the message this one answers
	EditedAt       *time.Time // the sender edited it
	RevokedAt      *time.Time // the sender deleted it for everyone (or the business deleted a comment)
	HiddenAt       *time.Time // the business hid the comment at the provider
	// E-mail: the subject, the HTML body as sanitised on the way in ("" for
	// plain-text mail), and the addresses copied, comma-separated.
	Subject string
	HTML    string `gorm:"column:html"`
	CC      string `gorm:"column:cc"`
	// What the provider charges for an outbound message, from its
	// statuses (WhatsApp: type regular or free_*, category marketing, ...).
	PricingType     string
	PricingCategory string
	// CostUnits is what a send on a metered channel (SMS) was priced at:
	// its segments, the provider's count once it reports one.
	CostUnits int
	// Template is the template an outbound message was sent as (JSON
	// channels.TemplateSend); "" for free text.
	Template  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MessageTemplate is a channel's template (WhatsApp Official's message
// templates), as the provider last reported it.
type MessageTemplate struct {
	ID         string `json:"id"`
	AccountID  string `json:"-"`
	ChannelID  string `json:"channel_id"`
	ProviderID string `json:"-"`
	Name       string `json:"name"`
	Language   string `json:"language"`
	Category   string `json:"category"`
	Status     string `json:"status"` // TemplateApproved, ...
	Reason     string `json:"reason"`
	Header     string `json:"header"`
	Body       string `json:"body"`
	Footer     string `json:"footer"`
	Params     int    `json:"params"` // the body's variables {{1}}..{{n}}
	Examples   string `json:"-"`      // JSON array of sample values, for the review
	// Unsupported says why CHATSPOT cannot send this template (a media
	// header, a button with a variable); "" when it can.
	Unsupported string    `json:"unsupported"`
	CreatedAt   time.Time `json:"-"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Template statuses: Meta's, plus ours while and if the submission fails.
const (
	TemplateSubmitting = "SUBMITTING"
	TemplateFailed     = "FAILED"
	TemplatePending    = "PENDING"
	TemplateApproved   = "APPROVED"
	TemplateRejected   = "REJECTED"
	TemplateDeleted    = "DELETED" // ours: gone from the provider's account
)

// Message kinds.
const (
	KindText = "text"
	KindNote = "note"
	// KindComment is a public comment (an Instagram post's), the
	// customer's or the business's public reply.
	KindComment = "comment"
)

// Event is one entry of the realtime log the agent stream replays.
type Event struct {
	ID             int64
	TxID           int64 // PostgreSQL: the writing transaction; orders the log with ID (events.Position)
	AccountID      string
	Kind           string
	ConversationID *string
	AssigneeID     *string
	TeamID         *string
	Payload        string
	CreatedAt      time.Time
}

// QuickReply is a text agents insert by typing "/" and its shortcut.
type QuickReply struct {
	ID        string    `json:"id"`
	AccountID string    `json:"-"`
	Shortcut  string    `json:"shortcut"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Rule is a distribution or automation rule.
type Rule struct {
	ID            string
	AccountID     string
	Kind          string
	Name          string
	Event         string
	Condition     string
	Position      int
	Enabled       bool
	Version       int
	Strategy      string
	TargetTeamID  *string
	TargetUserIDs string // comma-separated
	OfferTimeoutS int    `gorm:"column:offer_timeout_s"`
	Actions       string // JSON array
	// LastAssignedUserID is the round-robin cursor.
	LastAssignedUserID string
	IdleMinutes        int    // conversation.idle: minutes without activity
	Schedule           string // scheduled: cron expression in the account's time zone
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ChannelEnabled reports whether the account's plan includes a channel
// kind.
func (a Account) ChannelEnabled(kind string) bool {
	if strings.TrimSpace(a.Channels) == "" {
		return true
	}
	return slices.Contains(SplitTags(a.Channels), kind)
}

// Attachment is a file sent with a message; Data is loaded only to serve it.
type Attachment struct {
	ID          string
	AccountID   string
	MessageID   *string
	UploaderID  string
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	Data        []byte
	CreatedAt   time.Time
}

// AttachmentView is an attachment as messages list it.
type AttachmentView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

// RuleRun is one entry of a conversation's rule trail: what a rule decided
// or did, and the result.
type RuleRun struct {
	ID             string    `json:"id"`
	AccountID      string    `json:"-"`
	ConversationID string    `json:"conversation_id"`
	RuleID         string    `json:"rule_id"`
	RuleName       string    `json:"rule_name"`
	Event          string    `json:"event"`
	Outcome        string    `json:"outcome"`
	Detail         string    `json:"detail"`
	CreatedAt      time.Time `json:"created_at"`
}
