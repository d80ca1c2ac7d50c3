package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
)

// EventRetentionScheduleID is the Temporal schedule that prunes the event
// log every hour; EventRetentionWorkflowID prefixes its runs' ids (the
// schedule appends the time).
const (
	EventRetentionScheduleID = "maintenance/event-retention"
	EventRetentionWorkflowID = "maintenance/event-retention"
)

// pruner is a nil receiver used only to name Retention's activities.
var pruner *activities.Retention

// EventRetention is one pruning of the agents' event log; it returns how
// many events went.
func EventRetention(ctx workflow.Context) (int64, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumAttempts: 5},
	})
	var deleted int64
	err := workflow.ExecuteActivity(ctx, pruner.PruneEvents).Get(ctx, &deleted)
	return deleted, err
}
