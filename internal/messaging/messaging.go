// Package messaging holds the message writes that several places make —
// the workflow's activities, the API, the webchat stream — each with the
// event agents' screens follow.
package messaging

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// AppendEvent appends message.created (the full view) or
// message.status_changed (id, status, reason) for msg.
func AppendEvent(ctx context.Context, tx *gorm.DB, kind string, msg store.Message) error {
	var conv *store.Conversation
	if msg.ConversationID != nil {
		var cv store.Conversation
		if err := tx.Take(&cv, "id = ?", *msg.ConversationID).Error; err != nil {
			return err
		}
		conv = &cv
	}
	if kind == events.MessageStatusChanged {
		status := map[string]any{"id": msg.ID, "conversation_id": msg.ConversationID, "status": msg.Status, "failure_reason": msg.FailureReason}
		if msg.Kind != store.KindNote {
			if err := webhooks.Enqueue(tx, msg.AccountID, webhooks.MessageStatusChanged, status); err != nil {
				return err
			}
		}
		return events.Append(tx, msg.AccountID, kind, conv, status)
	}
	views, err := store.MessageViews(ctx, tx, []store.Message{msg})
	if err != nil {
		return err
	}
	// Private notes stay inside the team; integrators hear of a message once.
	if msg.Kind != store.KindNote && kind == events.MessageCreated {
		if err := webhooks.Enqueue(tx, msg.AccountID, webhooks.MessageCreated, views[0]); err != nil {
			return err
		}
	}
	return events.Append(tx, msg.AccountID, kind, conv, views[0])
}

// SetStatus moves a message to status (with the failure reason, and the
// provider's id when it has one) and tells the agents' streams.
func SetStatus(ctx context.Context, db *gorm.DB, bus events.Bus, msg store.Message, status, reason string, providerID *string) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		updates := map[string]any{"status": status, "failure_reason": reason, "updated_at": time.Now().UTC()}
		if providerID != nil {
			updates["external_id"] = *providerID
		}
		if err := tx.Model(&msg).Updates(updates).Error; err != nil {
			return err
		}
		if status == store.MessageFailed && msg.Direction == store.DirectionOutbound {
			// A send that finally failed costs nothing: what a metered
			// channel (SMS) reserved for it goes back to the balance.
			if err := billing.SetMessageCost(ctx, tx, msg.AccountID, msg.ID, 0, "Estorno: o envio falhou"); err != nil {
				return err
			}
		}
		msg.Status, msg.FailureReason = status, reason
		return AppendEvent(ctx, tx, events.MessageStatusChanged, msg)
	})
	if err == nil && bus != nil {
		bus.Notify(msg.AccountID)
	}
	return err
}
