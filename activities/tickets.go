package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// ConversationInput starts a run of the conversation workflow.
// ConversationID is set when a run continues a ticket (continue-as-new, or
// a reopen after close); Pending carries messages that arrived as the
// previous run ended.
type ConversationInput struct {
	AccountID      string
	ChannelID      string
	ContactID      string
	ThreadKey      string // "" for the contact's one conversation on the channel
	ConversationID string
	Pending        []InboundSignal
	Outbox         []string // queued outbound message ids carried over
}

// InboundSignal tells the conversation workflow a customer message was
// persisted.
type InboundSignal struct {
	MessageID string
}

// SendRequest is an agent's (or a schedule's) message or private note.
type SendRequest struct {
	UserID         string
	Body           string
	Note           bool
	IdempotencyKey string
	HumanAgentTag  bool // Meta channels: answer up to 7 days after the customer wrote
	// Comment: a public reply to a comment (Instagram), not a private
	// message; ReplyToID names the message answered ("" in a comment
	// thread: its latest comment).
	Comment       bool
	ReplyToID     string
	AttachmentIDs []string // files the agent uploaded for this message
	// Template: send an approved template (JSON channels.TemplateSend),
	// allowed when the service window has closed; Body is its rendered
	// text.
	Template string
}

// SendResult answers a send once the message is stored.
type SendResult struct {
	MessageID string
}

// Names of the conversation workflow and its send update, for callers
// that cannot import package workflows (it imports this one).
const (
	conversationWorkflow = "Conversation"
	updateSend           = "send"
)

// ErrSendRefused is the application error type of a send the conversation
// refused (window closed, and the like): retrying cannot help.
const ErrSendRefused = "SendRefused"

// SendToConversation sends a message to a conversation's contact on its
// channel through the conversation workflow, so the channel's rules
// (service window) apply and the ticket's history shows it. A closed
// ticket is reopened by starting its next run; when the contact already
// has a newer open ticket on the channel, the message goes there. The
// request's IdempotencyKey makes a repeated call send once. A refusal
// comes back as a non-retryable ErrSendRefused error.
func SendToConversation(ctx context.Context, tc client.Client, taskQueue string, conv store.Conversation, req SendRequest) (SendResult, error) {
	var res SendResult
	_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: conv.WorkflowID, TaskQueue: taskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, conversationWorkflow, ConversationInput{AccountID: conv.AccountID, ChannelID: conv.ChannelID, ContactID: conv.ContactID, ThreadKey: conv.ThreadKey, ConversationID: conv.ID})
	if err != nil {
		return res, err
	}
	for {
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: conv.WorkflowID, UpdateName: updateSend, Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, &res)
		}
		// A run just started registers its handlers once it has loaded
		// the ticket; until then the update is unknown to it.
		if err == nil || !strings.Contains(err.Error(), "unknown update") {
			return res, sendError(err)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sendError maps the conversation's refusals to ErrSendRefused.
func sendError(err error) error {
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), channels.WindowClosedReason):
		return temporal.NewNonRetryableApplicationError(channels.WindowClosedReason, ErrSendRefused, err)
	case errors.As(err, &app):
		return temporal.NewNonRetryableApplicationError(app.Message(), ErrSendRefused, err)
	case errors.As(err, &notFound):
		return temporal.NewNonRetryableApplicationError("conversation not found", ErrSendRefused, err)
	}
	return err
}

// StartAndWait starts a workflow by its business key (or finds the one
// running, USE_EXISTING) and waits on its "ready" update, which answers
// once the workflow stored what it was started with. Cards and scheduled
// messages are created this way, so none exists without its workflow.
func StartAndWait(ctx context.Context, tc client.Client, opts client.StartWorkflowOptions, wf any, arg any) error {
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, err := tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: tc.NewWithStartWorkflowOperation(opts, wf, arg),
		UpdateOptions:          client.UpdateWorkflowOptions{WorkflowID: opts.ID, UpdateName: "ready", WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}
