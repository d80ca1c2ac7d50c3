// Package activities holds every side effect the workflows perform:
// database writes, channel sends, AI calls, webhook deliveries, charges.
// Each activity is idempotent: Temporal may run it more than once.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"go.temporal.io/sdk/client"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
	"github.com/chatspot/chatspot/rules"
)

// Error types the workflow tells apart.
const (
	ErrMessageNotFound = "MessageNotFound"
	ErrAlreadyRecorded = "AlreadyRecorded" // the message belongs to another ticket already
	ErrProviderRefused = "ProviderRefused"
)

// Conversations persists the conversation workflow's state changes and
// delivers its outbound messages.
type Conversations struct {
	DB       *gorm.DB
	Bus      events.Bus
	Channels *channels.Registry
	Secrets  *secrets.Box  // opens the credentials sealed in channel settings
	Temporal client.Client // starts new tickets' distributions
	NoRules  *NoRules      // lets RecordInbounds tell the workflow there are no message rules to ask for
	// PublicURL is the app's URL providers reach; "" when none (kinds
	// that fetch sent files by URL cannot send files then).
	PublicURL string

	limits sync.Map // channel id -> *rate.Limiter: the kind's declared send rate
}

// write runs fn in a transaction and wakes the account's streams after it
// committed.
func (c *Conversations) write(ctx context.Context, accountID string, fn func(tx *gorm.DB) error) error {
	if err := c.DB.WithContext(ctx).Transaction(fn); err != nil {
		return err
	}
	if c.Bus != nil {
		c.Bus.Notify(accountID)
	}
	return nil
}

// conversationEvent appends conversation.updated with the ticket's view,
// and the integrators' webhook events named, with the same view.
func conversationEvent(ctx context.Context, tx *gorm.DB, conv store.Conversation, hooks ...string) error {
	v, err := store.ConversationViewOf(ctx, tx, conv)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if err := webhooks.Enqueue(tx, conv.AccountID, h, v); err != nil {
			return err
		}
	}
	return events.Append(tx, conv.AccountID, events.ConversationUpdated, &conv, v)
}

// integratorEvents names the webhook events a change of a ticket makes.
func integratorEvents(before, after store.Conversation) []string {
	var out []string
	if after.AssigneeID != nil && (before.AssigneeID == nil || *before.AssigneeID != *after.AssigneeID) {
		out = append(out, webhooks.ConversationAssigned)
	}
	switch {
	case after.Status == store.StatusClosed && before.Status != store.StatusClosed:
		out = append(out, webhooks.ConversationClosed)
	case before.Status == store.StatusClosed && after.Status != store.StatusClosed:
		out = append(out, webhooks.ConversationReopened)
	}
	return out
}

// OpenConversationInput identifies the ticket a workflow run opens.
type OpenConversationInput struct {
	AccountID      string
	ChannelID      string
	ContactID      string
	ThreadKey      string
	WorkflowID     string
	RunID          string
	ConversationID string // set when a run continues or reopens a ticket
}

// Ticket is what the workflow needs to know about its ticket and channel.
type Ticket struct {
	ConversationID string
	ChannelKind    string
	// Window and HumanAgentWindow are the channel kind's customer-service
	// windows (channels.Capabilities); 0: none.
	Window                time.Duration
	HumanAgentWindow      time.Duration
	AutoCloseAfter        time.Duration // 0: never
	FirstResponseSLA      time.Duration // 0: none
	Status                string
	AssigneeID            string
	TeamID                string
	Priority              string
	Tags                  []string
	LastCustomerMessageAt time.Time
	FirstResponseAt       time.Time
	// SendsOnConnection: the channel sends through its live connection, on
	// the worker holding it (channels.Capabilities).
	SendsOnConnection bool
	// Distributes is whether the account has enabled distribution rules,
	// so tickets of accounts without any skip the distribution workflow.
	Distributes bool
	// IdleSteps are the distinct waits of the account's conversation.idle
	// rules, shortest first.
	IdleSteps []time.Duration
}

