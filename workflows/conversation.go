package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
)

// Names of the conversation workflow's handlers.
const (
	SignalInbound = "inbound"
	UpdateClose   = "close"
	QueryState    = "state"
)

// ConversationWorkflowID is the business key of a contact's conversation
// on a channel: one ID, one run per ticket.
func ConversationWorkflowID(channelID, contactID string) string {
	return fmt.Sprintf("conversation/%s/%s", channelID, contactID)
}

// ConversationInput starts a run. ConversationID and Pending are set only
// when a run continues as new: the same ticket continuing, or a new ticket
// opened by messages that arrived as the previous one closed.
type ConversationInput struct {
	AccountID      string
	ChannelID      string
	ContactID      string
	ConversationID string
	Pending        []InboundSignal
}

// InboundSignal tells the workflow a customer message was persisted.
type InboundSignal struct {
	MessageID string
}

// CloseRequest is the argument of the close update.
type CloseRequest struct {
	UserID string // empty when the system closes it
}

// ConversationState answers the state query.
type ConversationState struct {
	ConversationID string
	Status         string
	Inbound        int
}

// Conversation is the lifecycle of one ticket. Customer messages arrive as
// signals (signal-with-start); agents act through updates.
func Conversation(ctx workflow.Context, in ConversationInput) error {
	c := &conversation{in: in, state: ConversationState{ConversationID: in.ConversationID, Status: "open"}}
	ctx = withLocalActivity(ctx)
	if err := c.registerHandlers(ctx); err != nil {
		return err
	}
	if c.state.ConversationID == "" {
		info := workflow.GetInfo(ctx)
		open := activities.OpenConversationInput{
			AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID,
			WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
		}
		if err := workflow.ExecuteLocalActivity(ctx, a.OpenConversation, open).Get(ctx, &c.state.ConversationID); err != nil {
			return err
		}
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(c.state.Status)); err != nil {
		return err
	}
	pending := in.Pending
	inbound := workflow.GetSignalChannel(ctx, SignalInbound)
	for {
		if err := c.record(ctx, pending); err != nil {
			return err
		}
		pending = nil
		err := workflow.Await(ctx, func() bool {
			return inbound.Len() > 0 || c.closed() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		})
		if err != nil {
			return err
		}
		pending = drain(inbound)
		if c.closed() || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
	}
	// Let in-flight updates finish and take the signals that came with them,
	// so nothing is lost when this run ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	pending = append(pending, drain(inbound)...)
	next := ConversationInput{AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID, Pending: pending}
	if !c.closed() {
		next.ConversationID = c.state.ConversationID
		return workflow.NewContinueAsNewError(ctx, Conversation, next)
	}
	if len(pending) > 0 {
		// The customer wrote again as the ticket closed: that is a new ticket.
		return workflow.NewContinueAsNewError(ctx, Conversation, next)
	}
	return nil
}

// withLocalActivity sets the options of the database writes. Handlers get
// the workflow's root context, so they call it too.
func withLocalActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: 30 * time.Second},
	})
}

// a is a nil receiver used only to name activity methods.
var a *activities.Conversations

type conversation struct {
	in      ConversationInput
	state   ConversationState
	seen    map[string]bool
	closing bool // a close update is running
}

func (c *conversation) closed() bool { return c.state.Status == "closed" }

func (c *conversation) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ConversationState, error) {
		return c.state, nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateClose, func(ctx workflow.Context, req CloseRequest) error {
		c.closing = true
		in := activities.CloseConversationInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, UserID: req.UserID}
		if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.CloseConversation, in).Get(ctx, nil); err != nil {
			c.closing = false
			return err
		}
		c.state.Status = "closed"
		return workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet("closed"))
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req CloseRequest) error {
		if c.closed() || c.closing {
			return errors.New("conversation is already closed")
		}
		if c.state.ConversationID == "" {
			return errors.New("conversation is still opening, try again")
		}
		return nil
	}})
}

// record attaches persisted inbound messages to this ticket, once each.
func (c *conversation) record(ctx workflow.Context, msgs []InboundSignal) error {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	for _, m := range msgs {
		if c.seen[m.MessageID] {
			continue
		}
		in := activities.RecordInboundInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, MessageID: m.MessageID}
		err := workflow.ExecuteLocalActivity(ctx, a.RecordInbound, in).Get(ctx, nil)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == activities.ErrMessageNotFound {
			// A signal naming a message that does not exist is a caller's
			// bug; the ticket goes on without it.
			workflow.GetLogger(ctx).Warn("inbound message not found", "MessageID", m.MessageID)
			continue
		}
		if err != nil {
			return err
		}
		c.seen[m.MessageID] = true
		c.state.Inbound++
	}
	return nil
}

func drain(ch workflow.ReceiveChannel) []InboundSignal {
	var out []InboundSignal
	var s InboundSignal
	for ch.ReceiveAsync(&s) {
		out = append(out, s)
	}
	return out
}
