package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
)

// ErrScheduledDone refuses an edit or cancel of a scheduled message that
// was already sent or canceled.
const ErrScheduledDone = "ScheduledDone"

// NewScheduled is a scheduled message as created through the API; the
// scheduled-message workflow's first step stores it, so a schedule never
// exists without the timer that sends it.
type NewScheduled struct {
	ID, AccountID, ConversationID, CardID, Body, CreatedBy string
	SendAt, CreatedAt                                      time.Time
}

// ScheduledRef names a scheduled message.
type ScheduledRef struct {
	AccountID, ID string
}

// SaveScheduled stores the new scheduled message, once.
func (c *CRM) SaveScheduled(ctx context.Context, in NewScheduled) error {
	m := store.ScheduledMessage{ID: in.ID, AccountID: in.AccountID, ConversationID: in.ConversationID, Body: in.Body, SendAt: in.SendAt,
		Status: store.ScheduledPending, CreatedAt: in.CreatedAt, UpdatedAt: in.CreatedAt}
	if in.CardID != "" {
		m.CardID = &in.CardID
	}
	if in.CreatedBy != "" {
		m.CreatedBy = &in.CreatedBy
	}
	return c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return scheduledEvent(tx, m)
	})
}

// EditScheduledInput changes a scheduled message's text and time.
type EditScheduledInput struct {
	AccountID, ID, Body string
	SendAt              time.Time
}

// EditScheduled stores an edit made before the message was sent.
func (c *CRM) EditScheduled(ctx context.Context, in EditScheduledInput) error {
	return c.setScheduled(ctx, in.AccountID, in.ID, map[string]any{"body": in.Body, "send_at": in.SendAt})
}

// FinishScheduledInput records how a scheduled message ended.
type FinishScheduledInput struct {
	AccountID, ID, Status, Reason, MessageID string
}

// FinishScheduled records a sent, failed or canceled scheduled message.
func (c *CRM) FinishScheduled(ctx context.Context, in FinishScheduledInput) error {
	fields := map[string]any{"status": in.Status, "failure_reason": in.Reason}
	if in.MessageID != "" {
		fields["message_id"] = in.MessageID
	}
	return c.setScheduled(ctx, in.AccountID, in.ID, fields)
}

func (c *CRM) setScheduled(ctx context.Context, accountID, id string, fields map[string]any) error {
	fields["updated_at"] = time.Now().UTC()
	return c.write(ctx, accountID, func(tx *gorm.DB) error {
		var m store.ScheduledMessage
		if err := tx.Take(&m, "id = ? AND account_id = ?", id, accountID).Error; err != nil {
			return err
		}
		if err := tx.Model(&m).Updates(fields).Error; err != nil {
			return err
		}
		if err := tx.Take(&m, "id = ?", id).Error; err != nil {
			return err
		}
		return scheduledEvent(tx, m)
	})
}

// SendScheduled sends the scheduled message through its conversation's
// workflow, keyed by the schedule's id so a retry sends once. The text
// is read now, so the last edit is what goes out.
func (c *CRM) SendScheduled(ctx context.Context, in ScheduledRef) (SendResult, error) {
	var m store.ScheduledMessage
	if err := c.DB.WithContext(ctx).Take(&m, "id = ? AND account_id = ?", in.ID, in.AccountID).Error; err != nil {
		return SendResult{}, err
	}
	var conv store.Conversation
	if err := c.DB.WithContext(ctx).Take(&conv, "id = ?", m.ConversationID).Error; err != nil {
		return SendResult{}, err
	}
	author := ""
	if m.CreatedBy != nil {
		author = *m.CreatedBy
	}
	return SendToConversation(ctx, c.Temporal, activity.GetInfo(ctx).TaskQueue, conv,
		SendRequest{UserID: author, Body: m.Body, IdempotencyKey: "scheduled:" + m.ID})
}

// scheduledEvent shows the schedule's new state to those who see its
// conversation.
func scheduledEvent(tx *gorm.DB, m store.ScheduledMessage) error {
	var conv store.Conversation
	if err := tx.Take(&conv, "id = ?", m.ConversationID).Error; err != nil {
		return err
	}
	return events.Append(tx, m.AccountID, ScheduledMessageUpdated, &conv, store.ScheduledView(m))
}
