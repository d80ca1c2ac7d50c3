package workflows

import (
	"errors"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
)

// ChannelActivationWorkflowID is the business key of a channel's
// activation (and deactivation): one at a time per channel.
func ChannelActivationWorkflowID(channelID string) string { return "channel-activation/" + channelID }

// ChannelConnectionWorkflowID is the business key of a channel's
// stateful connection (long polling, a WhatsApp session, IMAP IDLE).
func ChannelConnectionWorkflowID(channelID string) string { return "channel-connection/" + channelID }

// ResourceFetchWorkflowID is the business key of reading the resource a
// provider's notification named: its id makes a repeated notification a
// no-op.
func ResourceFetchWorkflowID(channelID, key string) string { return "fetch/" + channelID + "/" + key }

// InboundMediaWorkflowID is the business key of fetching one inbound
// file.
func InboundMediaWorkflowID(mediaID string) string { return "inbound-media/" + mediaID }

// ChannelActivationInput activates or deactivates a channel.
type ChannelActivationInput struct {
	AccountID, ChannelID string
	Deactivate           bool
}

// The inbound sweep's schedule and workflow IDs.
const (
	InboundSweepScheduleID = "maintenance/inbound-sweep"
	InboundSweepWorkflowID = "inbound-sweep"
)

// Activities of package inbox, named here because that package imports
// this one: the connection runs there, next to the ingestion it feeds.
const (
	RunConnectionActivity = "RunConnection"
	FetchResourceActivity = "FetchResource"
	SweepInboundActivity  = "SweepInbound"
)

// kit is a nil receiver used only to name activity methods.
var kit *activities.ChannelKit

// stepOptions retry a provider for a few minutes; a refusal (a bad token)
// fails the step at once with the provider's reason. A step may wait for
// the manager (pairing a phone takes up to about three minutes of QR
// codes), and heartbeats meanwhile, so a dead worker's step moves on.
var stepOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	HeartbeatTimeout:    30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 8,
		NonRetryableErrorTypes: []string{activities.ErrChannelRefused},
	},
}

// ChannelActivation runs a channel kind's activation steps in order, each
// an activity whose progress the channel screen shows live, then starts
// the channel's connection when the kind needs one. Deactivation stops
// the connection and undoes at the provider what activation registered.
func ChannelActivation(ctx workflow.Context, in ChannelActivationInput) error {
	ref := activities.ChannelRef{AccountID: in.AccountID, ChannelID: in.ChannelID}
	actx := workflow.WithActivityOptions(ctx, stepOptions)
	if in.Deactivate {
		if err := stopConnection(ctx, in.ChannelID); err != nil {
			return err
		}
		return workflow.ExecuteActivity(actx, kit.DeactivateChannel, ref).Get(ctx, nil)
	}
	var steps []string
	if err := workflow.ExecuteActivity(actx, kit.StartActivation, ref).Get(ctx, &steps); err != nil {
		return err
	}
	connect := false
	var failed error
	for _, step := range steps {
		var out activities.StepOutcome
		if failed = workflow.ExecuteActivity(actx, kit.RunActivationStep, activities.StepInput{ChannelRef: ref, Step: step}).Get(ctx, &out); failed != nil {
			break
		}
		connect = connect || out.Connect
	}
	fin := activities.FinishInput{ChannelRef: ref, Connect: connect && failed == nil}
	if failed != nil {
		fin.Error = reasonOf(failed)
	}
	if err := workflow.ExecuteActivity(actx, kit.FinishActivation, fin).Get(ctx, nil); err != nil {
		return err
	}
	if failed != nil || steps == nil {
		return nil // the failure is on the channel, for the manager to read
	}
	if workflow.GetVersion(ctx, "sync-templates", workflow.DefaultVersion, 1) == 1 {
		// Kinds with templates read them now, so the composer offers them.
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, templateOptions), kit.SyncTemplates, ref).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("templates not read after activation", "channel", in.ChannelID, "error", err)
		}
	}
	if workflow.GetVersion(ctx, "token-refresh", workflow.DefaultVersion, 1) == 1 {
		// Kinds with expiring tokens keep them fresh from now on.
		if err := startTokenRefresh(ctx, ref); err != nil {
			return err
		}
	}
	if !connect {
		return stopConnection(ctx, in.ChannelID) // e.g. polling before, a webhook now
	}
	return startConnection(ctx, ref)
}

