package activities

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/store"
)

// CreateOutboundInput is an agent's message or private note.
type CreateOutboundInput struct {
	AccountID      string
	ConversationID string
	ChannelID      string
	ContactID      string
	AuthorID       string
	Kind           string // text, note, or comment (a public reply to a comment)
	Body           string
	// ReplyToID is the message answered; in a thread of comments it
	// defaults to the latest comment.
	ReplyToID      string
	IdempotencyKey string // the same key twice creates one message
	AttachmentIDs  []string
	Template       string // JSON channels.TemplateSend; "" for free text
}

// CreateOutbound stores the message (queued; a note is final at once) and
// returns its id. The idempotency key makes a retried request or activity
// return the message the first one created.
func (c *Conversations) CreateOutbound(ctx context.Context, in CreateOutboundInput) (string, error) {
	var existing store.Message
	err := c.DB.WithContext(ctx).Where("account_id = ? AND idempotency_key = ?", in.AccountID, in.IdempotencyKey).Take(&existing).Error
	if err == nil {
		return existing.ID, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	status := store.MessageQueued
	if in.Kind == store.KindNote {
		status = store.MessageSent // a note is never delivered: it is done once stored
	}
	key, author, conv := in.IdempotencyKey, in.AuthorID, in.ConversationID
	msg := store.Message{
		ID: store.NewID(), AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID, ConversationID: &conv,
		Direction: store.DirectionOutbound, Kind: in.Kind, AuthorID: &author, Body: in.Body, Status: status, IdempotencyKey: &key,
		Template: in.Template,
	}
	if author == "" {
		msg.AuthorID = nil
	}
	if msg.ReplyToID, err = c.replyTo(ctx, in); err != nil {
		return "", err
	}
	err = c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		if err := tx.Create(&msg).Error; err != nil {
			return err
		}
		if err := c.reserve(ctx, tx, msg); err != nil {
			return err
		}
		if err := attachments.Link(tx, in.AccountID, in.AuthorID, msg.ID, in.AttachmentIDs); err != nil {
			// Someone else's or an already sent file: storing the message
			// without it would mislead the agent.
			return temporal.NewNonRetryableApplicationError(err.Error(), "AttachmentRefused", err)
		}
		if in.Kind != store.KindNote {
			if err := tx.Model(&store.Conversation{}).Where("id = ?", conv).
				Updates(map[string]any{"last_message_at": msg.CreatedAt, "updated_at": time.Now().UTC()}).Error; err != nil {
				return err
			}
		}
		return messaging.AppendEvent(ctx, tx, events.MessageCreated, msg)
	})
	if store.IsDuplicate(err) {
		return c.CreateOutbound(ctx, in)
	}
	return msg.ID, err
}

