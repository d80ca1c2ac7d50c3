package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
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
				t.Errorf("distribution workflow of %s: %v", conv.ID, err)
			}
			st, trail := mg.call(http.MethodGet, "/api/v1/conversations/"+conv.ID+"/rules", nil, nil)
			items, _ := trail["items"].([]any)
			if st != 200 || len(items) == 0 || items[0].(map[string]any)["outcome"] != "assigned" {
				t.Errorf("rule trail: %d %v", st, trail)
			}
		}
		if counts[agents[0]] != 2 || counts[agents[1]] != 2 {
			t.Errorf("round robin over 4 conversations gave %v, want 2 each to the online agents and none to the offline one", counts)
		}
	}
}