// reasonOf is an activity error's own message, without the SDK's wrapping.
func reasonOf(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// startConnection starts the channel's connection workflow, or leaves the
// running one, which reads the channel's new settings on its next
// attempt.
func startConnection(ctx workflow.Context, ref activities.ChannelRef) error {
	return startChannelChild(ctx, ChannelConnectionWorkflowID(ref.ChannelID), ChannelConnection, ref)
}

// startChannelChild starts a channel's workflow that outlives this one
// (its connection, token refresh, activation again), or leaves the one
// already running.
func startChannelChild(ctx workflow.Context, id string, wf any, arg any) error {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), wf, arg)
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// stopConnection asks the channel's connection to end. None running, or
// one already finished, is fine; and a connection that missed the request
// ends by itself, as each attempt first checks that the channel still
// needs it.
func stopConnection(ctx workflow.Context, channelID string) error {
	err := workflow.RequestCancelExternalWorkflow(ctx, ChannelConnectionWorkflowID(channelID), "").Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Info("connection not canceled", "channel", channelID, "error", err)
	}
	return nil
}

// reconnectAfterCancel ends a canceled connection, unless the channel was
// activated again while the cancellation reached the attempt (a quick
// off and on): then the connection starts over in a new run, since the
// activation found this one still running and did not start another.
func reconnectAfterCancel(ctx workflow.Context, ref activities.ChannelRef) error {
	if workflow.GetVersion(ctx, "reconnect-after-cancel", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var wanted bool
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(dctx, stepOptions), kit.ConnectionWanted, ref).Get(dctx, &wanted)
	if err != nil || !wanted {
		return nil
	}
	return workflow.NewContinueAsNewError(dctx, ChannelConnection, ref)
}

// ConnectionResult is how a connection attempt ended.
type ConnectionResult struct {
	// Done: the channel no longer needs a connection (deactivated, a
	// webhook now, a revoked token); the workflow ends.
	Done bool
}

// connectionOptions: one attempt runs up to an hour and heartbeats, so a
// dead worker's connection moves to another within the heartbeat timeout;
// failures are retried without end, backing off to a minute.
var connectionOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	HeartbeatTimeout:    30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

// ChannelConnection holds a channel's stateful connection open: one long
// heartbeating activity at a time, on one worker; when that worker dies,
// the heartbeat timeout hands the connection to another. It ends when the
// channel no longer needs it, or is canceled by deactivation.
func ChannelConnection(ctx workflow.Context, ref activities.ChannelRef) error {
	actx := workflow.WithActivityOptions(ctx, connectionOptions)
	for i := 0; i < 100; i++ {
		var res ConnectionResult
		err := workflow.ExecuteActivity(actx, RunConnectionActivity, ref).Get(ctx, &res)
		if temporal.IsCanceledError(err) || ctx.Err() != nil {
			return reconnectAfterCancel(ctx, ref)
		}
		if err != nil {
			return err
		}
		if res.Done {
			return nil
		}
	}
	return workflow.NewContinueAsNewError(ctx, ChannelConnection, ref)
}

// mediaOptions retry a provider's file for about an hour.
var mediaOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 15},
}

// InboundMedia fetches one file of an inbound message into attachment
// storage, after the provider's webhook was answered; for kinds that
// download through their live connection, on the worker holding it.
func InboundMedia(ctx workflow.Context, ref activities.MediaRef) error {
	actx := workflow.WithActivityOptions(ctx, mediaOptions)
	var q activities.ConnectionQueue
	if workflow.GetVersion(ctx, "media-on-connection", workflow.DefaultVersion, 1) == 1 {
		var err error
		if q, err = queueLookup(kit.MediaConnectionQueue, ref)(ctx); err != nil {
			return err
		}
	}
	var err error
	if q.Needed {
		err = onConnection(ctx, &q, queueLookup(kit.MediaConnectionQueue, ref), mediaOptions, kit.FetchInboundMedia, ref)
	} else {
		err = workflow.ExecuteActivity(actx, kit.FetchInboundMedia, ref).Get(ctx, nil)
	}
	if err == nil {
		return nil
	}
	// Out of retries: the message says its file could not be fetched,
	// rather than waiting for it forever.
	failed := activities.MediaFailure{MediaRef: ref, Reason: "could not fetch the file: " + reasonOf(err)}
	return workflow.ExecuteActivity(actx, kit.MarkMediaFailed, failed).Get(ctx, nil)
}