// replyTo is the message an outbound message answers: the one named, if
// it is the conversation's, else in a thread of comments the latest
// comment (a reply to a comment must name one), on channels whose sends
// answer a message (Capabilities.AnswersLatest) the latest.
func (c *Conversations) replyTo(ctx context.Context, in CreateOutboundInput) (*string, error) {
	if in.Kind == store.KindNote {
		return nil, nil
	}
	var orig store.Message
	if in.ReplyToID != "" {
		err := c.DB.WithContext(ctx).Select("id").Where("id = ? AND conversation_id = ?", in.ReplyToID, in.ConversationID).Take(&orig).Error
		if err == nil {
			return &orig.ID, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	kinds := []string{store.KindComment}
	var ch store.Channel
	answers := c.DB.WithContext(ctx).Select("kind").Take(&ch, "id = ?", in.ChannelID).Error == nil && c.Channels.Capabilities(ch.Kind).AnswersLatest
	if answers {
		kinds = append(kinds, store.KindText)
		// The latest message not answered yet (nor removed); else the latest.
		err := c.DB.WithContext(ctx).Select("id").Where("conversation_id = ? AND direction = ? AND kind IN ? AND revoked_at IS NULL", in.ConversationID, store.DirectionInbound, kinds).
			Where("NOT EXISTS (SELECT 1 FROM messages o WHERE o.reply_to_id = messages.id AND o.direction = 'outbound' AND o.status <> ?)", store.MessageFailed).
			Order("created_at DESC").Take(&orig).Error
		if err == nil {
			return &orig.ID, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	err := c.DB.WithContext(ctx).Select("id").Where("conversation_id = ? AND direction = ? AND kind IN ?", in.ConversationID, store.DirectionInbound, kinds).
		Order("created_at DESC").Take(&orig).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &orig.ID, nil
}

// DeliverInput names the message to deliver.
type DeliverInput struct {
	AccountID string
	MessageID string
}

// DeliverMessage sends a queued message through its channel and records
// the provider's id. A message already sent is not sent again, and the
// message id travels as the provider's idempotency key, so neither a retry
// nor a replay delivers twice. A provider's refusal is returned as a
// non-retryable error whose message is the reason the agent sees.
func (c *Conversations) DeliverMessage(ctx context.Context, in DeliverInput) error {
	var msg store.Message
	if err := c.DB.WithContext(ctx).Take(&msg, "id = ? AND account_id = ?", in.MessageID, in.AccountID).Error; err != nil {
		return err
	}
	if msg.Status != store.MessageQueued && msg.Status != store.MessageFailed {
		return nil // delivered by an earlier attempt
	}
	var ch store.Channel
	if err := c.DB.WithContext(ctx).Take(&ch, "id = ?", msg.ChannelID).Error; err != nil {
		return err
	}
	var ident store.ContactIdentity
	if err := c.DB.WithContext(ctx).Where("contact_id = ? AND channel_id = ?", msg.ContactID, msg.ChannelID).Take(&ident).Error; err != nil {
		return refused("the contact has no address on this channel")
	}
	settings, err := c.Secrets.OpenJSON(ch.Settings)
	if err != nil {
		return err // a worker without the right key: retried until it has it
	}
	ch.Settings = settings // senders get the credentials in clear, only in memory
	c.DB.WithContext(ctx).Model(&msg).Update("attempts", gorm.Expr("attempts + 1"))
	sender, err := c.Channels.Sender(ch.Kind)
	if err == nil {
		var providerID string
		var files []channels.OutboundFile
		if err := c.DB.WithContext(ctx).Model(&store.Attachment{}).Select("id, name, content_type, size").
			Where("message_id = ?", msg.ID).Order("created_at").Scan(&files).Error; err != nil {
			return err
		}
		if err := c.pace(ctx, ch); err != nil {
			return err
		}
		if err := c.assignProviderID(ctx, sender, &msg); err != nil {
			return err
		}
		out := channels.Outbound{MessageID: msg.ID, Channel: ch, To: ident.ExternalID, Text: msg.Body, CreatedAt: msg.CreatedAt, Files: files,
			Open: c.openFile, Comment: msg.Kind == store.KindComment, PublicURL: c.PublicURL, Counted: new(int)}
		if err = c.threadAndReply(ctx, msg, &out); err != nil {
			return err
		}
		if c.Channels.Capabilities(ch.Kind).Subjects {
			if err := c.mailContext(ctx, msg, &out); err != nil {
				return err
			}
		}
		if msg.Template != "" {
			out.Template = &channels.TemplateSend{}
			if err := json.Unmarshal([]byte(msg.Template), out.Template); err != nil {
				return refused("the message's template is unreadable")
			}
		}
		if c.Channels.Capabilities(ch.Kind).SendsOnConnection {
			var wrote store.Message
			err := c.DB.WithContext(ctx).Select("id").Where("contact_id = ? AND channel_id = ? AND direction = 'inbound'", msg.ContactID, ch.ID).Take(&wrote).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			out.FirstContact = errors.Is(err, gorm.ErrRecordNotFound)
		}
		providerID, err = sender.Send(ctx, out)
		countSend(ch.Kind, msg, err)
		if err == nil && providerID == "" {
			// The provider answers no id (OLX): the echo, matched by its
			// text, gives the message its id.
			return c.setStatus(ctx, msg, store.MessageSent, "", nil)
		}
		if err == nil {
			if err := c.settleCost(ctx, ch, msg, *out.Counted); err != nil {
				return err
			}
			return c.setStatus(ctx, msg, store.MessageSent, "", &providerID)
		}
	}
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		if perm.Reauth {
			if err := messaging.SetChannelStatus(ctx, c.DB, c.Bus, ch.ID, store.ChannelNeedsReauth, perm.Reason); err != nil {
				return err
			}
		}
		return refused(perm.Reason)
	}
	var later *channels.RetryAfterError
	if errors.As(err, &later) {
		// The provider's rate limit: wait as long as it asks, not the
		// retry policy's backoff.
		return temporal.NewApplicationErrorWithOptions(later.Reason, "RetryAfter", temporal.ApplicationErrorOptions{NextRetryDelay: later.After})
	}
	return err
}

// countSend records a delivery attempt's outcome and, when the provider
// took the message, how long after it was stored.
func countSend(kind string, msg store.Message, err error) {
	var perm *channels.PermanentError
	switch {
	case err == nil:
		metrics.Sends.WithLabelValues(kind, "sent").Inc()
		metrics.DeliveryLatency.WithLabelValues(kind).Observe(time.Since(msg.CreatedAt).Seconds())
	case errors.As(err, &perm):
		metrics.Sends.WithLabelValues(kind, "refused").Inc()
	default:
		metrics.Sends.WithLabelValues(kind, "retried").Inc()
	}
}

// assignProviderID stores, before the first send, the provider id of a
// kind whose ids we choose (channels.IDAssigner): a receipt then finds the
// message even if the send's answer is lost, and a retry reuses the id.
func (c *Conversations) assignProviderID(ctx context.Context, sender channels.Sender, msg *store.Message) error {
	assigner, ok := sender.(channels.IDAssigner)
	if !ok || msg.ExternalID != nil {
		return nil
	}
	id := assigner.ProviderMessageID(msg.ID)
	if err := c.DB.WithContext(ctx).Model(msg).Update("external_id", id).Error; err != nil {
		return err
	}
	msg.ExternalID = &id
	return nil
}

// ConnectionQueue is where activities that need a channel's live
// connection run.
type ConnectionQueue struct {
	Needed bool   // the kind sends through its connection
	Queue  string // the holding worker's task queue; "" while none holds it
}

// ChannelConnectionQueue tells where the channel's sends must run.
func (c *Conversations) ChannelConnectionQueue(ctx context.Context, channelID string) (ConnectionQueue, error) {
	return connectionQueue(ctx, c.DB, c.Channels, channelID)
}

func connectionQueue(ctx context.Context, db *gorm.DB, reg *channels.Registry, channelID string) (ConnectionQueue, error) {
	var ch store.Channel
	if err := db.WithContext(ctx).Select("kind, connection_queue").Take(&ch, "id = ?", channelID).Error; err != nil {
		return ConnectionQueue{}, err
	}
	if !reg.Capabilities(ch.Kind).SendsOnConnection {
		return ConnectionQueue{}, nil
	}
	return ConnectionQueue{Needed: true, Queue: ch.ConnectionQueue}, nil
}

// pace waits for the channel's turn under its kind's declared send rate
// (Telegram: 30 a second per bot), so a burst of sends is spread instead
// of refused by the provider. The limit is per worker process; the
// provider's own 429 handling covers several workers together.
func (c *Conversations) pace(ctx context.Context, ch store.Channel) error {
	perSecond := c.Channels.Capabilities(ch.Kind).SendsPerSecond
	if perSecond <= 0 {
		return nil
	}
	l, _ := c.limits.LoadOrStore(ch.ID, rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond))))
	return l.(*rate.Limiter).Wait(ctx)
}

