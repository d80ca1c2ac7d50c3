package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/workflows"
)

// crmFixture is a pipeline with two stages on a real SQLite database.
type crmFixture struct {
	*convFixture
	pipeline store.Pipeline
	first    store.Stage
	second   store.Stage
}

func newCRMFixture(t *testing.T, secondStaleDays int) *crmFixture {
	cf := &crmFixture{convFixture: newConvFixture(t)}
	acc := cf.f.Account.ID
	cf.pipeline = store.Pipeline{ID: store.NewID(), AccountID: acc, Name: "Vendas"}
	cf.first = store.Stage{ID: store.NewID(), AccountID: acc, PipelineID: cf.pipeline.ID, Name: "Novo", Position: 0}
	cf.second = store.Stage{ID: store.NewID(), AccountID: acc, PipelineID: cf.pipeline.ID, Name: "Proposta", Position: 1, StaleDays: secondStaleDays}
	for _, v := range []any{&cf.pipeline, &cf.first, &cf.second} {
		if err := cf.db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	return cf
}

func newCRMEnv(cf *crmFixture) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.Card)
	env.RegisterWorkflow(workflows.ScheduledMessage)
	env.RegisterActivity(&activities.CRM{DB: cf.db, Rules: &rules.Cache{}})
	return env
}

func (cf *crmFixture) cardEvents(t *testing.T, cardID string) []string {
	var evs []store.CardEvent
	if err := cf.db.Where("card_id = ?", cardID).Order("created_at, id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	kinds := []string{}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

// A card's due date reminds once, a card left in a stage with stale days
// raises the alert once, and winning the card ends its lifecycle.
func TestCardRemindsDueDateAndAlertsWhenStale(t *testing.T) {
	cf := newCRMFixture(t, 2)
	env := newCRMEnv(cf)
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	due := start.Add(3 * time.Hour)
	nc := activities.NewCard{ID: store.NewID(), AccountID: cf.f.Account.ID, PipelineID: cf.pipeline.ID, StageID: cf.first.ID, Title: "Plano anual",
		ContactID: cf.contact.ID, DueAt: &due, Priority: "normal", CreatedAt: start}
	// A follow-up two hours in reminds once, in between.
	fu := store.FollowUp{ID: store.NewID(), AccountID: cf.f.Account.ID, CardID: nc.ID, Title: "Ligar para a Maria", DueAt: start.Add(2 * time.Hour)}
	var move, won updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCardMove, "m1", move.callbacks(), workflows.MoveRequest{StageID: cf.second.ID, Position: -1})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		if got := cf.cardEvents(t, nc.ID); len(got) != 5 {
			t.Errorf("after 2 days in the stage: events %v, want created, moved, follow_up, due, stale", got)
		}
		env.UpdateWorkflow(workflows.UpdateCardStatus, "won", won.callbacks(), workflows.CardStatusRequest{Status: store.CardWon})
	}, 3*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		// Stored once the card exists (the workflow's first step creates it).
		if err := cf.db.Create(&fu).Error; err != nil {
			t.Error(err)
		}
		env.SignalWorkflow(workflows.SignalCardReload, nil)
	}, time.Minute)
	env.ExecuteWorkflow(workflows.Card, workflows.CardInput{AccountID: cf.f.Account.ID, CardID: nc.ID, New: &nc})

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if move.err != nil || won.err != nil {
		t.Fatalf("move %v, won %v", move.err, won.err)
	}
	got := cf.cardEvents(t, nc.ID)
	want := []string{"created", "moved", "follow_up", "due", "stale", "status"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	var card store.Card
	cf.db.Take(&card, "id = ?", nc.ID)
	if card.Status != store.CardWon || card.StageID != cf.second.ID {
		t.Errorf("card: status %s stage %s, want won in %s", card.Status, card.StageID, cf.second.ID)
	}
}

// A stage move to another pipeline's stage is refused with the field, and
// the card stays where it was.
func TestCardMoveToForeignStageIsRefused(t *testing.T) {
	cf := newCRMFixture(t, 0)
	other := newCRMFixture(t, 0)
	env := newCRMEnv(cf)
	nc := activities.NewCard{ID: store.NewID(), AccountID: cf.f.Account.ID, PipelineID: cf.pipeline.ID, StageID: cf.first.ID, Title: "X", Priority: "normal", CreatedAt: time.Now()}
	var move, won updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCardMove, "m", move.callbacks(), workflows.MoveRequest{StageID: other.second.ID, Position: 0})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCardStatus, "s", won.callbacks(), workflows.CardStatusRequest{Status: store.CardArchived})
	}, time.Hour)
	env.ExecuteWorkflow(workflows.Card, workflows.CardInput{AccountID: cf.f.Account.ID, CardID: nc.ID, New: &nc})
	if move.err == nil {
		t.Fatal("a move to another pipeline's stage was accepted")
	}
	var card store.Card
	cf.db.Take(&card, "id = ?", nc.ID)
	if card.StageID != cf.first.ID {
		t.Errorf("card moved to %s", card.StageID)
	}
}