// InboundSweep hands over to their workflows the inbound messages stored
// but not taken in (Temporal was unreachable when they arrived) and
// starts the fetch of files left pending. Run by the schedule
// maintenance/inbound-sweep.
func InboundSweep(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	return workflow.ExecuteActivity(actx, SweepInboundActivity).Get(ctx, nil)
}

// TemplateSyncWorkflowID is the business key of reading a channel's
// templates from its provider; TemplateSubmitWorkflowID of sending one
// for review.
func TemplateSyncWorkflowID(channelID string) string    { return "template-sync/" + channelID }
func TemplateSubmitWorkflowID(templateID string) string { return "template-submit/" + templateID }

// templateOptions retry the provider for a few minutes.
var templateOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 8,
		NonRetryableErrorTypes: []string{activities.ErrChannelRefused}},
}

// TemplateSync reads a channel's templates from its provider: after
// activation and when a manager asks.
func TemplateSync(ctx workflow.Context, ref activities.ChannelRef) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, templateOptions), kit.SyncTemplates, ref).Get(ctx, nil)
}

// TemplateSubmit sends a template created in CHATSPOT for the provider's
// review; when the provider stays unreachable, the template is marked
// failed so the manager can submit it again.
func TemplateSubmit(ctx workflow.Context, ref activities.TemplateRef) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, templateOptions), kit.SubmitTemplate, ref).Get(ctx, nil)
	if err == nil {
		return nil
	}
	failed := activities.TemplateFailure{TemplateRef: ref, Reason: "could not reach WhatsApp: " + reasonOf(err)}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, templateOptions), kit.MarkTemplateFailed, failed).Get(ctx, nil)
}

// MarkReadWorkflowID is the business key of telling a conversation's
// customer their messages were read: one at a time per conversation.
func MarkReadWorkflowID(conversationID string) string { return "mark-read/" + conversationID }

// readOptions: a read receipt is a courtesy, tried for a minute or two.
var readOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 5},
}

// MarkRead sends the customer read receipts once an agent opened their
// conversation, on the worker holding the channel's connection when the
// kind sends through it.
func MarkRead(ctx workflow.Context, in activities.ReadInput) error {
	lookup := queueLookup(a.ChannelConnectionQueue, in.ChannelID)
	q, err := lookup(ctx)
	if err != nil {
		return err
	}
	if q.Needed {
		return onConnection(ctx, &q, lookup, readOptions, kit.MarkConversationRead, in)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, readOptions), kit.MarkConversationRead, in).Get(ctx, nil)
}

// connectionScheduleTimeout is how long an activity waits on the holding
// worker's queue before the holder is taken for gone and the queue is
// looked up again (another worker may hold the connection by then).
const connectionScheduleTimeout = 30 * time.Second

// queueLookup reads where a channel's connection is held, by a local
// activity (a ChannelConnectionQueue or MediaConnectionQueue).
func queueLookup(activity, arg any) func(workflow.Context) (activities.ConnectionQueue, error) {
	return func(ctx workflow.Context) (activities.ConnectionQueue, error) {
		var q activities.ConnectionQueue
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		err := workflow.ExecuteLocalActivity(lctx, activity, arg).Get(ctx, &q)
		return q, err
	}
}

// onConnection runs an activity on the worker holding a channel's live
// connection: its own task queue, looked up before each attempt (first,
// when the caller has just read it, serves the first one), so an attempt
// follows the connection when it moves to another worker. The attempts and
// their backoff are opts' retry policy, run here because a retry must be
// able to change queue; a non-retryable error ends at once.
func onConnection(ctx workflow.Context, first *activities.ConnectionQueue, lookup func(workflow.Context) (activities.ConnectionQueue, error), opts workflow.ActivityOptions, activity, arg any) error {
	policy := opts.RetryPolicy
	opts.RetryPolicy = &temporal.RetryPolicy{MaximumAttempts: 1}
	opts.ScheduleToStartTimeout = connectionScheduleTimeout
	wait := policy.InitialInterval
	var last error
	for attempt := int32(1); ; attempt++ {
		var q activities.ConnectionQueue
		if attempt == 1 && first != nil {
			q = *first
		} else {
			var err error
			if q, err = lookup(ctx); err != nil {
				return err
			}
		}
		if q.Queue == "" {
			last = temporal.NewApplicationError("the channel is not connected", "NotConnected")
		} else {
			opts.TaskQueue = q.Queue
			last = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), activity, arg).Get(ctx, nil)
			if last == nil {
				return nil
			}
		}
		var app *temporal.ApplicationError
		if errors.As(last, &app) && (app.NonRetryable() || slices.Contains(policy.NonRetryableErrorTypes, app.Type())) {
			return last
		}
		if policy.MaximumAttempts > 0 && attempt >= policy.MaximumAttempts {
			return last
		}
		delay := wait
		if app != nil && app.NextRetryDelay() > delay {
			delay = app.NextRetryDelay() // the provider asked to wait
		}
		if err := workflow.Sleep(ctx, delay); err != nil {
			return err
		}
		wait = min(time.Duration(float64(wait)*policy.BackoffCoefficient), policy.MaximumInterval)
	}
}

