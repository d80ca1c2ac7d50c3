// Package activities holds every side effect the workflows perform:
// database writes, channel sends, AI calls, webhook deliveries, charges.
// Each activity is idempotent: Temporal may run it more than once.
package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// ErrMessageNotFound is the non-retryable error type RecordInbound returns
// for a message id that does not exist in the conversation's account.
const ErrMessageNotFound = "MessageNotFound"

// Conversations persists the conversation workflow's state changes.
type Conversations struct {
	DB *gorm.DB
}

// OpenConversationInput identifies the ticket a workflow run opens.
type OpenConversationInput struct {
	AccountID  string
	ChannelID  string
	ContactID  string
	WorkflowID string
	RunID      string
}

// OpenConversation creates the conversation row for a workflow run and
// returns its id. The row is keyed by run id, so a retry returns the row the
// first attempt created.
func (c *Conversations) OpenConversation(ctx context.Context, in OpenConversationInput) (string, error) {
	var existing store.Conversation
	err := c.DB.WithContext(ctx).Where("run_id = ?", in.RunID).Take(&existing).Error
	if err == nil {
		return existing.ID, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	conv := store.Conversation{
		ID: store.NewID(), AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID,
		WorkflowID: in.WorkflowID, RunID: in.RunID, Status: store.StatusOpen, Priority: "normal",
	}
	if err := c.DB.WithContext(ctx).Create(&conv).Error; err != nil {
		if store.IsDuplicate(err) {
			return c.OpenConversation(ctx, in)
		}
		return "", err
	}
	return conv.ID, nil
}

// RecordInboundInput attaches a persisted inbound message to a ticket.
type RecordInboundInput struct {
	AccountID      string
	ConversationID string
	MessageID      string
}

// RecordInbound attaches the message to the conversation and moves the
// conversation's last-message times forward. Running it twice changes
// nothing the second time.
func (c *Conversations) RecordInbound(ctx context.Context, in RecordInboundInput) error {
	return c.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var msg store.Message
		err := tx.Where("id = ? AND account_id = ?", in.MessageID, in.AccountID).Take(&msg).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return temporal.NewNonRetryableApplicationError("message "+in.MessageID+" not found", ErrMessageNotFound, err)
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&store.Message{}).Where("id = ?", msg.ID).Update("conversation_id", in.ConversationID).Error; err != nil {
			return err
		}
		at := msg.CreatedAt
		return tx.Model(&store.Conversation{}).
			Where("id = ? AND account_id = ? AND (last_customer_message_at IS NULL OR last_customer_message_at < ?)", in.ConversationID, in.AccountID, at).
			Updates(map[string]any{"last_customer_message_at": at, "last_message_at": at, "updated_at": time.Now().UTC()}).Error
	})
}

// CloseConversationInput closes a ticket.
type CloseConversationInput struct {
	AccountID      string
	ConversationID string
	UserID         string
}

// CloseConversation marks the ticket closed; closing twice is harmless.
func (c *Conversations) CloseConversation(ctx context.Context, in CloseConversationInput) error {
	now := time.Now().UTC()
	return c.DB.WithContext(ctx).Model(&store.Conversation{}).
		Where("id = ? AND account_id = ? AND status <> ?", in.ConversationID, in.AccountID, store.StatusClosed).
		Updates(map[string]any{"status": store.StatusClosed, "closed_at": now, "updated_at": now}).Error
}
