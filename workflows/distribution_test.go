package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/workflows"
)

// distFixture is a tenant with a team of agents and a distribution rule,
// on a real database; assignments go straight to the database instead of
// through a conversation workflow.
type distFixture struct {
	*convFixture
	team   store.Team
	agents []store.User
	rule   store.Rule
	mu     sync.Mutex
	calls  []string // assignments, in order ("" = taken back)
}

func newDistFixture(t *testing.T, strategy string, offer time.Duration, online ...bool) *distFixture {
	df := &distFixture{convFixture: newConvFixture(t)}
	df.team = store.Team{ID: store.NewID(), AccountID: df.f.Account.ID, Name: "Vendas"}
	df.db.Create(&df.team)
	for i, on := range online {
		status := "offline"
		if on {
			status = "online"
		}
		u := store.User{ID: string(rune('a'+i)) + "-" + store.NewID(), AccountID: df.f.Account.ID, Email: store.NewID() + "@x.com", Name: string(rune('A' + i)),
			PasswordHash: "x", ProfileID: df.f.Profiles["agent"].ID, Active: true, Status: status, Capacity: 3}
		df.db.Create(&u)
		df.db.Create(&store.TeamMember{TeamID: df.team.ID, UserID: u.ID, AccountID: df.f.Account.ID})
		df.agents = append(df.agents, u)
	}
	df.rule = store.Rule{ID: store.NewID(), AccountID: df.f.Account.ID, Kind: "distribution", Name: "Vendas", Event: rules.ConversationCreated,
		Enabled: true, Version: 1, Strategy: strategy, TargetTeamID: &df.team.ID, OfferTimeoutS: int(offer.Seconds()), Actions: "[]"}
	df.db.Create(&df.rule)
	return df
}

func (df *distFixture) conversation(t *testing.T) store.Conversation {
	c := store.Conversation{ID: store.NewID(), AccountID: df.f.Account.ID, ChannelID: df.f.Channel.ID, ContactID: df.contact.ID,
		WorkflowID: "w", RunID: store.NewID(), Status: store.StatusOpen, Priority: "normal"}
	if err := df.db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

func (df *distFixture) env(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.Distribution)
	real := &activities.Distribution{DB: df.db, Rules: &rules.Cache{}}
	env.RegisterActivity(real)
	env.OnActivity("Assign", mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.AssignInput) (string, error) {
		df.mu.Lock()
		df.calls = append(df.calls, in.UserID)
		df.mu.Unlock()
		var assignee any
		if in.UserID != "" {
			assignee = in.UserID
		}
		if err := df.db.Model(&store.Conversation{}).Where("id = ?", in.ConversationID).Updates(map[string]any{"assignee_id": assignee, "queued_at": nil, "queue_rule_id": nil}).Error; err != nil {
			return "", err
		}
		return in.UserID, real.Record(ctx, in)
	})
	return env
}

func (df *distFixture) outcomes(convID string) []string {
	var runs []store.RuleRun
	df.db.Where("conversation_id = ?", convID).Order("created_at, id").Find(&runs)
	var out []string
	for _, r := range runs {
		out = append(out, r.Outcome)
	}
	return out
}

func TestOfferTimesOutAndGoesToTheNextAgent(t *testing.T) {
	df := newDistFixture(t, rules.RoundRobin, time.Minute, true, true)
	conv := df.conversation(t)
	env := df.env(t)
	second := df.agents[1].ID
	// The first agent ignores the offer; the second opens it 10 s after theirs.
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalOpened, workflows.OpenedSignal{UserID: second})
	}, 70*time.Second)
	env.ExecuteWorkflow(workflows.Distribution, workflows.DistributionInput{AccountID: df.f.Account.ID, ConversationID: conv.ID})
	var res workflows.DistributionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.AgentID != second || len(df.calls) != 2 || df.calls[0] != df.agents[0].ID {
		t.Fatalf("result %+v after offers %v: want the first agent offered, then the second taking it", res, df.calls)
	}
	got := df.outcomes(conv.ID)
	if len(got) != 3 || got[0] != "offered" || got[1] != "offer_timed_out" || got[2] != "offered" {
		t.Errorf("rule trail %v, want offered, offer_timed_out, offered", got)
	}
}

func TestQueueDrainsInOrderOfWaiting(t *testing.T) {
	df := newDistFixture(t, rules.LeastBusy, 0, false)
	earlier := df.conversation(t)
	later := df.conversation(t)
	// The earlier conversation is already waiting in the rule's queue.
	waitingSince := time.Now().Add(-time.Hour)
	df.db.Model(&earlier).Updates(map[string]any{"queued_at": waitingSince, "queue_rule_id": df.rule.ID})
	env := df.env(t)
	agent := df.agents[0]
	env.RegisterDelayedCallback(func() {
		// The agent comes online, but the earlier conversation is first in line.
		df.db.Model(&agent).Update("status", "online")
		env.SignalWorkflow(workflows.SignalRecheck, nil)
	}, 40*time.Second)
	var stillWaiting bool
	env.RegisterDelayedCallback(func() {
		var c store.Conversation
		df.db.Take(&c, "id = ?", later.ID)
		stillWaiting = c.AssigneeID == nil && c.QueuedAt != nil
		// The earlier one is taken (by another decision); now it is our turn.
		df.db.Model(&earlier).Updates(map[string]any{"assignee_id": agent.ID, "queued_at": nil})
	}, 50*time.Second)
	env.ExecuteWorkflow(workflows.Distribution, workflows.DistributionInput{AccountID: df.f.Account.ID, ConversationID: later.ID})
	var res workflows.DistributionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if !stillWaiting {
		t.Error("the later conversation was assigned before the one waiting longer")
	}
	if res.AgentID != agent.ID {
		t.Errorf("result %+v, want the agent once the queue reached it", res)
	}
	if got := df.outcomes(later.ID); len(got) != 2 || got[0] != "queued" || got[1] != "assigned" {
		t.Errorf("rule trail %v, want queued then assigned", got)
	}
}

func TestNoMatchingRuleLeavesTheConversationAlone(t *testing.T) {
	df := newDistFixture(t, rules.RoundRobin, 0, true)
	df.db.Model(&df.rule).Update("condition", `conversation.priority == "urgent"`)
	conv := df.conversation(t)
	env := df.env(t)
	env.ExecuteWorkflow(workflows.Distribution, workflows.DistributionInput{AccountID: df.f.Account.ID, ConversationID: conv.ID})
	var res workflows.DistributionResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Outcome != "no_rule" || len(df.calls) != 0 {
		t.Errorf("result %+v err %v calls %v, want no rule and no assignment", res, err, df.calls)
	}
	// A rule whose team was deleted is skipped with a trail entry.
	df.db.Model(&df.rule).Update("condition", "")
	df.db.Where("team_id = ?", df.team.ID).Delete(&store.TeamMember{})
	df.db.Delete(&df.team)
	env2 := df.env(t)
	env2.ExecuteWorkflow(workflows.Distribution, workflows.DistributionInput{AccountID: df.f.Account.ID, ConversationID: conv.ID})
	if got := df.outcomes(conv.ID); len(got) != 1 || got[0] != "skipped" {
		t.Errorf("trail %v, want the rule skipped", got)
	}
}