// threadInfo is what a new conversation's thread is known to be before
// the provider describes it: its kind.
func (c *Conversations) threadInfo(kind, key string) string {
	if key == "" || c.Channels == nil {
		return ""
	}
	a, _ := c.Channels.Adapter(kind)
	d, ok := a.(channels.ThreadDescriber)
	if !ok {
		return ""
	}
	b, _ := json.Marshal(channels.ThreadInfo{Kind: d.ThreadKind(key), Key: key})
	return string(b)
}

// channelTimers are the per-channel settings of the conversation timers.
type channelTimers struct {
	AutoCloseAfter   string `json:"auto_close_after"`
	FirstResponseSLA string `json:"first_response_sla"`
	// HumanAgentTag: the channel may answer with Meta's human-agent tag
	// (its longer window applies only then).
	HumanAgentTag bool `json:"human_agent_tag"`
}

// OpenConversation creates the conversation row for a workflow run, or
// loads the ticket the run continues, and returns it with its channel's
// settings. A new row is keyed by run id, so a retry returns the row the
// first attempt created.
func (c *Conversations) OpenConversation(ctx context.Context, in OpenConversationInput) (Ticket, error) {
	var ch store.Channel
	if err := c.DB.WithContext(ctx).Take(&ch, "id = ?", in.ChannelID).Error; err != nil {
		return Ticket{}, err
	}
	var conv store.Conversation
	q := c.DB.WithContext(ctx).Where("run_id = ?", in.RunID)
	if in.ConversationID != "" {
		q = c.DB.WithContext(ctx).Where("id = ? AND account_id = ?", in.ConversationID, in.AccountID)
	}
	err := q.Take(&conv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) && in.ConversationID == "" {
		conv = store.Conversation{
			ID: store.NewID(), AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID,
			WorkflowID: in.WorkflowID, RunID: in.RunID, ThreadKey: in.ThreadKey, Status: store.StatusOpen, Priority: "normal",
			ThreadInfo: c.threadInfo(ch.Kind, in.ThreadKey),
		}
		err = c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
			if err := tx.Create(&conv).Error; err != nil {
				return err
			}
			return conversationEvent(ctx, tx, conv, webhooks.ConversationCreated)
		})
		if store.IsDuplicate(err) {
			return c.OpenConversation(ctx, in)
		}
	}
	if err != nil {
		return Ticket{}, err
	}
	if conv.RunID != in.RunID { // a continued or reopened ticket now belongs to this run
		if err := c.DB.WithContext(ctx).Model(&conv).Update("run_id", in.RunID).Error; err != nil {
			return Ticket{}, err
		}
	}
	var timers channelTimers
	_ = json.Unmarshal([]byte(ch.Settings), &timers) // absent or malformed settings mean no timers
	t := Ticket{ConversationID: conv.ID, ChannelKind: ch.Kind, Status: conv.Status, Priority: conv.Priority, Tags: store.SplitTags(conv.Tags)}
	if c.Channels != nil {
		caps := c.Channels.Capabilities(ch.Kind)
		t.Window = caps.Window
		if timers.HumanAgentTag {
			t.HumanAgentWindow = caps.HumanAgentWindow
		}
		if caps.Comments && conv.ThreadKey != "" {
			// A post's comments: a private reply may follow a comment for
			// its own window; public replies have none.
			t.Window, t.HumanAgentWindow = caps.CommentReplyWindow, 0
		}
		t.SendsOnConnection = caps.SendsOnConnection
	}
	t.AutoCloseAfter, _ = time.ParseDuration(timers.AutoCloseAfter)
	t.FirstResponseSLA, _ = time.ParseDuration(timers.FirstResponseSLA)
	if conv.AssigneeID != nil {
		t.AssigneeID = *conv.AssigneeID
	}
	if conv.TeamID != nil {
		t.TeamID = *conv.TeamID
	}
	if conv.LastCustomerMessageAt != nil {
		t.LastCustomerMessageAt = *conv.LastCustomerMessageAt
	}
	if conv.FirstResponseAt != nil {
		t.FirstResponseAt = *conv.FirstResponseAt
	}
	var rules int64
	if err := c.DB.WithContext(ctx).Model(&store.Rule{}).Where("account_id = ? AND kind = ? AND enabled", in.AccountID, "distribution").Count(&rules).Error; err != nil {
		return Ticket{}, err
	}
	t.Distributes = rules > 0
	var idle []int
	if err := c.DB.WithContext(ctx).Model(&store.Rule{}).Where("account_id = ? AND kind = ? AND enabled AND event = ? AND idle_minutes > 0",
		in.AccountID, "automation", "conversation.idle").Distinct("idle_minutes").Order("idle_minutes").Pluck("idle_minutes", &idle).Error; err != nil {
		return Ticket{}, err
	}
	for _, m := range idle {
		t.IdleSteps = append(t.IdleSteps, time.Duration(m)*time.Minute)
	}
	return t, nil
}

