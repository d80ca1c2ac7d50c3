package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/rules"
)

// Names of the distribution workflow's signals.
const (
	SignalOpened  = "opened"  // an agent opened the conversation: the offer is taken
	SignalRecheck = "recheck" // capacity may have freed: look at the queue again
)

// QueueRecheck is how often a waiting conversation looks for capacity when
// no signal comes; it bounds the wait after an agent frees up.
const QueueRecheck = 30 * time.Second

// DistributionWorkflowID is the key of a conversation's distribution.
func DistributionWorkflowID(conversationID string) string {
	return activities.DistributionIDPrefix + conversationID
}

// DistributionInput starts a distribution.
type DistributionInput struct {
	AccountID      string
	ConversationID string
}

// DistributionResult is how the distribution ended.
type DistributionResult struct {
	AgentID string
	Outcome string // assigned, manual, no_rule, closed
	Reason  string
}

// OpenedSignal says who opened the conversation.
type OpenedSignal struct {
	UserID string
}

// d is a nil receiver naming distribution activity methods.
var d *activities.Distribution

// Distribution decides who handles a new conversation: the first matching
// distribution rule's strategy picks an available agent of its target; the
// agent must open the conversation within the rule's offer timeout or the
// next agent is offered it; when nobody is available the conversation
// waits in the rule's queue and is assigned, in order of waiting, when
// capacity frees. Each decision and its reason is in this workflow's
// history and on the conversation's rule trail.
func Distribution(ctx workflow.Context, in DistributionInput) (DistributionResult, error) {
	run := distributionSteps(ctx)
	act := activities.DistributionInput{AccountID: in.AccountID, ConversationID: in.ConversationID}
	var plan activities.Plan
	if err := run(d.MatchRule, act).Get(ctx, &plan); err != nil {
		return DistributionResult{}, err
	}
	if plan.RuleID == "" {
		return DistributionResult{Outcome: "no_rule", Reason: "no distribution rule matched"}, nil
	}
	opened := workflow.GetSignalChannel(ctx, SignalOpened)
	recheck := workflow.GetSignalChannel(ctx, SignalRecheck)
	excluded := map[string]bool{}
	for {
		if plan.Closed {
			return DistributionResult{Outcome: "closed", Reason: "the conversation closed"}, nil
		}
		var pool []rules.Candidate
		for _, c := range plan.Candidates {
			if !excluded[c.ID] {
				pool = append(pool, c)
			}
		}
		dec := rules.Pick(plan.Strategy, pool, plan.LastAssigned, plan.LastAgent)
		workflow.GetLogger(ctx).Info("distribution decision", "Rule", plan.RuleName, "Agent", dec.AgentID, "Reason", dec.Reason)
		if plan.Strategy == rules.Manual {
			err := run(d.Enqueue, activities.QueueInput{AccountID: in.AccountID, ConversationID: in.ConversationID,
				RuleID: plan.RuleID, Reason: dec.Reason}).Get(ctx, nil)
			return DistributionResult{Outcome: "manual", Reason: dec.Reason}, err
		}
		if dec.AgentID == "" {
			if err := wait(ctx, run, in, plan, dec.Reason, recheck); err != nil {
				return DistributionResult{}, err
			}
			excluded = map[string]bool{} // a new round: everyone may be offered again
		} else {
			outcome := "assigned"
			if plan.OfferTimeout > 0 {
				outcome = "offered"
			}
			// The agents after the chosen one are tried in the same step
			// when it filled up meanwhile; the answer is who got it.
			var got string
			err := run(d.Assign, activities.AssignInput{AccountID: in.AccountID, ConversationID: in.ConversationID,
				RuleID: plan.RuleID, UserID: dec.AgentID, Outcome: outcome, Reason: dec.Reason,
				Fallback: rules.Fallbacks(plan.Strategy, pool, dec.AgentID)}).Get(ctx, &got)
			if got != "" {
				dec.AgentID = got
			}
			if isGone(err) {
				return DistributionResult{Outcome: "closed", Reason: "the conversation closed"}, nil
			}
			if isFull(err) {
				// Another decision filled the agent first: decide again on fresh load.
				if err := run(d.Refresh, act, plan).Get(ctx, &plan); err != nil {
					return DistributionResult{}, err
				}
				continue
			}
			if err != nil {
				return DistributionResult{}, err
			}
			if plan.OfferTimeout == 0 || awaitOpened(ctx, opened, dec.AgentID, plan.OfferTimeout) {
				return DistributionResult{AgentID: dec.AgentID, Outcome: "assigned", Reason: dec.Reason}, nil
			}
			excluded[dec.AgentID] = true
			reason := fmt.Sprintf("%s did not open the conversation within %s: offering it to the next agent", dec.AgentID, plan.OfferTimeout)
			if err := run(d.Record, activities.AssignInput{AccountID: in.AccountID, ConversationID: in.ConversationID,
				RuleID: plan.RuleID, UserID: dec.AgentID, Outcome: "offer_timed_out", Reason: reason}).Get(ctx, nil); err != nil {
				return DistributionResult{}, err
			}
			if allExcluded(plan.Candidates, excluded) {
				// Nobody else to offer it to: take it back and wait.
				err := run(d.Assign, activities.AssignInput{AccountID: in.AccountID, ConversationID: in.ConversationID,
					RuleID: plan.RuleID, UserID: "", Outcome: "unassigned", Reason: "every agent let the offer time out"}).Get(ctx, nil)
				if isGone(err) {
					return DistributionResult{Outcome: "closed", Reason: "the conversation closed"}, nil
				}
				if err != nil {
					return DistributionResult{}, err
				}
				excluded = map[string]bool{}
				if err := wait(ctx, run, in, plan, "every agent let the offer time out", recheck); err != nil {
					return DistributionResult{}, err
				}
			}
		}
		if err := run(d.Refresh, act, plan).Get(ctx, &plan); err != nil {
			return DistributionResult{}, err
		}
	}
}