// A scheduled message fires at its time, after the edits moved it, with
// the last text; one canceled before its time never sends; one the conversation refuses is failed with the reason.
func TestScheduledMessageFollowsEditsAndCancel(t *testing.T) {
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	newScheduled := func(cf *crmFixture) activities.NewScheduled {
		conv := store.Conversation{ID: store.NewID(), AccountID: cf.f.Account.ID, ChannelID: cf.f.Channel.ID, ContactID: cf.contact.ID,
			WorkflowID: "conversation/a/b", Status: store.StatusOpen, Priority: "normal"}
		if err := cf.db.Create(&conv).Error; err != nil {
			t.Fatal(err)
		}
		return activities.NewScheduled{ID: store.NewID(), AccountID: cf.f.Account.ID, ConversationID: conv.ID, Body: "Lembrete",
			SendAt: start.Add(time.Hour), CreatedAt: start}
	}
	row := func(cf *crmFixture, id string) store.ScheduledMessage {
		var m store.ScheduledMessage
		cf.db.Take(&m, "id = ?", id)
		return m
	}
	var crm *activities.CRM

	t.Run("edited", func(t *testing.T) {
		cf := newCRMFixture(t, 0)
		env := newCRMEnv(cf)
		env.SetStartTime(start)
		var sentAt time.Time
		var sentBody string
		env.OnActivity(crm.SendScheduled, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.ScheduledRef) (activities.SendResult, error) {
			sentAt = env.Now()
			var m store.ScheduledMessage
			cf.db.Take(&m, "id = ?", in.ID)
			sentBody = m.Body
			return activities.SendResult{MessageID: "msg-1"}, nil
		})
		in := newScheduled(cf)
		var edit updateResult
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(workflows.UpdateScheduledEdit, "e", edit.callbacks(), workflows.EditScheduledRequest{Body: "Lembrete: amanhã às 10h", SendAt: start.Add(2 * time.Hour)})
		}, 10*time.Minute)
		env.ExecuteWorkflow(workflows.ScheduledMessage, workflows.ScheduledInput{New: in})
		if err := env.GetWorkflowError(); err != nil || edit.err != nil {
			t.Fatalf("workflow %v, edit %v", err, edit.err)
		}
		if !sentAt.Equal(start.Add(2 * time.Hour)) {
			t.Errorf("sent at %v, want %v (the edited time)", sentAt, start.Add(2*time.Hour))
		}
		if sentBody != "Lembrete: amanhã às 10h" {
			t.Errorf("sent %q, want the edited text", sentBody)
		}
		if m := row(cf, in.ID); m.Status != store.ScheduledSent || m.MessageID == nil || *m.MessageID != "msg-1" {
			t.Errorf("row: %+v", m)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		cf := newCRMFixture(t, 0)
		env := newCRMEnv(cf)
		env.SetStartTime(start)
		sends := 0
		env.OnActivity(crm.SendScheduled, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.ScheduledRef) (activities.SendResult, error) {
			sends++
			return activities.SendResult{MessageID: "x"}, nil
		})
		in := newScheduled(cf)
		var cancel updateResult
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(workflows.UpdateScheduledCancel, "c", cancel.callbacks())
		}, 30*time.Minute)
		env.ExecuteWorkflow(workflows.ScheduledMessage, workflows.ScheduledInput{New: in})
		if err := env.GetWorkflowError(); err != nil || cancel.err != nil {
			t.Fatalf("workflow %v, cancel %v", err, cancel.err)
		}
		if sends != 0 {
			t.Errorf("a canceled message was sent %d times", sends)
		}
		if m := row(cf, in.ID); m.Status != store.ScheduledCanceled || m.Body != "Lembrete" {
			t.Errorf("row: %+v", m)
		}
	})

	t.Run("refused", func(t *testing.T) {
		cf := newCRMFixture(t, 0)
		env := newCRMEnv(cf)
		env.SetStartTime(start)
		env.OnActivity(crm.SendScheduled, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.ScheduledRef) (activities.SendResult, error) {
			return activities.SendResult{}, temporal.NewNonRetryableApplicationError("window closed: send an approved template", activities.ErrSendRefused, nil)
		})
		in := newScheduled(cf)
		env.ExecuteWorkflow(workflows.ScheduledMessage, workflows.ScheduledInput{New: in})
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		if m := row(cf, in.ID); m.Status != store.ScheduledFailed || m.FailureReason != "window closed: send an approved template" {
			t.Errorf("row: status %s reason %q", m.Status, m.FailureReason)
		}
	})
}
