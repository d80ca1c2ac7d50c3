package store

import "time"

// Card statuses; only open cards sit on the board and run timers.
const (
	CardOpen     = "open"
	CardWon      = "won"
	CardLost     = "lost"
	CardArchived = "archived"
)

// Scheduled message statuses.
const (
	ScheduledPending  = "scheduled"
	ScheduledSent     = "sent"
	ScheduledFailed   = "failed"
	ScheduledCanceled = "canceled"
)

// Pipeline is a Kanban board: a flow of ordered stages.
type Pipeline struct {
	ID        string
	AccountID string
	Name      string
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Stage is a column of a pipeline. EntryMessage is sent to the card's
// conversations when a card enters; StaleDays raises an alert when a card
// stays longer (0: never).
type Stage struct {
	ID           string
	AccountID    string
	PipelineID   string
	Name         string
	Position     int
	EntryMessage string
	StaleDays    int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StageQuickReply is a text an agent sends with one click to the
// conversation of a card in that stage.
type StageQuickReply struct {
	ID        string
	AccountID string
	StageID   string
	Title     string
	Text      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Card is a deal, ticket or task on a pipeline.
type Card struct {
	ID             string
	AccountID      string
	PipelineID     string
	StageID        string
	Position       int
	Title          string
	ValueCents     int64
	ContactID      *string
	DueAt          *time.Time
	Priority       string
	Tags           string // comma-separated, sorted
	CustomFields   string // JSON object of strings
	Status         string
	EnteredStageAt time.Time
	CreatedBy      *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CardAssignee is one of the people responsible for a card.
type CardAssignee struct {
	CardID string
	UserID string
}

// CardConversation links a card to a conversation.
type CardConversation struct {
	CardID         string
	ConversationID string
	CreatedAt      time.Time
}

// CardNote is an internal note on a card.
type CardNote struct {
	ID        string
	AccountID string
	CardID    string
	AuthorID  *string
	Body      string
	CreatedAt time.Time
}

// CardEvent is a line of a card's history. Key, when set, makes a
// retried write land once.
type CardEvent struct {
	ID        string
	AccountID string
	CardID    string
	Kind      string
	Detail    string
	ActorID   *string
	Key       *string
	CreatedAt time.Time
}

// FollowUp is an appointment or task on a card, shown in the agenda.
type FollowUp struct {
	ID        string
	AccountID string
	CardID    string
	Title     string
	DueAt     time.Time
	Done      bool
	CreatedBy *string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ScheduledMessage is a message to send to a conversation at a set time;
// the workflow scheduled-message/<id> owns it until it fires.
type ScheduledMessage struct {
	ID             string
	AccountID      string
	ConversationID string
	CardID         *string
	Body           string
	SendAt         time.Time
	Status         string
	FailureReason  string
	MessageID      *string
	CreatedBy      *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ScheduledMessageView is a scheduled message as the API and the stream
// show it.
type ScheduledMessageView struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	CardID         *string   `json:"card_id"`
	Body           string    `json:"body"`
	SendAt         time.Time `json:"send_at"`
	Status         string    `json:"status"`
	FailureReason  string    `json:"failure_reason"`
	MessageID      *string   `json:"message_id"`
	CreatedBy      *string   `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// ScheduledView is the view of m.
func ScheduledView(m ScheduledMessage) ScheduledMessageView {
	return ScheduledMessageView{ID: m.ID, ConversationID: m.ConversationID, CardID: m.CardID, Body: m.Body, SendAt: m.SendAt.UTC(),
		Status: m.Status, FailureReason: m.FailureReason, MessageID: m.MessageID, CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt.UTC()}
}