// stepRunner runs one step of a distribution.
type stepRunner func(fn any, args ...any) workflow.Future

// distributionSteps says how the steps run. Version 1 runs them as local
// activities: each is a short database transaction (the assignment, an
// update of the conversation's workflow), and running it inside the
// workflow task saves an activity task and a workflow task per step,
// which is what a burst of new conversations queues on in Temporal.
// Runs started before keep their regular activities.
func distributionSteps(ctx workflow.Context) stepRunner {
	retry := &temporal.RetryPolicy{MaximumInterval: time.Minute, NonRetryableErrorTypes: []string{activities.ErrConversationGone, activities.ErrAgentFull}}
	if workflow.GetVersion(ctx, "distribution-local-steps", workflow.DefaultVersion, 1) == 1 {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
		return func(fn any, args ...any) workflow.Future { return workflow.ExecuteLocalActivity(lctx, fn, args...) }
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
	return func(fn any, args ...any) workflow.Future { return workflow.ExecuteActivity(actx, fn, args...) }
}

// wait puts the conversation in the queue and blocks until it is first in
// line and a recheck is due (a signal, or the periodic timer).
func wait(ctx workflow.Context, run stepRunner, in DistributionInput, plan activities.Plan, reason string, recheck workflow.ReceiveChannel) error {
	q := activities.QueueInput{AccountID: in.AccountID, ConversationID: in.ConversationID, RuleID: plan.RuleID, Reason: reason}
	if err := run(d.Enqueue, q).Get(ctx, nil); err != nil {
		return err
	}
	for {
		if _, err := workflow.AwaitWithTimeout(ctx, QueueRecheck, func() bool { return recheck.Len() > 0 }); err != nil {
			return err
		}
		var ignored any
		for recheck.ReceiveAsync(&ignored) {
		}
		var first bool
		if err := run(d.FirstInQueue, q).Get(ctx, &first); err != nil {
			return err
		}
		if first {
			return nil
		}
	}
}

// awaitOpened waits for the offered agent to open the conversation.
func awaitOpened(ctx workflow.Context, opened workflow.ReceiveChannel, agentID string, timeout time.Duration) bool {
	taken := false
	timer := workflow.NewTimer(ctx, timeout)
	for !taken {
		sel := workflow.NewSelector(ctx)
		timedOut := false
		sel.AddReceive(opened, func(ch workflow.ReceiveChannel, _ bool) {
			var s OpenedSignal
			ch.Receive(ctx, &s)
			taken = s.UserID == agentID
		})
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		sel.Select(ctx)
		if timedOut {
			return false
		}
	}
	return true
}

func allExcluded(cands []rules.Candidate, excluded map[string]bool) bool {
	return !slices.ContainsFunc(cands, func(c rules.Candidate) bool { return c.Available() && !excluded[c.ID] })
}

func isFull(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == activities.ErrAgentFull
}

func isGone(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == activities.ErrConversationGone
}