// RecordInboundInput attaches a persisted inbound message to a ticket.
type RecordInboundInput struct {
	AccountID      string
	ConversationID string
	MessageID      string
}

// RecordInbound attaches the message to the conversation, counts it unread
// and moves the last-message times forward; it returns when the customer
// sent it. Running it twice changes nothing the second time.
func (c *Conversations) RecordInbound(ctx context.Context, in RecordInboundInput) (time.Time, error) {
	var at time.Time
	err := c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		var moved bool
		var err error
		if at, moved, err = recordInbound(tx, in.AccountID, in.ConversationID, in.MessageID); err != nil || !moved {
			return err
		}
		return ticketEvent(ctx, tx, in.AccountID, in.ConversationID)
	})
	return at, err
}

// RecordInboundsInput attaches several persisted inbound messages to a
// ticket, in order.
type RecordInboundsInput struct {
	AccountID      string
	ConversationID string
	MessageIDs     []string
}

// Recorded is what RecordInbounds did with one message: when the customer
// sent it, or why it was left out (ErrMessageNotFound, ErrAlreadyRecorded).
type Recorded struct {
	MessageID string
	At        time.Time
	Skipped   string
	// NoMessageRules: the account had no enabled message.created
	// automation rule when the message was recorded, so the workflow need
	// not ask (a local activity and a history event per message saved).
	// Histories written before it decode it as false and ask, as they did.
	NoMessageRules bool
}

// RecordInbounds is RecordInbound for the messages a workflow task took
// together, in one transaction with one event for the agents.
func (c *Conversations) RecordInbounds(ctx context.Context, in RecordInboundsInput) ([]Recorded, error) {
	var out []Recorded
	err := c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		out = out[:0]
		anyMoved := false
		for _, id := range in.MessageIDs {
			at, moved, err := recordInbound(tx, in.AccountID, in.ConversationID, id)
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) && (appErr.Type() == ErrMessageNotFound || appErr.Type() == ErrAlreadyRecorded) {
				out = append(out, Recorded{MessageID: id, Skipped: appErr.Type()})
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, Recorded{MessageID: id, At: at})
			anyMoved = anyMoved || moved
		}
		if !anyMoved {
			return nil
		}
		return ticketEvent(ctx, tx, in.AccountID, in.ConversationID)
	})
	if err != nil || c.NoRules == nil {
		return out, err
	}
	// Asked after the transaction; if it fails, the workflow asks itself.
	if none, err := c.NoRules.Check(ctx, c.DB, in.AccountID, rules.MessageCreated); err == nil && none {
		for i := range out {
			out[i].NoMessageRules = out[i].Skipped == ""
		}
	}
	return out, nil
}

