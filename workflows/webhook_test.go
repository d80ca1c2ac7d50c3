package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// An endpoint that fails every delivery for 24 hours is turned off with
// the last failure as the reason; the queue waits, and after the admin
// enables it again the next delivery goes out.
func TestWebhookEndpointDisabledAfterADayOfFailures(t *testing.T) {
	cf := newConvFixture(t)
	acc := cf.f.Account.ID
	ep := store.WebhookEndpoint{ID: store.NewID(), AccountID: acc, URL: "https://erp.example.com/hooks", Secret: "whsec_x", Enabled: true}
	d1 := store.WebhookDelivery{ID: store.NewID(), AccountID: acc, EndpointID: ep.ID, EventID: "e1", Event: "message.created", Payload: "{}", Status: "pending"}
	d2 := store.WebhookDelivery{ID: store.NewID(), AccountID: acc, EndpointID: ep.ID, EventID: "e2", Event: "message.created", Payload: "{}", Status: "pending"}
	for _, v := range []any{&ep, &d1, &d2} {
		if err := cf.db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.WebhookEndpoint)
	env.RegisterWorkflow(workflows.WebhookDelivery)
	env.RegisterActivity(&activities.Webhooks{DB: cf.db})
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	var w *activities.Webhooks
	tries, delivered2 := 0, time.Time{}
	var firstFail, lastFail time.Time
	env.OnActivity(w.DeliverWebhook, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.WebhookRef) error {
		if in.DeliveryID == d2.ID {
			delivered2 = env.Now()
			return nil
		}
		if tries == 0 {
			firstFail = env.Now()
		}
		tries++
		lastFail = env.Now()
		cf.db.Model(&store.WebhookDelivery{}).Where("id = ?", in.DeliveryID).Update("last_error", "the endpoint answered 503")
		return errors.New("the endpoint answered 503")
	})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalWebhookDeliveries, []workflows.DeliveryRef{{ID: d1.ID, Seq: 1}, {ID: d2.ID, Seq: 2}})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		var now store.WebhookEndpoint
		cf.db.Take(&now, "id = ?", ep.ID)
		if now.Enabled || now.DisabledReason != "the endpoint answered 503" {
			t.Errorf("after a day and a half: enabled %v, reason %q", now.Enabled, now.DisabledReason)
		}
		if !delivered2.IsZero() {
			t.Error("the next delivery went out to a disabled endpoint")
		}
		cf.db.Model(&now).Updates(map[string]any{"enabled": true, "disabled_reason": ""})
		env.SignalWorkflow(workflows.SignalWebhookResume, nil)
	}, 36*time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 40*time.Hour)
	env.ExecuteWorkflow(workflows.WebhookEndpoint, workflows.WebhookEndpointInput{AccountID: acc, EndpointID: ep.ID})

	var failed store.WebhookDelivery
	cf.db.Take(&failed, "id = ?", d1.ID)
	if failed.Status != "failed" {
		t.Errorf("first delivery %s, want failed", failed.Status)
	}
	if span := lastFail.Sub(firstFail); tries < 10 || span < 20*time.Hour || span > 24*time.Hour {
		t.Errorf("%d tries over %s; want retries with backoff for 24 hours", tries, lastFail.Sub(firstFail))
	}
	if delivered2.IsZero() || delivered2.Before(start.Add(36*time.Hour)) {
		t.Errorf("second delivery at %v, want after the endpoint was enabled again", delivered2)
	}
}
