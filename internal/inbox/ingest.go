// Package inbox takes normalised inbound messages from every channel into
// CHATSPOT: it persists them once and hands them to their conversation's
// workflow.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
	"github.com/chatspot/chatspot/workflows"
)

// Inbox ingests inbound messages.
type Inbox struct {
	DB        *gorm.DB
	Temporal  client.Client
	Bus       events.Bus
	TaskQueue string // "" is workflows.TaskQueue; tests give each stack its own

	plans sync.Map // account id -> planEntry: the enabled channel kinds, briefly cached
}

type planEntry struct {
	acc   store.Account
	until time.Time
}

// planTTL is how long an account's plan is trusted from memory; a plan
// change applies to inbound traffic within it.
const planTTL = 5 * time.Second

func (ib *Inbox) plan(ctx context.Context, accountID string) (store.Account, error) {
	if e, ok := ib.plans.Load(accountID); ok && time.Now().Before(e.(planEntry).until) {
		return e.(planEntry).acc, nil
	}
	var acc store.Account
	if err := ib.DB.WithContext(ctx).Select("id, channels").Take(&acc, "id = ?", accountID).Error; err != nil {
		return acc, err
	}
	ib.plans.Store(accountID, planEntry{acc: acc, until: time.Now().Add(planTTL)})
	return acc, nil
}

// Queue is the task queue conversation workflows run on.
func (ib *Inbox) Queue() string {
	if ib.TaskQueue == "" {
		return workflows.TaskQueue
	}
	return ib.TaskQueue
}

// ErrChannelNotInPlan refuses messages of a channel kind the account's
// plan does not include.
var ErrChannelNotInPlan = errors.New("this channel is not enabled in the account's plan")

// Result is what Ingest did.
type Result struct {
	Message   store.Message
	Duplicate bool // the provider sent this message before
}

// Ingest persists the message (once per provider id), attaches it to the
// contact's open ticket and publishes it to agents at once, then signals
// the conversation workflow, starting it when the contact has no open
// ticket. Agents see the message without waiting for the workflow. The
// message is committed before the workflow is signalled, so a failure to
// reach Temporal loses nothing: the provider's retry finds the stored
// message, not yet taken in by its workflow, and signals again.
func (ib *Inbox) Ingest(ctx context.Context, ch store.Channel, in channels.Inbound) (Result, error) {
	if in.ExternalID == "" || in.Contact.ExternalID == "" {
		return Result{}, errors.New("inbound message needs the provider's message id and sender id")
	}
	acc, err := ib.plan(ctx, ch.AccountID)
	if err != nil {
		return Result{}, err
	}
	if !acc.ChannelEnabled(ch.Kind) {
		return Result{}, ErrChannelNotInPlan
	}
	var res Result
	persist := func(tx *gorm.DB) error {
		contact, err := identify(tx, ch, in.Contact)
		if err != nil {
			return err
		}
		res, err = insertMessage(tx, ch, contact, in)
		if err != nil || res.Duplicate {
			return err
		}
		return publish(ctx, tx, ch, &res.Message)
	}
	err = ib.DB.WithContext(ctx).Transaction(persist)
	if store.IsDuplicate(err) {
		// A concurrent delivery of the same message or a first message of
		// the same sender won the race; this time the lookups find its rows.
		err = ib.DB.WithContext(ctx).Transaction(persist)
	}
	if err != nil {
		return Result{}, err
	}
	if ib.Bus != nil && !res.Duplicate {
		ib.Bus.Notify(ch.AccountID)
	}
	if res.Message.RecordedAt != nil {
		return res, nil // its workflow has it already: nothing left to do
	}
	if err := ib.signal(ctx, ch, res.Message); err != nil {
		return res, err
	}
	return res, nil
}

