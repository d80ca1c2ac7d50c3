// Package inbox takes normalised inbound messages from every channel into
// CHATSPOT: it persists them once and hands them to their conversation's
// workflow.
package inbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/metrics"
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
	Logger    *slog.Logger

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
	Edited    bool // an edit of a message stored before
	// HandOverPending: stored, but its workflow could not be told yet;
	// the sweeper hands it over, so the provider need not retry.
	HandOverPending bool
}

// Ingest persists the message (once per provider id), attaches it to the
// contact's open ticket and publishes it to agents at once, then signals
// the conversation workflow, starting it when the contact has no open
// ticket. Agents see the message without waiting for the workflow. The
// message is committed before the workflow is signalled, so a failure to
// reach Temporal loses nothing: the sweeper (InboundSweep) hands over
// what is stored and not taken in, and a provider's retry finds the
// stored message and signals again. An error means nothing was stored.
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
	var media []store.InboundMedia
	persist := func(tx *gorm.DB) error {
		contact, err := identify(tx, ch, in.Contact)
		if err != nil {
			return err
		}
		if in.ThreadKey, err = referencedThread(tx, ch, in); err != nil {
			return err
		}
		res, media, err = insertMessage(ctx, tx, ch, contact, in)
		if err != nil || res.Duplicate || res.Edited {
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
	if !res.Duplicate && !res.Edited {
		metrics.Inbound.WithLabelValues(ch.Kind).Inc()
	}
	for _, m := range media {
		if err := ib.fetchMedia(ctx, m); err != nil {
			ib.log().Warn("inbound file stored, its fetch starts with the next sweep", "media", m.ID, "error", err)
		}
	}
	if res.Edited || res.Message.RecordedAt != nil {
		return res, nil // its workflow has it already: nothing left to do
	}
	if err := ib.signal(ctx, ch, res.Message); err != nil {
		ib.log().Warn("inbound message stored, hand-over to its conversation left to the sweeper", "message", res.Message.ID, "error", err)
		res.HandOverPending = true
	}
	return res, nil
}

// Echo stores a message the business sent from the provider's own app as
// the business's message in the contact's open ticket, once per provider
// id; a message we sent, echoed back, is found by its id and left alone.
// Nothing is signalled: it is not the customer's, and it is already sent.
func (ib *Inbox) Echo(ctx context.Context, ch store.Channel, in channels.Inbound) (Result, error) {
	if in.ExternalID == "" || in.Contact.ExternalID == "" {
		return Result{}, errors.New("echoed message needs the provider's message id and the contact's id")
	}
	var res Result
	persist := func(tx *gorm.DB) error {
		var existing store.Message
		// direction is a literal so that both databases can use the partial
		// index (messages_outbound_external) for the lookup.
		err := tx.Where("channel_id = ? AND external_id = ? AND direction = 'outbound'", ch.ID, in.ExternalID).Take(&existing).Error
		if err == nil {
			res = Result{Message: existing, Duplicate: true}
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		contact, err := identify(tx, ch, in.Contact)
		if err != nil {
			return err
		}
		if sending, err := pendingSend(tx, ch, contact.ID, in); err != nil || sending != nil {
			if sending != nil {
				res = Result{Message: *sending, Duplicate: true}
			}
			return err
		}
		at := in.At
		if at.IsZero() {
			at = time.Now()
		}
		ext := in.ExternalID
		msg := store.Message{ID: store.NewID(), AccountID: ch.AccountID, ChannelID: ch.ID, ContactID: contact.ID, ThreadKey: in.ThreadKey,
			Direction: store.DirectionOutbound, Kind: store.KindText, Body: in.Text, Status: store.MessageSent, ExternalID: &ext, CreatedAt: at.UTC()}
		if in.ReplyTo != "" {
			// The message it answers (a question answered on Mercado
			// Livre's own site), so the inbox knows it is answered.
			var orig store.Message
			if tx.Select("id").Where("channel_id = ? AND external_id = ? AND direction = 'inbound'", ch.ID, in.ReplyTo).Take(&orig).Error == nil {
				msg.ReplyToID = &orig.ID
			}
		}
		conv, err := openTicket(tx, ch, contact.ID, in.ThreadKey)
		if err != nil {
			return err
		}
		if conv != nil {
			msg.ConversationID = &conv.ID
		}
		if err := tx.Create(&msg).Error; err != nil {
			return err
		}
		res = Result{Message: msg}
		views, err := store.MessageViews(ctx, tx, []store.Message{msg})
		if err != nil {
			return err
		}
		return events.Append(tx, ch.AccountID, events.MessageCreated, conv, views[0])
	}
	if err := ib.DB.WithContext(ctx).Transaction(persist); err != nil {
		return Result{}, err
	}
	if ib.Bus != nil && !res.Duplicate {
		ib.Bus.Notify(ch.AccountID)
	}
	return res, nil
}

// echoWindow is how long after an agent's message its echo may be its
// own, arriving before the send's answer was stored.
const echoWindow = 10 * time.Minute

// pendingSend is our own message whose echo came back before the
// provider's answer (with its id) was stored, or from a provider that
// answers no id (OLX): the echo is matched by contact and text and gives
// the message its provider id. Providers whose echoes carry our id
// (Messenger's metadata) never get here.
func pendingSend(tx *gorm.DB, ch store.Channel, contactID string, in channels.Inbound) (*store.Message, error) {
	var msg store.Message
	err := tx.Where("channel_id = ? AND direction = 'outbound' AND contact_id = ? AND external_id IS NULL AND status IN ? AND body = ? AND created_at > ?",
		ch.ID, contactID, []string{store.MessageQueued, store.MessageSent}, in.Text, time.Now().Add(-echoWindow).UTC()).Order("created_at").Take(&msg).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Model(&msg).Update("external_id", in.ExternalID).Error; err != nil {
		return nil, err
	}
	return &msg, nil
}

// Receive ingests what one webhook request or connection event carried:
// its messages, then its receipts. It stops at the first message it could
// not store, so the provider's retry brings the rest.
func (ib *Inbox) Receive(ctx context.Context, ch store.Channel, b channels.Batch) ([]channels.Ingested, error) {
	var out []channels.Ingested
	for _, in := range b.Messages {
		in.ChannelID = ch.ID
		ingest := ib.Ingest
		if in.FromBusiness {
			ingest = ib.Echo
		}
		res, err := ingest(ctx, ch, in)
		if err != nil {
			return out, err
		}
		out = append(out, channels.Ingested{MessageID: res.Message.ID, ContactID: res.Message.ContactID, Duplicate: res.Duplicate})
	}
	for _, r := range b.Receipts {
		if err := ApplyReceipt(ctx, ib.DB, ib.Bus, ch, r); err != nil {
			return out, err
		}
	}
	for _, t := range b.Templates {
		if err := messaging.ApplyTemplateStatus(ctx, ib.DB, ch, t); err != nil {
			return out, err
		}
	}
	if len(b.Templates) > 0 && ib.Bus != nil {
		ib.Bus.Notify(ch.AccountID)
	}
	for _, f := range b.Fetches {
		if err := ib.fetchResource(ctx, ch, f); err != nil {
			return out, err
		}
	}
	return out, nil
}

// fetchResource starts the workflow that reads a resource a notification
// named; a repeated notification finds it started and is a no-op.
func (ib *Inbox) fetchResource(ctx context.Context, ch store.Channel, f channels.Fetch) error {
	opts := client.StartWorkflowOptions{
		ID: workflows.ResourceFetchWorkflowID(ch.ID, f.Key), TaskQueue: ib.Queue(),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
	ref := activities.ResourceRef{ChannelRef: activities.ChannelRef{AccountID: ch.AccountID, ChannelID: ch.ID}, Ref: f.Ref}
	_, err := ib.Temporal.ExecuteWorkflow(ctx, opts, workflows.ResourceFetch, ref)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetch the notified resource: %w", err)
	}
	return nil
}

func (ib *Inbox) log() *slog.Logger {
	if ib.Logger == nil {
		return slog.Default()
	}
	return ib.Logger
}

// fetchMedia starts the workflow that fetches an inbound file; its id
// makes a second start (the sweeper's) a no-op.
func (ib *Inbox) fetchMedia(ctx context.Context, m store.InboundMedia) error {
	opts := client.StartWorkflowOptions{
		ID: workflows.InboundMediaWorkflowID(m.ID), TaskQueue: ib.Queue(),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
	_, err := ib.Temporal.ExecuteWorkflow(ctx, opts, workflows.InboundMedia, activities.MediaRef{AccountID: m.AccountID, MediaID: m.ID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

func (ib *Inbox) signal(ctx context.Context, ch store.Channel, msg store.Message) error {
	opts := client.StartWorkflowOptions{
		ID:        workflows.ThreadWorkflowID(ch.ID, msg.ContactID, msg.ThreadKey),
		TaskQueue: ib.Queue(),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AccountIDKey.ValueSet(ch.AccountID),
			workflows.ChannelIDKey.ValueSet(ch.ID),
			workflows.ContactIDKey.ValueSet(msg.ContactID),
		),
	}
	start := workflows.ConversationInput{AccountID: ch.AccountID, ChannelID: ch.ID, ContactID: msg.ContactID, ThreadKey: msg.ThreadKey}
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
	conv, err := openTicket(tx, ch, msg.ContactID, msg.ThreadKey)
	if err != nil {
		return err
	}
	if conv != nil {
		msg.ConversationID = &conv.ID
		if err := tx.Model(msg).Update("conversation_id", conv.ID).Error; err != nil {
			return err
		}
		if err := tx.Model(conv).Updates(map[string]any{"unread": gorm.Expr("unread + 1"), "last_message_at": msg.CreatedAt,
			"last_customer_message_at": msg.CreatedAt, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
	}
	views, err := store.MessageViews(ctx, tx, []store.Message{*msg})
	if err != nil {
		return err
	}
	if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.MessageCreated, views[0]); err != nil {
		return err
	}
	return events.Append(tx, ch.AccountID, events.MessageCreated, conv, views[0])
}

// openTicket is the contact's open ticket on the channel's thread, nil
// when there is none.
func openTicket(tx *gorm.DB, ch store.Channel, contactID, threadKey string) (*store.Conversation, error) {
	var conv store.Conversation
	err := tx.Where("workflow_id = ? AND status <> ?", workflows.ThreadWorkflowID(ch.ID, contactID, threadKey), store.StatusClosed).
		Order("created_at DESC").Take(&conv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &conv, nil
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

func insertMessage(ctx context.Context, tx *gorm.DB, ch store.Channel, contact store.Contact, in channels.Inbound) (Result, []store.InboundMedia, error) {
	var existing store.Message
	// direction is a literal so that both databases can use the partial
	// unique index (messages_inbound_external) for the lookup.
	err := tx.Where("channel_id = ? AND external_id = ? AND direction = 'inbound'", ch.ID, in.ExternalID).Take(&existing).Error
	if err == nil {
		switch {
		case in.Revoke:
			return revokeMessage(ctx, tx, existing)
		case in.Edit && existing.Body != in.Text:
			return editMessage(ctx, tx, existing, in.Text)
		}
		return Result{Message: existing, Duplicate: true}, nil, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Result{}, nil, err
	}
	if in.Revoke {
		// A message never stored (sent before the channel existed): there is
		// nothing to mark.
		return Result{Edited: true}, nil, nil
	}
	// An edit of a message never seen (sent before the channel existed)
	// is taken as the message.
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	ext := in.ExternalID
	msg := store.Message{
		ID: store.NewID(), AccountID: ch.AccountID, ChannelID: ch.ID, ContactID: contact.ID, ThreadKey: in.ThreadKey,
		Direction: store.DirectionInbound, Kind: store.KindText, Body: in.Text, Status: store.MessageReceived,
		ExternalID: &ext, CreatedAt: at.UTC(), Subject: in.Subject, HTML: in.HTML, CC: strings.Join(in.CC, ","),
	}
	if in.Comment {
		msg.Kind = store.KindComment
	}
	if in.ReplyTo != "" {
		var orig store.Message
		if tx.Select("id").Where("channel_id = ? AND external_id = ?", ch.ID, in.ReplyTo).Take(&orig).Error == nil {
			msg.ReplyToID = &orig.ID
		}
	}
	if err := tx.Create(&msg).Error; err != nil {
		return Result{}, nil, err
	}
	var media []store.InboundMedia
	for _, m := range in.Media {
		row := store.InboundMedia{ID: store.NewID(), AccountID: ch.AccountID, ChannelID: ch.ID, MessageID: msg.ID, Ref: m.Ref, Kind: m.Kind,
			Name: m.Name, ContentType: m.ContentType, Size: m.Size, Status: store.MediaPending}
		if m.Data != nil {
			refusal, err := storeInline(tx, msg, m)
			if err != nil {
				return Result{}, nil, err
			}
			if refusal == "" {
				continue
			}
			row.Status, row.Error = store.MediaFailed, "the file "+refusal
		}
		if err := tx.Create(&row).Error; err != nil {
			return Result{}, nil, err
		}
		if row.Status == store.MediaPending {
			media = append(media, row)
		}
	}
	return Result{Message: msg}, media, attachments.Link(tx, ch.AccountID, in.Contact.ExternalID, msg.ID, in.AttachmentIDs)
}

// revokeMessage marks a message its sender deleted for everyone, once.
func revokeMessage(ctx context.Context, tx *gorm.DB, msg store.Message) (Result, []store.InboundMedia, error) {
	if msg.RevokedAt != nil {
		return Result{Message: msg, Duplicate: true}, nil, nil
	}
	now := time.Now().UTC()
	if err := tx.Model(&msg).Update("revoked_at", now).Error; err != nil {
		return Result{}, nil, err
	}
	msg.RevokedAt = &now
	return Result{Message: msg, Edited: true}, nil, messaging.AppendEvent(ctx, tx, events.MessageUpdated, msg)
}

// editMessage stores the sender's new text of a message and shows it to
// agents.
func editMessage(ctx context.Context, tx *gorm.DB, msg store.Message, text string) (Result, []store.InboundMedia, error) {
	now := time.Now().UTC()
	if err := tx.Model(&msg).Updates(map[string]any{"body": text, "edited_at": now}).Error; err != nil {
		return Result{}, nil, err
	}
	msg.Body, msg.EditedAt = text, &now
	return Result{Message: msg, Edited: true}, nil, messaging.AppendEvent(ctx, tx, events.MessageUpdated, msg)
}

// storeInline stores a file the provider delivered with the message (an
// e-mail's attachment) and links it. A file attachment storage refuses (a
// type not accepted, too large) answers the reason: the message keeps a
// note of it.
func storeInline(tx *gorm.DB, msg store.Message, m channels.Media) (refusal string, err error) {
	att, err := attachments.Save(tx, msg.AccountID, "", m.Name, bytes.NewReader(m.Data))
	var refused *channels.FieldError
	switch {
	case errors.As(err, &refused):
		return refused.Reason, nil
	case err != nil:
		return "", err
	}
	return "", tx.Model(&att).Update("message_id", msg.ID).Error
}

// referencedThread is the thread of the stored message an inbound one
// follows (an e-mail reply's In-Reply-To or References), nearest first;
// the message's own thread key when none is stored.
func referencedThread(tx *gorm.DB, ch store.Channel, in channels.Inbound) (string, error) {
	if len(in.References) == 0 {
		return in.ThreadKey, nil
	}
	var rows []struct {
		ExternalID string
		ThreadKey  string
	}
	err := tx.Table("messages").Select("messages.external_id, COALESCE(conversations.thread_key, messages.thread_key) AS thread_key").
		Joins("LEFT JOIN conversations ON conversations.id = messages.conversation_id").
		Where("messages.channel_id = ? AND messages.external_id IN ?", ch.ID, in.References).Scan(&rows).Error
	if err != nil {
		return "", err
	}
	for i := len(in.References) - 1; i >= 0; i-- {
		for _, r := range rows {
			if r.ExternalID == in.References[i] {
				return r.ThreadKey, nil
			}
		}
	}
	return in.ThreadKey, nil
}
