package messaging

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// SetChannelStatus records a channel's health (store.ChannelConnected,
// ...) with its reason; a change is published to agents' screens and sent
// as the channel.status_changed account webhook. The same status again
// changes nothing.
func SetChannelStatus(ctx context.Context, db *gorm.DB, bus events.Bus, channelID, status, reason string) error {
	changed := false
	var ch store.Channel
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&ch, "id = ?", channelID).Error; err != nil {
			return err
		}
		if ch.Status == status && ch.StatusReason == reason {
			return nil
		}
		changed = true
		now := time.Now().UTC()
		if err := tx.Model(&ch).Updates(map[string]any{"status": status, "status_reason": reason, "status_at": now}).Error; err != nil {
			return err
		}
		data := map[string]any{"id": ch.ID, "kind": ch.Kind, "name": ch.Name, "active": ch.Active, "status": status, "status_reason": reason,
			"status_at": now}
		if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.ChannelStatusChanged, data); err != nil {
			return err
		}
		return events.Append(tx, ch.AccountID, events.ChannelUpdated, nil, data)
	})
	if err == nil && changed && bus != nil {
		bus.Notify(ch.AccountID)
	}
	return err
}