// threadAndReply fills in the conversation's thread key and when the
// customer last wrote in it, and the provider id of the message this one
// answers.
func (c *Conversations) threadAndReply(ctx context.Context, msg store.Message, out *channels.Outbound) error {
	if msg.ConversationID != nil {
		var conv store.Conversation
		if err := c.DB.WithContext(ctx).Select("thread_key, last_customer_message_at").Take(&conv, "id = ?", *msg.ConversationID).Error; err != nil {
			return err
		}
		out.ThreadKey = conv.ThreadKey
		if conv.LastCustomerMessageAt != nil {
			out.CustomerWroteAt = *conv.LastCustomerMessageAt
		}
	}
	if msg.ReplyToID != nil {
		var orig store.Message
		if err := c.DB.WithContext(ctx).Select("external_id").Take(&orig, "id = ?", *msg.ReplyToID).Error; err == nil && orig.ExternalID != nil {
			out.ReplyTo = *orig.ExternalID
		}
	}
	return nil
}

// maxReferences bounds the References an e-mail reply carries: the
// thread's first message and its latest ones, as mail clients do.
const maxReferences = 20

// mailContext fills in an e-mail reply's subject, copies and references
// from its conversation: the latest subject, the copies of the customer's
// latest mail, the provider ids of the messages so far.
func (c *Conversations) mailContext(ctx context.Context, msg store.Message, out *channels.Outbound) error {
	if msg.ConversationID == nil {
		return nil
	}
	var thread []store.Message
	err := c.DB.WithContext(ctx).Select("external_id, direction, subject, cc").
		Where("conversation_id = ? AND id <> ? AND external_id IS NOT NULL AND kind <> ?", *msg.ConversationID, msg.ID, store.KindNote).
		Order("created_at").Find(&thread).Error
	if err != nil {
		return err
	}
	cc := ""
	for _, m := range thread {
		out.References = append(out.References, *m.ExternalID)
		if m.Subject != "" {
			out.Subject = m.Subject
		}
		if m.Direction == store.DirectionInbound {
			cc = m.CC
		}
	}
	if n := len(out.References); n > maxReferences {
		out.References = append(out.References[:1], out.References[n-maxReferences+1:]...)
	}
	if cc != "" {
		out.CC = strings.Split(cc, ",")
	}
	return nil
}

