package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
)

// Scheduled message workflow: updates and its ID.
const (
	UpdateScheduledReady  = "ready"  // answers once the schedule is stored
	UpdateScheduledEdit   = "edit"   // EditScheduledRequest
	UpdateScheduledCancel = "cancel" // no argument
)

// ScheduledMessageWorkflowID is the business key of a scheduled message.
func ScheduledMessageWorkflowID(id string) string { return "scheduled-message/" + id }

// ScheduledInput starts a scheduled message; New is the row to store.
type ScheduledInput struct {
	New activities.NewScheduled
}

// EditScheduledRequest changes the text and time before it is sent.
type EditScheduledRequest struct {
	Body   string
	SendAt time.Time
}

// sendOptions retry a send for about half an hour before the schedule is
// marked failed; a refusal (window closed) fails it at once.
var sendOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 10,
		NonRetryableErrorTypes: []string{activities.ErrSendRefused},
	},
}

// ScheduledMessage waits for its time and sends the message through the
// conversation's workflow, so the channel's rules apply. Until then it can
// be edited or canceled; the timer follows each edit. The outcome (sent,
// failed with the reason, canceled) is stored for the agent to see.
func ScheduledMessage(ctx workflow.Context, in ScheduledInput) error {
	lctx := withLocalActivity(ctx)
	ref := activities.ScheduledRef{AccountID: in.New.AccountID, ID: in.New.ID}
	sendAt := in.New.SendAt
	var stored, fired, canceled, changed bool
	pending := func() error {
		if fired || canceled {
			return temporal.NewApplicationError("the message was already sent or canceled", activities.ErrScheduledDone)
		}
		return nil
	}
	err := workflow.SetUpdateHandler(ctx, UpdateScheduledReady, func(ctx workflow.Context) error {
		return workflow.Await(ctx, func() bool { return stored })
	})
	if err == nil {
		err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateScheduledEdit, func(ctx workflow.Context, r EditScheduledRequest) error {
			if err := workflow.Await(ctx, func() bool { return stored }); err != nil {
				return err
			}
			if err := pending(); err != nil {
				return err
			}
			edit := activities.EditScheduledInput{AccountID: ref.AccountID, ID: ref.ID, Body: r.Body, SendAt: r.SendAt}
			if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.EditScheduled, edit).Get(ctx, nil); err != nil {
				return err
			}
			sendAt, changed = r.SendAt, true
			return nil
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r EditScheduledRequest) error { return pending() }})
	}
	if err == nil {
		err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateScheduledCancel, func(ctx workflow.Context) error {
			if err := workflow.Await(ctx, func() bool { return stored }); err != nil {
				return err
			}
			if err := pending(); err != nil {
				return err
			}
			canceled = true
			return finish(ctx, ref, store.ScheduledCanceled, "", "")
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context) error { return pending() }})
	}
	if err != nil {
		return err
	}
	if err := workflow.ExecuteLocalActivity(lctx, crm.SaveScheduled, in.New).Get(ctx, nil); err != nil {
		return err
	}
	stored = true
	for !canceled {
		wait := sendAt.Sub(workflow.Now(ctx))
		if wait <= 0 {
			break
		}
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return changed || canceled }); err != nil {
			return err
		}
		changed = false
	}
	if !canceled {
		fired = true
		var res activities.SendResult
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, sendOptions), crm.SendScheduled, ref).Get(ctx, &res)
		if err != nil {
			err = finish(ctx, ref, store.ScheduledFailed, failureReason(err), "")
		} else {
			err = finish(ctx, ref, store.ScheduledSent, "", res.MessageID)
		}
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func finish(ctx workflow.Context, ref activities.ScheduledRef, status, reason, messageID string) error {
	in := activities.FinishScheduledInput{AccountID: ref.AccountID, ID: ref.ID, Status: status, Reason: reason, MessageID: messageID}
	return workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.FinishScheduled, in).Get(ctx, nil)
}

// failureReason is the refusal's own words when the conversation refused,
// else the last error.
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}
