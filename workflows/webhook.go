package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
)

// Webhook endpoint workflow: signals and IDs.
const (
	SignalWebhookDeliveries = "deliveries" // []DeliveryRef, in seq order
	SignalWebhookResume     = "resume"     // the endpoint was enabled again
)

// WebhookEndpointWorkflowID is the business key of an endpoint's queue.
func WebhookEndpointWorkflowID(endpointID string) string { return "webhook-endpoint/" + endpointID }

// WebhookDeliveryWorkflowID is the business key of one delivery.
func WebhookDeliveryWorkflowID(deliveryID string) string { return "webhook-delivery/" + deliveryID }

// DeliveryRef is a delivery waiting in an endpoint's queue.
type DeliveryRef struct {
	ID  string
	Seq int64
}

// WebhookEndpointInput starts (or continues) an endpoint's queue.
type WebhookEndpointInput struct {
	AccountID  string
	EndpointID string
	Queue      []DeliveryRef
	LastSeq    int64 // the highest seq queued so far; older ones are repeats
}

// DeliveryOutcome is how a delivery ended.
type DeliveryOutcome struct {
	Delivered bool
	Reason    string
}

// wh is a nil receiver used only to name activity methods.
var wh *activities.Webhooks

// webhookRetry retries a delivery with exponential backoff for 24 hours:
// 1 s doubling to an hour, about 36 tries; the attempt cap only backs up
// the 24-hour limit.
var webhookRetry = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Hour, MaximumAttempts: 60,
		NonRetryableErrorTypes: []string{activities.ErrEndpointGone},
	},
}

// WebhookEndpoint sends an endpoint's deliveries one at a time, in the
// order the events happened, each as its own WebhookDelivery workflow. A
// delivery that fails for 24 hours disables the endpoint (the reason is
// shown to admins); the queue then waits until the endpoint is enabled
// again. A deleted endpoint ends the workflow.
func WebhookEndpoint(ctx workflow.Context, in WebhookEndpointInput) error {
	lctx := withLocalActivity(ctx)
	ref := activities.EndpointRef{AccountID: in.AccountID, EndpointID: in.EndpointID}
	deliveries := workflow.GetSignalChannel(ctx, SignalWebhookDeliveries)
	resume := workflow.GetSignalChannel(ctx, SignalWebhookResume)
	queue, last := in.Queue, in.LastSeq
	take := func() {
		var refs []DeliveryRef
		for deliveries.ReceiveAsync(&refs) {
			for _, r := range refs {
				if r.Seq > last {
					queue, last = append(queue, r), r.Seq
				}
			}
		}
	}
	for {
		take()
		if len(queue) == 0 {
			if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				return workflow.NewContinueAsNewError(ctx, WebhookEndpoint, WebhookEndpointInput{AccountID: in.AccountID, EndpointID: in.EndpointID, LastSeq: last})
			}
			if err := workflow.Await(ctx, func() bool { return deliveries.Len() > 0 }); err != nil {
				return err
			}
			continue
		}
		var state string
		if err := workflow.ExecuteLocalActivity(lctx, wh.EndpointState, ref).Get(ctx, &state); err != nil {
			return err
		}
		switch state {
		case activities.EndpointGone:
			return nil
		case activities.EndpointDisabled:
			if err := workflow.Await(ctx, func() bool { return resume.Len() > 0 }); err != nil {
				return err
			}
			for resume.ReceiveAsync(nil) {
			}
			continue
		}
		next := queue[0]
		opts := workflow.ChildWorkflowOptions{WorkflowID: WebhookDeliveryWorkflowID(next.ID)}
		var out DeliveryOutcome
		err := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), WebhookDelivery, activities.WebhookRef{AccountID: in.AccountID, DeliveryID: next.ID}).Get(ctx, &out)
		if err != nil {
			return err
		}
		queue = queue[1:]
		if !out.Delivered {
			// The reason is the last failure's own words; the screen says
			// the endpoint was turned off after failing for 24 hours.
			disable := activities.DisableInput{AccountID: in.AccountID, EndpointID: in.EndpointID, Reason: out.Reason}
			if err := workflow.ExecuteLocalActivity(lctx, wh.DisableEndpoint, disable).Get(ctx, nil); err != nil {
				return err
			}
		}
	}
}

// WebhookDelivery posts one delivery, signed, retrying with exponential
// backoff for up to 24 hours; its delivery id stays the same on every try.
func WebhookDelivery(ctx workflow.Context, in activities.WebhookRef) (DeliveryOutcome, error) {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, webhookRetry), wh.DeliverWebhook, in).Get(ctx, nil)
	if err == nil {
		return DeliveryOutcome{Delivered: true}, nil
	}
	fail := activities.FailWebhookInput{AccountID: in.AccountID, DeliveryID: in.DeliveryID, Reason: failureReason(err)}
	var reason string
	if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), wh.FailWebhook, fail).Get(ctx, &reason); err != nil {
		return DeliveryOutcome{}, err
	}
	return DeliveryOutcome{Reason: reason}, nil
}
