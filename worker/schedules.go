package worker

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/workflows"
)

// EnsureSchedules creates the schedules of the deployment's housekeeping
// workflows on the task queue, unless they exist already (another worker
// or an earlier start made them): the event log's hourly pruning and the
// inbound sweep every minute.
func EnsureSchedules(ctx context.Context, tc client.Client, taskQueue string) error {
	schedules := []client.ScheduleOptions{{
		ID:   workflows.EventRetentionScheduleID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Action: &client.ScheduleWorkflowAction{
			ID: workflows.EventRetentionWorkflowID, Workflow: workflows.EventRetention, TaskQueue: taskQueue,
			WorkflowExecutionTimeout: time.Hour,
		},
	}, {
		// Inbound messages stored but not handed to their workflows.
		ID:   workflows.InboundSweepScheduleID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Minute}}},
		Action: &client.ScheduleWorkflowAction{
			ID: workflows.InboundSweepWorkflowID, Workflow: workflows.InboundSweep, TaskQueue: taskQueue,
			WorkflowExecutionTimeout: 5 * time.Minute,
		},
	}}
	for _, opts := range schedules {
		_, err := tc.ScheduleClient().Create(ctx, opts)
		var exists *serviceerror.AlreadyExists
		if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) && !errors.As(err, &exists) {
			return err
		}
	}
	return nil
}
