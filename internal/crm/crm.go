// Package crm holds what the CRM's API handlers and activities share:
// the variables of stage messages and the ordering of cards in a stage.
package crm

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// Variables lists the placeholders stage messages and quick replies may
// use, as the editor shows them.
var Variables = []string{"{{contact.first_name}}", "{{contact.name}}", "{{card.title}}", "{{agent.name}}"}

// Render fills the placeholders of text for a card, its contact and the
// agent acting ("" when the system acts). Unknown placeholders are left as
// written, so a typo shows instead of vanishing.
func Render(text string, card store.Card, contact *store.Contact, agentName string) string {
	name := ""
	if contact != nil {
		name = strings.TrimSpace(contact.Name)
	}
	first, _, _ := strings.Cut(name, " ")
	return strings.NewReplacer(
		"{{contact.first_name}}", first,
		"{{contact.name}}", name,
		"{{card.title}}", card.Title,
		"{{agent.name}}", agentName,
	).Replace(text)
}

// RenderFor loads the card's contact and the agent's name and renders text.
func RenderFor(ctx context.Context, db *gorm.DB, text string, card store.Card, agentID string) (string, error) {
	var contact *store.Contact
	if card.ContactID != nil {
		var ct store.Contact
		if err := db.WithContext(ctx).Take(&ct, "id = ?", *card.ContactID).Error; err != nil {
			return "", err
		}
		contact = &ct
	}
	agent := ""
	if agentID != "" {
		var u store.User
		if err := db.WithContext(ctx).Select("name").Take(&u, "id = ? AND account_id = ?", agentID, card.AccountID).Error; err == nil {
			agent = u.Name
		}
	}
	return Render(text, card, contact, agent), nil
}

// Place puts the card at position (clamped; negative = last) among the
// other open cards of the stage and renumbers them 0..n in tx.
func Place(tx *gorm.DB, card store.Card, stageID string, position int) error {
	var ids []string
	if err := tx.Model(&store.Card{}).Where("stage_id = ? AND status = ? AND id <> ?", stageID, store.CardOpen, card.ID).
		Order("position, created_at").Pluck("id", &ids).Error; err != nil {
		return err
	}
	if position < 0 || position > len(ids) {
		position = len(ids)
	}
	ids = append(ids[:position], append([]string{card.ID}, ids[position:]...)...)
	for i, id := range ids {
		if err := tx.Model(&store.Card{}).Where("id = ?", id).UpdateColumn("position", i).Error; err != nil {
			return err
		}
	}
	return nil
}
