// Package webhooks is the outbox of the account webhooks: the events
// integrators subscribe to, written as deliveries in the same transaction
// as the change they report, and the relay that hands them to each
// endpoint's workflow.
package webhooks

import (
	"encoding/json"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// The events an endpoint can subscribe to.
const (
	ConversationCreated  = "conversation.created"
	ConversationAssigned = "conversation.assigned"
	ConversationClosed   = "conversation.closed"
	ConversationReopened = "conversation.reopened"
	MessageCreated       = "message.created"
	MessageStatusChanged = "message.status_changed"
	ContactCreated       = "contact.created"
	ContactUpdated       = "contact.updated"
	CardCreated          = "crm.card.created"
	CardMoved            = "crm.card.moved"
	CardUpdated          = "crm.card.updated"
	ChannelStatusChanged = "channel.status_changed"
	BalanceLow           = "billing.low_balance" // the prepaid balance fell below the alert threshold
	Ping                 = "ping"                // sent on request to test an endpoint
)

// Events lists the events in the order the settings screen shows them.
var Events = []string{ConversationCreated, ConversationAssigned, ConversationClosed, ConversationReopened, MessageCreated,
	MessageStatusChanged, ContactCreated, ContactUpdated, CardCreated, CardMoved, CardUpdated, ChannelStatusChanged,
	BalanceLow}

// Envelope is the body of every delivery.
type Envelope struct {
	ID        string    `json:"id"` // the event's id, the same for every endpoint
	Event     string    `json:"event"`
	AccountID string    `json:"account_id"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// Subscribed reports whether an endpoint's filter ("" = all) takes event.
func Subscribed(filter, event string) bool {
	return filter == "" || slices.Contains(store.SplitTags(filter), event)
}

// without remembers, for a few seconds, accounts without any enabled
// endpoint: most events of most accounts have nobody listening, and the
// inbound path should not pay a query for them.
var without sync.Map // accountID -> time.Time (until)

const withoutFor = 3 * time.Second

// Forget drops what is remembered of the account's endpoints; the API
// calls it when endpoints change.
func Forget(accountID string) { without.Delete(accountID) }

// Enqueue writes one delivery per enabled endpoint of the account
// subscribed to event, in tx. On PostgreSQL a transaction-scoped lock per
// account makes its deliveries commit in seq order, so the relay never
// skips one that commits late.
func Enqueue(tx *gorm.DB, accountID, event string, data any) error {
	if until, ok := without.Load(accountID); ok && time.Now().Before(until.(time.Time)) {
		return nil
	}
	var eps []store.WebhookEndpoint
	if err := tx.Where("account_id = ? AND enabled", accountID).Find(&eps).Error; err != nil {
		return err
	}
	if len(eps) == 0 {
		without.Store(accountID, time.Now().Add(withoutFor))
		return nil
	}
	env := NewEnvelope(accountID, event, data)
	for _, ep := range eps {
		if Subscribed(ep.Events, event) {
			if _, err := EnqueueTo(tx, ep, env); err != nil {
				return err
			}
		}
	}
	return nil
}

// NewEnvelope wraps an event's data with a new event id.
func NewEnvelope(accountID, event string, data any) Envelope {
	return Envelope{ID: store.NewID(), Event: event, AccountID: accountID, CreatedAt: time.Now().UTC(), Data: data}
}

// EnqueueTo writes the event's delivery to one endpoint, in tx.
func EnqueueTo(tx *gorm.DB, ep store.WebhookEndpoint, env Envelope) (store.WebhookDelivery, error) {
	body, err := json.Marshal(env)
	if err != nil {
		return store.WebhookDelivery{}, err
	}
	return insert(tx, ep.ID, ep.AccountID, env.ID, env.Event, string(body))
}

// Redeliver queues a new delivery of a past delivery's event (same event
// id and body, a new delivery id), in tx.
func Redeliver(tx *gorm.DB, d store.WebhookDelivery) (store.WebhookDelivery, error) {
	return insert(tx, d.EndpointID, d.AccountID, d.EventID, d.Event, d.Payload)
}

func insert(tx *gorm.DB, endpointID, accountID, eventID, event, body string) (store.WebhookDelivery, error) {
	if tx.Dialector.Name() == "postgres" {
		// Per account: an endpoint's rows commit in seq order (its workflow
		// takes seqs in order), and other accounts do not wait.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "webhooks:"+accountID).Error; err != nil {
			return store.WebhookDelivery{}, err
		}
	}
	now := time.Now().UTC()
	d := store.WebhookDelivery{ID: store.NewID(), AccountID: accountID, EndpointID: endpointID, EventID: eventID, Event: event,
		Payload: body, Status: "pending", CreatedAt: now, UpdatedAt: now}
	return d, tx.Create(&d).Error
}

// ContactData is a contact as webhook events carry it.
func ContactData(c store.Contact) map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "phone": c.Phone, "email": c.Email}
}
