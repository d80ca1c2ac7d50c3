package workflows_test

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
)

// convFixture is a tenant with one contact and helpers to add inbound
// messages, on a real migrated SQLite database.
type convFixture struct {
	db      *gorm.DB
	f       storetest.Fixture
	contact store.Contact
}

func newConvFixture(t *testing.T) *convFixture {
	db := storetest.Open(t, "sqlite")
	f := storetest.Seed(t, db, "")
	c := store.Contact{ID: store.NewID(), AccountID: f.Account.ID, Name: "Maria"}
	if err := db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	return &convFixture{db: db, f: f, contact: c}
}

func (cf *convFixture) inbound(t *testing.T, text string) string {
	ext := store.NewID()
	m := store.Message{ID: store.NewID(), AccountID: cf.f.Account.ID, ChannelID: cf.f.Channel.ID, ContactID: cf.contact.ID,
		Direction: store.DirectionInbound, Kind: store.KindText, Body: text, Status: store.MessageReceived, ExternalID: &ext}
	if err := cf.db.Create(&m).Error; err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (cf *convFixture) input() workflows.ConversationInput {
	return workflows.ConversationInput{AccountID: cf.f.Account.ID, ChannelID: cf.f.Channel.ID, ContactID: cf.contact.ID}
}

func newEnv(t *testing.T, db *gorm.DB) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.Conversation)
	env.RegisterWorkflow(workflows.Distribution)
	env.RegisterActivity(&activities.Conversations{DB: db, Channels: worker.Channels(true)})
	env.RegisterActivity(&activities.Distribution{DB: db, Rules: &rules.Cache{}})
	env.RegisterActivity(&activities.Automation{DB: db, Rules: &rules.Cache{}})
	return env
}

type updateResult struct{ err error }

func (u *updateResult) callbacks() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { u.err = err },
		OnAccept:   func() {},
		OnComplete: func(_ any, err error) { u.err = err },
	}
}

func TestConversationAttachesInboundOnceAndClosesTicket(t *testing.T) {
	cf := newConvFixture(t)
	env := newEnv(t, cf.db)
	m1, m2 := cf.inbound(t, "Olá"), cf.inbound(t, "Tudo bem?")

	var closeRes, secondClose updateResult
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1}) // a replayed signal
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m2})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryState)
		if err != nil {
			t.Fatal(err)
		}
		var st workflows.ConversationState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Inbound != 2 || st.Status != "open" || st.ConversationID == "" {
			t.Errorf("state before close = %+v, want 2 inbound, open, with an id", st)
		}
		env.UpdateWorkflow(workflows.UpdateClose, "close-1", closeRes.callbacks(), workflows.CloseRequest{UserID: "agent-1"})
		env.UpdateWorkflow(workflows.UpdateClose, "close-2", secondClose.callbacks(), workflows.CloseRequest{})
	}, 2*time.Second)

	env.ExecuteWorkflow(workflows.Conversation, cf.input())

	if closeRes.err != nil {
		t.Fatalf("close update: %v", closeRes.err)
	}
	if secondClose.err == nil {
		t.Error("closing an already closed conversation was accepted")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("a closed ticket's run should complete, got %v", err)
	}

	var convs []store.Conversation
	cf.db.Find(&convs)
	if len(convs) != 1 || convs[0].Status != store.StatusClosed || convs[0].ClosedAt == nil {
		t.Fatalf("conversations = %+v, want one closed ticket", convs)
	}
	for _, id := range []string{m1, m2} {
		var m store.Message
		cf.db.Take(&m, "id = ?", id)
		if m.ConversationID == nil || *m.ConversationID != convs[0].ID {
			t.Errorf("message %s not attached to the ticket", id)
		}
	}
}

func TestConversationContinuesSameTicketWithPendingMessages(t *testing.T) {
	cf := newConvFixture(t)
	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "primeira")
	existing := workflows.ConversationInput{AccountID: cf.f.Account.ID, ChannelID: cf.f.Channel.ID, ContactID: cf.contact.ID}
	// Open the ticket as a first run would have.
	ticket, err := (&activities.Conversations{DB: cf.db}).OpenConversation(t.Context(), activities.OpenConversationInput{
		AccountID: existing.AccountID, ChannelID: existing.ChannelID, ContactID: existing.ContactID, WorkflowID: "w", RunID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	convID := ticket.ConversationID
	existing.ConversationID = convID
	existing.Pending = []workflows.InboundSignal{{MessageID: m1}}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateClose, "c", (&updateResult{}).callbacks(), workflows.CloseRequest{})
	}, time.Second)
	env.ExecuteWorkflow(workflows.Conversation, existing)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	var n int64
	cf.db.Model(&store.Conversation{}).Count(&n)
	if n != 1 {
		t.Errorf("%d conversations, want the continued ticket only", n)
	}
	var m store.Message
	cf.db.Take(&m, "id = ?", m1)
	if m.ConversationID == nil || *m.ConversationID != convID {
		t.Errorf("carried-over message not attached to the continued ticket")
	}
}

func TestConversationSkipsUnknownMessage(t *testing.T) {
	cf := newConvFixture(t)
	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "real")
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: "does-not-exist"})
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateClose, "c", (&updateResult{}).callbacks(), workflows.CloseRequest{})
	}, 2*time.Second)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("an unknown message id failed the conversation: %v", err)
	}
	var m store.Message
	cf.db.Take(&m, "id = ?", m1)
	if m.ConversationID == nil {
		t.Error("the real message after the unknown one was not attached")
	}
}

func TestConversationContinuesAsNewWhenSuggested(t *testing.T) {
	cf := newConvFixture(t)
	env := newEnv(t, cf.db)
	m1, m2 := cf.inbound(t, "um"), cf.inbound(t, "dois")
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m2})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		// The test environment delivers a signal sent with the suggestion
		// only after the run ended (a real server would make the run see
		// it), so this signal only wakes the workflow up.
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: "wake-up"})
	}, 2*time.Second)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())

	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next workflows.ConversationInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	var conv store.Conversation
	cf.db.Take(&conv)
	if next.ConversationID != conv.ID || next.AccountID != cf.f.Account.ID {
		t.Errorf("next run input %+v, want the open ticket %q continued", next, conv.ID)
	}
	if conv.Status != store.StatusOpen {
		t.Errorf("ticket status %q after continue-as-new, want open", conv.Status)
	}
	for _, id := range []string{m1, m2} {
		var m store.Message
		cf.db.Take(&m, "id = ?", id)
		if m.ConversationID == nil || *m.ConversationID != conv.ID {
			t.Errorf("message %s not recorded before continuing as new", id)
		}
	}
}