// openFile reads an attachment's bytes for providers that take uploads.
func (c *Conversations) openFile(ctx context.Context, id string) ([]byte, error) {
	var a store.Attachment
	if err := c.DB.WithContext(ctx).Select("data").Take(&a, "id = ?", id).Error; err != nil {
		return nil, err
	}
	return a.Data, nil
}

func refused(reason string) error {
	return temporal.NewNonRetryableApplicationError(reason, ErrProviderRefused, nil)
}

// MarkFailedInput records a final delivery failure.
type MarkFailedInput struct {
	AccountID string
	MessageID string
	Reason    string
}

// MarkFailed marks the message failed with the reason the agent sees.
func (c *Conversations) MarkFailed(ctx context.Context, in MarkFailedInput) error {
	var msg store.Message
	if err := c.DB.WithContext(ctx).Take(&msg, "id = ? AND account_id = ?", in.MessageID, in.AccountID).Error; err != nil {
		return err
	}
	return c.setStatus(ctx, msg, store.MessageFailed, in.Reason, nil)
}

// RequeueMessage puts a failed message back in the queue for a retry.
func (c *Conversations) RequeueMessage(ctx context.Context, in DeliverInput) error {
	var msg store.Message
	if err := c.DB.WithContext(ctx).Take(&msg, "id = ? AND account_id = ?", in.MessageID, in.AccountID).Error; err != nil {
		return err
	}
	if msg.Status != store.MessageFailed {
		return nil
	}
	// A retried send on a metered channel is paid for again (its failure
	// refunded it): refused when the balance cannot cover it.
	err := c.write(ctx, msg.AccountID, func(tx *gorm.DB) error {
		if err := c.reserve(ctx, tx, msg); err != nil {
			return err
		}
		if err := tx.Model(&msg).Updates(map[string]any{"status": store.MessageQueued, "failure_reason": "", "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		msg.Status, msg.FailureReason = store.MessageQueued, ""
		return messaging.AppendEvent(ctx, tx, events.MessageStatusChanged, msg)
	})
	return err
}

func (c *Conversations) setStatus(ctx context.Context, msg store.Message, status, reason string, providerID *string) error {
	return messaging.SetStatus(ctx, c.DB, c.Bus, msg, status, reason, providerID)
}
