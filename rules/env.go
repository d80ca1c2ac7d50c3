// Package rules compiles and evaluates the conditions managers write in
// expr-lang (github.com/expr-lang/expr), and holds the distribution
// strategies. Every event has its own typed environment, so a condition
// that names a field its event does not have fails when the rule is saved,
// with the line and column, not when it runs.
package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Events a rule can react to.
const (
	MessageCreated      = "message.created"
	ConversationCreated = "conversation.created"
	ConversationClosed  = "conversation.closed"
	ConversationIdle    = "conversation.idle"
	CardMoved           = "crm.card.moved"
	Scheduled           = "scheduled"
)

// Events lists every event, in the order the rule editor offers them.
var Events = []string{MessageCreated, ConversationCreated, ConversationClosed, ConversationIdle, CardMoved, Scheduled}

// Conversation is the ticket as conditions see it.
type Conversation struct {
	ID          string   `expr:"id"`
	Status      string   `expr:"status"`
	Priority    string   `expr:"priority"`
	Tags        []string `expr:"tags"`
	Unread      int      `expr:"unread"`
	Assigned    bool     `expr:"assigned"`
	TeamID      string   `expr:"team_id"`
	IdleMinutes int      `expr:"idle_minutes"`
	// Thread is what the conversation is about on channels with parallel
	// threads: "item:<listing id>" (Mercado Livre), "post:<media id>"
	// (Instagram comments), "mail:…" (an e-mail thread); "" for none.
	Thread string `expr:"thread"`
}

// Contact is the customer.
type Contact struct {
	Name  string   `expr:"name"`
	Phone string   `expr:"phone"`
	Email string   `expr:"email"`
	Tags  []string `expr:"tags"`
}

// Message is the message that fired message.created.
type Message struct {
	Text      string `expr:"text"`
	Direction string `expr:"direction"` // inbound or outbound
	Note      bool   `expr:"note"`
	// Comment: a public comment on a post (Instagram), not a private
	// message; a rule's reply to it goes privately, as a DM.
	Comment bool `expr:"comment"`
	// Subject is an e-mail's subject ("" for other channels).
	Subject string `expr:"subject"`
}

// Channel is the inbox the conversation came through.
type Channel struct {
	ID   string `expr:"id"`
	Kind string `expr:"kind"`
	Name string `expr:"name"`
}

// Assignee is the agent handling the conversation, zero when unassigned.
type Assignee struct {
	ID     string `expr:"id"`
	Name   string `expr:"name"`
	Status string `expr:"status"`
}

// Card is a CRM card, for crm.card.moved.
type Card struct {
	ID        string   `expr:"id"`
	Title     string   `expr:"title"`
	Value     float64  `expr:"value"`
	Pipeline  string   `expr:"pipeline"`
	FromStage string   `expr:"from_stage"`
	ToStage   string   `expr:"to_stage"`
	Tags      []string `expr:"tags"`
}

// Clock gives conditions the time in the account's time zone. Its
// functions read a fixed instant passed in, never the wall clock, so a
// condition evaluates the same way every time it is replayed.
type Clock struct {
	InBusinessHours func() bool   `expr:"inBusinessHours"`
	Weekday         func() string `expr:"weekday"` // "mon" ... "sun"
	Hour            func() int    `expr:"hour"`    // 0-23
}

// The environments, one per event.
type (
	// MessageEnv is message.created's environment.
	MessageEnv struct {
		Conversation Conversation `expr:"conversation"`
		Contact      Contact      `expr:"contact"`
		Message      Message      `expr:"message"`
		Channel      Channel      `expr:"channel"`
		Assignee     Assignee     `expr:"assignee"`
		Clock
	}
	// ConversationEnv serves conversation.created, .closed, .idle and
	// scheduled rules.
	ConversationEnv struct {
		Conversation Conversation `expr:"conversation"`
		Contact      Contact      `expr:"contact"`
		Channel      Channel      `expr:"channel"`
		Assignee     Assignee     `expr:"assignee"`
		Clock
	}
	// CardEnv is crm.card.moved's environment.
	CardEnv struct {
		Card    Card    `expr:"card"`
		Contact Contact `expr:"contact"`
		Clock
	}
)

// envFor returns the zero environment of an event, for compilation.
func envFor(event string) (any, bool) {
	switch event {
	case MessageCreated:
		return MessageEnv{}, true
	case ConversationCreated, ConversationClosed, ConversationIdle, Scheduled:
		// A scheduled rule runs at its times over each open conversation.
		return ConversationEnv{}, true
	case CardMoved:
		return CardEnv{}, true
	}
	return nil, false
}

// Hours are business hours per weekday in a time zone; a missing day is
// closed.
type Hours struct {
	Location *time.Location
	Days     map[time.Weekday][2]string // "09:00", "18:00"
}

var weekdayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekdayNames are the day keys of business hours, Sunday first.
var WeekdayNames = weekdayNames[:]

// ParseHours reads business hours stored as JSON {"mon":["09:00","18:00"]}
// in loc; it refuses unknown days and spans that do not open before they
// close ("HH:MM", 24 h).
func ParseHours(raw string, loc *time.Location) (Hours, error) {
	h := Hours{Location: loc, Days: map[time.Weekday][2]string{}}
	if raw == "" {
		return h, nil
	}
	var days map[string][2]string
	if err := json.Unmarshal([]byte(raw), &days); err != nil {
		return h, fmt.Errorf("business hours: %w", err)
	}
	for name, span := range days {
		i := slices.Index(weekdayNames[:], name)
		if i < 0 {
			return h, fmt.Errorf("business hours: unknown day %q (sun, mon, ... sat)", name)
		}
		open, err1 := time.Parse("15:04", span[0])
		closing, err2 := time.Parse("15:04", span[1])
		if err1 != nil || err2 != nil || !open.Before(closing) {
			return h, fmt.Errorf("business hours: %s must open before it closes, as HH:MM (24 h)", name)
		}
		h.Days[time.Weekday(i)] = span
	}
	return h, nil
}

// InSpan tells whether a local time falls in a day's business hours
// {"HH:MM" opening, "HH:MM" closing}: open from the opening minute until
// the closing one. A day that closes at 23:59 is open until midnight: that
// is what a manager means, and a time input cannot say 24:00.
func InSpan(local time.Time, span [2]string) bool {
	now := local.Format("15:04")
	return now >= span[0] && (now < span[1] || span[1] == "23:59")
}

// NewClock makes the clock functions for one instant.
func NewClock(at time.Time, h Hours) Clock {
	loc := h.Location
	if loc == nil {
		loc = time.UTC
	}
	local := at.In(loc)
	return Clock{
		InBusinessHours: func() bool {
			span, ok := h.Days[local.Weekday()]
			if !ok {
				return false
			}
			return InSpan(local, span)
		},
		Weekday: func() string { return weekdayNames[local.Weekday()] },
		Hour:    func() int { return local.Hour() },
	}
}

// Action is one step of an automation rule.
type Action struct {
	Type     string `json:"type"`
	UserID   string `json:"user_id,omitempty"`
	TeamID   string `json:"team_id,omitempty"`
	Tag      string `json:"tag,omitempty"`
	Priority string `json:"priority,omitempty"`
	Text     string `json:"text,omitempty"`
	Minutes  int    `json:"minutes,omitempty"`
	URL      string `json:"url,omitempty"`
	StageID  string `json:"stage_id,omitempty"` // create_card, move_card
}