// ModerationWorkflowID is the business key of an action on a comment:
// one at a time per comment.
func ModerationWorkflowID(messageID string) string { return "moderate/" + messageID }

// moderationOptions: the agent waits for the answer, so a few quick tries.
var moderationOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
		NonRetryableErrorTypes: []string{activities.ErrModerationRefused}},
}

// ModerateComment hides, shows or deletes a customer's comment at the
// provider and records it.
func ModerateComment(ctx workflow.Context, in activities.ModerationInput) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, moderationOptions), kit.ModerateComment, in).Get(ctx, nil)
}

// TokenRefreshWorkflowID is the business key of a channel's token
// refresh: one per channel.
func TokenRefreshWorkflowID(channelID string) string { return "token-refresh/" + channelID }

// ChannelOAuthWorkflowID is the business key of trading a channel's OAuth
// code: one at a time per channel.
func ChannelOAuthWorkflowID(channelID string) string { return "oauth/" + channelID }

// refreshOptions retry an unreachable provider for hours (the token has
// days left); a refusal is handled by the activity.
var refreshOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Hour,
		NonRetryableErrorTypes: []string{activities.ErrChannelRefused}},
}

// refreshCheck is how often a waiting refresh reads the channel again: a
// new connection changes the expiry, a deactivation ends the wait.
const refreshCheck = 24 * time.Hour

// refreshRunLength bounds a run's history: it continues as new after this
// many waits.
const refreshRunLength = 30

// TokenRefresh keeps a channel's expiring token fresh (Instagram's 60-day
// tokens): it waits until the kind says the token is due, refreshes it,
// and goes on, until the channel is deactivated or needs connecting
// again (a refused refresh).
func TokenRefresh(ctx workflow.Context, ref activities.ChannelRef) error {
	actx := workflow.WithActivityOptions(ctx, refreshOptions)
	for range refreshRunLength {
		var due activities.RefreshDue
		if err := workflow.ExecuteActivity(actx, kit.TokenRefreshDue, ref).Get(ctx, &due); err != nil {
			return err
		}
		if !due.Needed {
			return nil
		}
		if wait := due.At.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, min(wait, refreshCheck)); err != nil {
				return err
			}
			continue
		}
		if err := workflow.ExecuteActivity(actx, kit.RefreshChannelToken, ref).Get(ctx, nil); err != nil {
			return err
		}
	}
	return workflow.NewContinueAsNewError(ctx, TokenRefresh, ref)
}

// startTokenRefresh starts the channel's token refresh, or leaves the
// running one, which reads the new token on its next check.
func startTokenRefresh(ctx workflow.Context, ref activities.ChannelRef) error {
	return startChannelChild(ctx, TokenRefreshWorkflowID(ref.ChannelID), TokenRefresh, ref)
}

// oauthOptions: a code is single-use and short-lived, so an unreachable
// provider is tried a few times only.
var oauthOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
		NonRetryableErrorTypes: []string{activities.ErrChannelRefused}},
}

// ChannelOAuth trades the code a provider's consent screen sent back for
// the channel's tokens and stores them; activation follows.
func ChannelOAuth(ctx workflow.Context, in activities.OAuthInput) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, oauthOptions), kit.ExchangeOAuthCode, in).Get(ctx, nil)
}

// fetchOptions retry a provider for about forty minutes (Mercado Livre's
// missed feeds and unanswered questions, read by the connection, cover
// longer outages); its refusal (a revoked token) ends the fetch.
var fetchOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute, MaximumAttempts: 12,
		NonRetryableErrorTypes: []string{activities.ErrChannelRefused}},
}

// ResourceFetch reads the resource a notification named and ingests what
// it holds, after the webhook answered.
func ResourceFetch(ctx workflow.Context, ref activities.ResourceRef) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, fetchOptions), FetchResourceActivity, ref).Get(ctx, nil)
}
