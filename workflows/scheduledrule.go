package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
)

// RuleScheduleID is the Temporal schedule of a scheduled rule; each firing
// starts ScheduledRule.
func RuleScheduleID(ruleID string) string { return "rule-schedule/" + ruleID }

// ScheduledRuleWorkflowID prefixes the firings' workflow ids (the
// schedule appends the time).
func ScheduledRuleWorkflowID(ruleID string) string { return "scheduled-rule/" + ruleID }

// ScheduledRuleInput names the rule a schedule fires.
type ScheduledRuleInput struct {
	AccountID, RuleID string
}

// ScheduledRule is one firing of a scheduled automation rule: it runs the
// rule over the account's open conversations and returns how many matched.
func ScheduledRule(ctx workflow.Context, in ScheduledRuleInput) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 5},
	})
	run := activities.ScheduledRuleInput{AccountID: in.AccountID, RuleID: in.RuleID, Key: workflow.GetInfo(ctx).WorkflowExecution.RunID}
	var matched int
	err := workflow.ExecuteActivity(ctx, au.RunScheduledRule, run).Get(ctx, &matched)
	return matched, err
}
