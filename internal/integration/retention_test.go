package integration

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
)

// The agents' event log is pruned by a scheduled workflow: events older
// than the retention (7 days by default) go, newer ones stay.
func TestEventRetention(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testEventRetention(t, dialect) })
	}
}

func testEventRetention(t *testing.T, dialect string) {
	s := newStack(t, storetest.Open(t, dialect))
	ctx := t.Context()
	acc := store.Account{Name: "Retenção", Seats: 1}
	if _, err := auth.CreateAccount(s.db, &acc); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var recent []int64
	for i, age := range []time.Duration{9 * 24 * time.Hour, 8 * 24 * time.Hour, 8 * 24 * time.Hour, 6 * 24 * time.Hour, time.Minute} {
		e := store.Event{AccountID: acc.ID, Kind: "message.created", Payload: "{}", CreatedAt: now.Add(-age)}
		if err := s.db.Create(&e).Error; err != nil {
			t.Fatal(err)
		}
		if i >= 3 {
			recent = append(recent, e.ID)
		}
	}
	run, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "retention-" + store.NewID(), TaskQueue: s.queue}, workflows.EventRetention)
	if err != nil {
		t.Fatal(err)
	}
	var deleted int64
	if err := run.Get(ctx, &deleted); err != nil {
		t.Fatal(err)
	}
	var left []int64
	s.db.Model(&store.Event{}).Where("account_id = ?", acc.ID).Order("id").Pluck("id", &left)
	if deleted != 3 || len(left) != 2 || left[0] != recent[0] || left[1] != recent[1] {
		t.Fatalf("deleted %d, left %v; want 3 deleted and %v left", deleted, left, recent)
	}
	// Nothing old left: a second run deletes nothing.
	run, err = s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "retention-" + store.NewID(), TaskQueue: s.queue}, workflows.EventRetention)
	if err == nil {
		err = run.Get(ctx, &deleted)
	}
	if err != nil || deleted != 0 {
		t.Fatalf("second run: deleted %d, %v", deleted, err)
	}

	// The schedule that runs it hourly is created once; a second worker
	// starting leaves it as it is.
	for range 2 {
		if err := worker.EnsureSchedules(ctx, s.tc, s.queue); err != nil {
			t.Fatal(err)
		}
	}
	h := s.tc.ScheduleClient().GetHandle(ctx, workflows.EventRetentionScheduleID)
	t.Cleanup(func() { h.Delete(context.Background()) })
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || len(desc.Schedule.Spec.Intervals) != 1 || desc.Schedule.Spec.Intervals[0].Every != time.Hour {
		t.Fatalf("schedule: %+v %+v", desc.Schedule.Spec, desc.Schedule.Action)
	}
	if name, _ := action.Workflow.(string); name != "EventRetention" {
		t.Fatalf("schedule starts %v, want EventRetention", action.Workflow)
	}
}
