package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/billing"
)

// RechargeWorkflowID is the business key of a recharge by Pix.
func RechargeWorkflowID(rechargeID string) string { return "recharge/" + rechargeID }

// SignalPaymentNotified wakes a recharge when the provider notified a
// change of its payment.
const SignalPaymentNotified = "payment-notified"

// RechargeInput names the recharge.
type RechargeInput struct {
	AccountID, RechargeID string
}

// bill is a nil receiver used only to name activity methods.
var bill *activities.Billing

var rechargeOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 20,
	},
}

// Recharge polling and grace: a notification wakes the recharge at once;
// without one (lost, or a laptop the provider cannot reach) the payment
// is read back every rechargePoll; rechargeGrace after the code expires
// the charge is cancelled.
const (
	rechargePoll  = 2 * time.Minute
	rechargeGrace = time.Minute
)

// Recharge creates a recharge's Pix charge, waits for its payment — woken
// by the provider's notifications, reading the payment back each time and
// every couple of minutes — credits it exactly once when approved (the
// ledger key is the recharge's), cancels it when it expires unpaid, and
// after the credit starts the activation of the account's metered
// channels waiting for their first recharge.
func Recharge(ctx workflow.Context, in RechargeInput) error {
	ref := activities.RechargeRef{AccountID: in.AccountID, RechargeID: in.RechargeID}
	actx := workflow.WithActivityOptions(ctx, rechargeOptions)
	var st activities.RechargeState
	if err := workflow.ExecuteActivity(actx, bill.CreatePixCharge, ref).Get(ctx, &st); err != nil {
		return err
	}
	notified := workflow.GetSignalChannel(ctx, SignalPaymentNotified)
	for !st.Final {
		deadline := st.ExpiresAt.Add(rechargeGrace)
		now := workflow.Now(ctx)
		if !now.Before(deadline) {
			if err := workflow.ExecuteActivity(actx, bill.ExpireRecharge, ref).Get(ctx, &st); err != nil {
				return err
			}
			break
		}
		tctx, cancel := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(notified, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			for c.ReceiveAsync(nil) { // several notifications: one read back
			}
		})
		sel.AddFuture(workflow.NewTimer(tctx, min(rechargePoll, deadline.Sub(now))), func(workflow.Future) {})
		sel.Select(ctx)
		cancel()
		if err := workflow.ExecuteActivity(actx, bill.CheckRecharge, ref).Get(ctx, &st); err != nil {
			return err
		}
	}
	if st.Status != billing.RechargeApproved {
		return nil
	}
	var waiting []string
	if err := workflow.ExecuteActivity(actx, bill.PrepaidChannels, ref).Get(ctx, &waiting); err != nil {
		return err
	}
	for _, id := range waiting {
		child := ChannelActivationInput{AccountID: in.AccountID, ChannelID: id}
		if err := startActivationChild(ctx, child); err != nil {
			workflow.GetLogger(ctx).Warn("channel activation not started after the recharge", "channel", id, "error", err)
		}
	}
	return nil
}

// startActivationChild runs a channel's activation again, outliving the
// recharge; one already running (the manager saved meanwhile) is left to
// finish.
func startActivationChild(ctx workflow.Context, in ChannelActivationInput) error {
	return startChannelChild(ctx, ChannelActivationWorkflowID(in.ChannelID), ChannelActivation, in)
}