func (ib *Inbox) signal(ctx context.Context, ch store.Channel, msg store.Message) error {
	opts := client.StartWorkflowOptions{
		ID:        workflows.ConversationWorkflowID(ch.ID, msg.ContactID),
		TaskQueue: ib.Queue(),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AccountIDKey.ValueSet(ch.AccountID),
			workflows.ChannelIDKey.ValueSet(ch.ID),
			workflows.ContactIDKey.ValueSet(msg.ContactID),
		),
	}
	start := workflows.ConversationInput{AccountID: ch.AccountID, ChannelID: ch.ID, ContactID: msg.ContactID}
	_, err := ib.Temporal.SignalWithStartWorkflow(ctx, opts.ID, workflows.SignalInbound,
		workflows.InboundSignal{MessageID: msg.ID}, opts, workflows.Conversation, start)
	if err != nil {
		return fmt.Errorf("hand message to its conversation: %w", err)
	}
	return nil
}

// publish attaches a new message to the contact's open ticket, if there is
// one, and appends the event agents' streams carry.
func publish(ctx context.Context, tx *gorm.DB, ch store.Channel, msg *store.Message) error {
	var conv store.Conversation
	err := tx.Where("workflow_id = ? AND status <> ?", workflows.ConversationWorkflowID(ch.ID, msg.ContactID), store.StatusClosed).
		Order("created_at DESC").Take(&conv).Error
	var convPtr *store.Conversation
	switch {
	case err == nil:
		msg.ConversationID = &conv.ID
		if err := tx.Model(msg).Update("conversation_id", conv.ID).Error; err != nil {
			return err
		}
		if err := tx.Model(&conv).Updates(map[string]any{"unread": gorm.Expr("unread + 1"), "last_message_at": msg.CreatedAt,
			"last_customer_message_at": msg.CreatedAt, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		convPtr = &conv
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return err
	}
	views, err := store.MessageViews(ctx, tx, []store.Message{*msg})
	if err != nil {
		return err
	}
	if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.MessageCreated, views[0]); err != nil {
		return err
	}
	return events.Append(tx, ch.AccountID, events.MessageCreated, convPtr, views[0])
}

// identify finds the contact behind a channel identity, creating both the
// first time the sender writes.
func identify(tx *gorm.DB, ch store.Channel, c channels.InboundContact) (store.Contact, error) {
	var contact store.Contact
	err := tx.Joins("JOIN contact_identities ci ON ci.contact_id = contacts.id").
		Where("ci.channel_id = ? AND ci.external_id = ?", ch.ID, c.ExternalID).
		Take(&contact).Error
	if err == nil {
		return contact, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return contact, err
	}
	contact = store.Contact{ID: store.NewID(), AccountID: ch.AccountID, Name: c.Name, Phone: c.Phone, Email: c.Email}
	if err := tx.Create(&contact).Error; err != nil {
		return contact, err
	}
	if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.ContactCreated, webhooks.ContactData(contact)); err != nil {
		return contact, err
	}
	ident := store.ContactIdentity{ID: store.NewID(), AccountID: ch.AccountID, ContactID: contact.ID, ChannelID: ch.ID, ExternalID: c.ExternalID}
	return contact, tx.Create(&ident).Error
}

func insertMessage(tx *gorm.DB, ch store.Channel, contact store.Contact, in channels.Inbound) (Result, error) {
	var existing store.Message
	// direction is a literal so that both databases can use the partial
	// unique index (messages_inbound_external) for the lookup.
	err := tx.Where("channel_id = ? AND external_id = ? AND direction = 'inbound'", ch.ID, in.ExternalID).Take(&existing).Error
	if err == nil {
		return Result{Message: existing, Duplicate: true}, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Result{}, err
	}
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	ext := in.ExternalID
	msg := store.Message{
		ID: store.NewID(), AccountID: ch.AccountID, ChannelID: ch.ID, ContactID: contact.ID,
		Direction: store.DirectionInbound, Kind: store.KindText, Body: in.Text, Status: store.MessageReceived,
		ExternalID: &ext, CreatedAt: at.UTC(),
	}
	if err := tx.Create(&msg).Error; err != nil {
		return Result{}, err
	}
	return Result{Message: msg}, attachments.Link(tx, ch.AccountID, in.Contact.ExternalID, msg.ID, in.AttachmentIDs)
}
