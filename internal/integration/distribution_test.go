package integration

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// TestRoundRobinDistributionAssignsNewConversations: a manager's rule
// spreads new conversations over the team's online agents, through the
// conversation workflows, and each ticket shows why.
func TestRoundRobinDistributionAssignsNewConversations(t *testing.T) {
	for _, dialect := range []string{"sqlite"} {
		a := newAPIChannel(t, dialect)
		manager, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "gerente@example.com", Name: "Gê", Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileManager].ID})
		if err != nil {
			t.Fatal(err)
		}
		team := store.Team{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Vendas"}
		a.db.Create(&team)
		var agents []string
		for _, name := range []string{"ana", "bia", "caio"} {
			u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: name + "@example.com", Name: name, Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAgent].ID})
			if err != nil {
				t.Fatal(err)
			}
			a.db.Create(&store.TeamMember{TeamID: team.ID, UserID: u.ID, AccountID: a.f.Account.ID})
			if name != "caio" { // caio is offline
				a.db.Model(&u).Update("status", "online")
				agents = append(agents, u.ID)
			}
		}
		mg := login(t, a.url, manager.Email)
		if st, r := mg.call(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "distribution", "name": "Vendas", "event": "conversation.created",
			"condition": "", "strategy": "round_robin", "target_team_id": team.ID}, nil); st != http.StatusCreated {
			t.Fatalf("rule: %d %v", st, r)
		}
		counts := map[string]int{}
		for i := range 4 {
			r := a.post(t, a.token, msgJSON(fmt.Sprintf("d%d", i), fmt.Sprintf("55119888800%02d", i), "Oi"))
			wfID := workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string))
			var conv store.Conversation
			eventually(t, 20*time.Second, func() error {
				if err := a.db.Where("workflow_id = ?", wfID).Take(&conv).Error; err != nil {
					return err
				}
				if conv.AssigneeID == nil {
					return fmt.Errorf("not assigned yet")
				}
				return nil
			})
			counts[*conv.AssigneeID]++
			// The decision's own workflow and the ticket's rule trail say why.
			desc, err := a.tc.DescribeWorkflowExecution(context.Background(), workflows.DistributionWorkflowID(conv.ID), "")
			if err != nil || desc.WorkflowExecutionInfo.Type.Name != "Distribution" {
				t.Fatalf("distribution workflow of %s: %v", conv.ID, err)
			}
			if i == 0 {
				a.tc.GetWorkflow(context.Background(), workflows.DistributionWorkflowID(conv.ID), "").Get(context.Background(), nil)
				saveHistory(t, a.tc, workflows.DistributionWorkflowID(conv.ID), desc.WorkflowExecutionInfo.Execution.RunId, "distribution_assigned_v2.json")
			}
			// The trail is written once the ticket's workflow took the assignment.
			eventually(t, 10*time.Second, func() error {
				st, trail := mg.call(http.MethodGet, "/api/v1/conversations/"+conv.ID+"/rules", nil, nil)
				items, _ := trail["items"].([]any)
				if st != 200 || len(items) == 0 || items[0].(map[string]any)["outcome"] != "assigned" {
					return fmt.Errorf("rule trail: %d %v", st, trail)
				}
				return nil
			})
			if i == 0 {
				saveHistory(t, a.tc, wfID, conv.RunID, "conversation_distributed_v3.json")
			}
		}
		if counts[agents[0]] != 2 || counts[agents[1]] != 2 {
			t.Errorf("round robin over 4 conversations gave %v, want 2 each to the online agents and none to the offline one", counts)
		}
	}
}

// TestCapacityHoldsUnderConcurrentArrivals: many customers at once, one
// agent with room for two: two are assigned, the rest wait in the queue.
func TestCapacityHoldsUnderConcurrentArrivals(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			a := newAPIChannel(t, dialect)
			u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "solo@" + dialect + ".example.com", Name: "Solo", Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAgent].ID, Capacity: 2})
			if err != nil {
				t.Fatal(err)
			}
			a.db.Model(&u).Update("status", "online")
			a.db.Create(&store.Rule{ID: store.NewID(), AccountID: a.f.Account.ID, Kind: "distribution", Name: "Todos", Event: "conversation.created",
				Enabled: true, Version: 1, Strategy: "least_busy", TargetUserIDs: u.ID, Actions: "[]"})
			var wg sync.WaitGroup
			for i := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a.post(t, a.token, msgJSON(fmt.Sprintf("cc%d", i), fmt.Sprintf("55117777000%02d", i), "Oi"))
				}()
			}
			wg.Wait()
			eventually(t, 30*time.Second, func() error {
				var assigned, queued int64
				a.db.Model(&store.Conversation{}).Where("account_id = ? AND assignee_id = ?", a.f.Account.ID, u.ID).Count(&assigned)
				a.db.Model(&store.Conversation{}).Where("account_id = ? AND queued_at IS NOT NULL AND assignee_id IS NULL", a.f.Account.ID).Count(&queued)
				if assigned > 2 {
					t.Fatalf("%d conversations assigned to an agent with capacity 2", assigned)
				}
				if assigned != 2 || queued != 4 {
					return fmt.Errorf("%d assigned, %d queued", assigned, queued)
				}
				return nil
			})
		})
	}
}
