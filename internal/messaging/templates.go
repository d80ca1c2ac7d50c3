package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
)

// UpsertTemplate stores a template as its provider reports it, matched by
// the provider's id or by name and language, and shows it to agents.
func UpsertTemplate(ctx context.Context, db *gorm.DB, ch store.Channel, t channels.Template) (store.MessageTemplate, error) {
	var row store.MessageTemplate
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("channel_id = ? AND ((provider_id <> '' AND provider_id = ?) OR (name = ? AND language = ?))", ch.ID, t.ProviderID, t.Name, t.Language).
			Take(&row).Error
		now := time.Now().UTC()
		examples, _ := json.Marshal(t.Examples)
		fields := store.MessageTemplate{ProviderID: t.ProviderID, Name: t.Name, Language: t.Language, Category: t.Category, Status: t.Status,
			Reason: t.Reason, Header: t.Header, Body: t.Body, Footer: t.Footer, Params: channels.TemplateVariables(t.Body), Unsupported: t.Unsupported}
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = fields
			row.ID, row.AccountID, row.ChannelID, row.Examples, row.CreatedAt, row.UpdatedAt = store.NewID(), ch.AccountID, ch.ID, string(examples), now, now
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := tx.Model(&row).Updates(map[string]any{"provider_id": t.ProviderID, "category": t.Category, "status": t.Status, "reason": t.Reason,
				"header": t.Header, "body": t.Body, "footer": t.Footer, "params": fields.Params, "unsupported": t.Unsupported, "updated_at": now}).Error; err != nil {
				return err
			}
			tx.Take(&row, "id = ?", row.ID)
		}
		return events.Append(tx, ch.AccountID, events.TemplateUpdated, nil, row)
	})
	return row, err
}

// ApplyTemplateStatus records a provider's review of a template (approved,
// rejected with the reason, paused, disabled). A template we have not
// read yet is left to the next sync.
func ApplyTemplateStatus(ctx context.Context, db *gorm.DB, ch store.Channel, st channels.TemplateStatus) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row store.MessageTemplate
		err := tx.Where("channel_id = ? AND ((provider_id <> '' AND provider_id = ?) OR (name = ? AND language = ?))", ch.ID, st.ProviderID, st.Name, st.Language).
			Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&row).Updates(map[string]any{"status": st.Status, "reason": st.Reason, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		row.Status, row.Reason = st.Status, st.Reason
		return events.Append(tx, ch.AccountID, events.TemplateUpdated, nil, row)
	})
}
