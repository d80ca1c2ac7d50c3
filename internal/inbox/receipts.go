package inbox

import (
	"context"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/store"
)

// statusRank orders outbound statuses; a receipt never moves a message
// back (a late "delivered" after "read" changes nothing).
var statusRank = map[string]int{
	store.MessageQueued: 0, store.MessageSent: 1, store.MessageDelivered: 2, store.MessageRead: 3,
}

// ApplyReceipt moves the outbound messages the provider knows by the
// receipt's id forward to its status; failed records the provider's
// reason unless the message was already delivered or read. A receipt for
// an id we do not know (a message sent from the provider's own app) is
// ignored.
func ApplyReceipt(ctx context.Context, db *gorm.DB, bus events.Bus, ch store.Channel, r channels.Receipt) error {
	var msgs []store.Message
	// direction is a literal so that both databases can use the partial
	// index (messages_outbound_external).
	q := db.WithContext(ctx).Where("channel_id = ? AND direction = 'outbound'", ch.ID)
	if r.ExternalID == "" && r.Contact != "" {
		// A watermark: every message to the contact up to then that has
		// not reached the status yet.
		q = q.Where("contact_id IN (SELECT contact_id FROM contact_identities WHERE channel_id = ? AND external_id = ?)", ch.ID, r.Contact).
			Where("created_at <= ? AND status IN ?", r.Until, []string{store.MessageSent, store.MessageDelivered})
	} else if r.MessageID != "" {
		q = q.Where("(external_id = ? OR id = ?)", r.ExternalID, r.MessageID)
	} else {
		q = q.Where("external_id = ?", r.ExternalID)
	}
	if err := q.Find(&msgs).Error; err != nil {
		return err
	}
	for _, m := range msgs {
		fill := map[string]any{}
		if m.ExternalID == nil && r.ExternalID != "" {
			fill["external_id"] = r.ExternalID // the send's answer was lost
		}
		if p := r.Pricing; p != nil && (m.PricingType != p.Type || m.PricingCategory != p.Category) {
			fill["pricing_type"], fill["pricing_category"] = p.Type, p.Category
		}
		if len(fill) > 0 {
			if err := db.WithContext(ctx).Model(&m).Updates(fill).Error; err != nil {
				return err
			}
		}
		if !moves(m.Status, r.Status) {
			continue
		}
		reason := ""
		if r.Status == store.MessageFailed {
			reason = r.Reason
		}
		if err := messaging.SetStatus(ctx, db, bus, m, r.Status, reason, nil); err != nil {
			return err
		}
	}
	return nil
}

func moves(from, to string) bool {
	if to == store.MessageFailed {
		return from == store.MessageQueued || from == store.MessageSent
	}
	next, ok := statusRank[to]
	if !ok {
		return false
	}
	cur, known := statusRank[from]
	if from == store.MessageFailed {
		// A provider that reported a failure and then the delivery (a
		// retried send it made itself) is believed.
		return true
	}
	return known && next > cur
}
