package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/chatspot/chatspot/workflows"
)

// TestReplayCommittedHistories replays histories recorded from real runs
// (see internal/integration: CHATSPOT_UPDATE_HISTORIES=1 rewrites them).
// A change that would break workflows already running fails here; such a
// change needs workflow.GetVersion.
func TestReplayCommittedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("committed histories missing: %v", err)
	}
	for _, f := range files {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(workflows.Conversation)
		r.RegisterWorkflow(workflows.Distribution)
		r.RegisterWorkflow(workflows.Card)
		r.RegisterWorkflow(workflows.ScheduledMessage)
		r.RegisterWorkflow(workflows.WebhookEndpoint)
		r.RegisterWorkflow(workflows.WebhookDelivery)
		r.RegisterWorkflow(workflows.ScheduledRule)
		r.RegisterWorkflow(workflows.ChannelActivation)
		r.RegisterWorkflow(workflows.ChannelConnection)
		r.RegisterWorkflow(workflows.InboundMedia)
		r.RegisterWorkflow(workflows.InboundSweep)
		r.RegisterWorkflow(workflows.MarkRead)
		r.RegisterWorkflow(workflows.TemplateSync)
		r.RegisterWorkflow(workflows.TemplateSubmit)
		r.RegisterWorkflow(workflows.ModerateComment)
		r.RegisterWorkflow(workflows.TokenRefresh)
		r.RegisterWorkflow(workflows.ChannelOAuth)
		r.RegisterWorkflow(workflows.ResourceFetch)
		r.RegisterWorkflow(workflows.Recharge)
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