// recordInbound is one message of RecordInbound(s); moved tells whether
// the ticket's view changed (ingestion usually attached the message and
// told the agents already).
func recordInbound(tx *gorm.DB, accountID, conversationID, messageID string) (at time.Time, moved bool, err error) {
	var msg store.Message
	err = tx.Where("id = ? AND account_id = ?", messageID, accountID).Take(&msg).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return at, false, temporal.NewNonRetryableApplicationError("message "+messageID+" not found", ErrMessageNotFound, err)
	}
	if err != nil {
		return at, false, err
	}
	at = msg.CreatedAt
	if msg.RecordedAt != nil && msg.ConversationID != nil && *msg.ConversationID != conversationID {
		return at, false, temporal.NewNonRetryableApplicationError("message "+msg.ID+" is in another ticket", ErrAlreadyRecorded, nil)
	}
	var conv store.Conversation
	if err := tx.Take(&conv, "id = ? AND account_id = ?", conversationID, accountID).Error; err != nil {
		return at, false, err
	}
	alreadyHere := msg.ConversationID != nil && *msg.ConversationID == conv.ID
	if err := tx.Model(&msg).Updates(map[string]any{"conversation_id": conv.ID, "recorded_at": time.Now().UTC()}).Error; err != nil {
		return at, false, err
	}
	if alreadyHere && conv.LastCustomerMessageAt != nil && !conv.LastCustomerMessageAt.Before(at) {
		return at, false, nil
	}
	updates := map[string]any{"updated_at": time.Now().UTC()}
	if conv.LastCustomerMessageAt == nil || conv.LastCustomerMessageAt.Before(at) {
		updates["last_customer_message_at"] = at
		updates["last_message_at"] = at
	}
	if !alreadyHere {
		updates["unread"] = gorm.Expr("unread + 1")
	}
	return at, true, tx.Model(&conv).Updates(updates).Error
}

// ticketEvent publishes the ticket's current view.
func ticketEvent(ctx context.Context, tx *gorm.DB, accountID, conversationID string) error {
	var conv store.Conversation
	if err := tx.Take(&conv, "id = ? AND account_id = ?", conversationID, accountID).Error; err != nil {
		return err
	}
	return conversationEvent(ctx, tx, conv)
}

// Change is a patch of a ticket; nil fields stay as they are.
type Change struct {
	AccountID      string
	ConversationID string
	Status         *string
	AssigneeID     *string // "" unassigns
	TeamID         *string // "" removes the team
	Priority       *string
	Tags           []string // the whole new set, when TagsSet
	TagsSet        bool
	SnoozedUntil   *time.Time // zero time clears
	SLABreached    bool
	FirstResponse  *time.Time
}

// ChangeConversation applies a patch and publishes the new view.
func (c *Conversations) ChangeConversation(ctx context.Context, ch Change) error {
	now := time.Now().UTC()
	updates := map[string]any{"updated_at": now}
	if ch.Status != nil {
		updates["status"] = *ch.Status
		if *ch.Status == store.StatusClosed {
			updates["closed_at"] = now
		} else {
			updates["closed_at"] = nil
		}
		if *ch.Status != store.StatusSnoozed {
			updates["snoozed_until"] = nil
		}
	}
	if ch.AssigneeID != nil {
		updates["assignee_id"] = nullable(*ch.AssigneeID)
	}
	if ch.TeamID != nil {
		updates["team_id"] = nullable(*ch.TeamID)
	}
	if ch.Priority != nil {
		updates["priority"] = *ch.Priority
	}
	if ch.TagsSet {
		tags := slices.Clone(ch.Tags)
		slices.Sort(tags)
		updates["tags"] = strings.Join(slices.Compact(tags), ",")
	}
	if ch.SnoozedUntil != nil {
		if ch.SnoozedUntil.IsZero() {
			updates["snoozed_until"] = nil
		} else {
			updates["snoozed_until"] = ch.SnoozedUntil.UTC()
		}
	}
	if ch.SLABreached {
		updates["sla_breached_at"] = now
	}
	if ch.FirstResponse != nil {
		updates["first_response_at"] = ch.FirstResponse.UTC()
	}
	return c.write(ctx, ch.AccountID, func(tx *gorm.DB) error {
		var before, conv store.Conversation
		if err := tx.Take(&before, "id = ? AND account_id = ?", ch.ConversationID, ch.AccountID).Error; err != nil {
			return err
		}
		if err := tx.Model(&before).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Take(&conv, "id = ?", before.ID).Error; err != nil {
			return err
		}
		return conversationEvent(ctx, tx, conv, integratorEvents(before, conv)...)
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
