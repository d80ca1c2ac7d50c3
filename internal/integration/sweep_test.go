package integration

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// A message stored while Temporal is unreachable is answered as stored
// (the provider need not retry) and reaches its conversation when the
// sweeper runs.
func TestSweeperHandsOverWhatTemporalMissed(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	dead, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1", Logger: quietSDKLogger()})
	if err != nil {
		t.Fatal(err)
	}
	offline := &inbox.Inbox{DB: a.db, Temporal: dead, TaskQueue: a.queue}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	res, err := offline.Ingest(ctx, a.f.Channel, channels.Inbound{ExternalID: "lost-1", Contact: channels.InboundContact{ExternalID: "5511900001111"}, Text: "Alguém aí?"})
	cancel()
	if err != nil || !res.HandOverPending || res.Message.ID == "" {
		t.Fatalf("ingest with Temporal down: %+v %v, want stored and pending", res, err)
	}
	var n int64
	a.db.Model(&store.Conversation{}).Where("channel_id = ?", a.f.Channel.ID).Count(&n)
	if n != 0 {
		t.Fatalf("%d conversations before the sweep", n)
	}
	// The sweep takes what waited longer than SweepDelay.
	a.db.Model(&store.Message{}).Where("id = ?", res.Message.ID).Update("updated_at", time.Now().UTC().Add(-2*inbox.SweepDelay))
	run, err := a.tc.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: "sweep-" + store.NewID(), TaskQueue: a.queue}, workflows.InboundSweep)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, res.Message.ContactID), 1)

	// A second sweep finds nothing left and takes nothing twice.
	run, _ = a.tc.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: "sweep-" + store.NewID(), TaskQueue: a.queue}, workflows.InboundSweep)
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	var msgs int64
	a.db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'inbound'", a.f.Channel.ID).Count(&msgs)
	if msgs != 1 {
		t.Errorf("%d inbound messages, want 1", msgs)
	}
}
