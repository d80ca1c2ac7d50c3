package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// A scheduled rule is a Temporal schedule in the account's time zone; each
// firing acts on the open conversations its condition picks, through
// their workflows, and deleting the rule deletes the schedule.
func TestScheduledRuleActsOnOpenConversations(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	prov := newIntegrator(t, "hook-secret")
	configureOutbound(t, a, prov.url, "hook-secret")
	u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "agenda@example.com", Name: "Gestora",
		Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	ag := login(t, a.url, u.Email)
	c := &crmAdmin{apiChannel: a, prov: prov, ag: ag}

	waiting := a.post(t, a.token, msgJSON("s-1", "5511933332222", "Vou ver e te aviso"))
	other := a.post(t, a.token, msgJSON("s-2", "5511933331111", "Obrigado"))
	convWaiting := waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, waiting.body["contact_id"].(string)), 1)
	convOther := waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, other.body["contact_id"].(string)), 1)
	c.conv = convWaiting
	if st, v := ag.call(http.MethodPost, "/api/v1/conversations/"+convWaiting.ID+"/tags", map[string]any{"add": []string{"aguardando"}}, nil); st != http.StatusOK {
		t.Fatalf("tag: %d %v", st, v)
	}

	if st, v := ag.call(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "automation", "name": "x", "event": "scheduled", "schedule": "0 25 * * *",
		"actions": []map[string]any{{"type": "close"}}}, nil); st != http.StatusUnprocessableEntity || v["field"] != "schedule" {
		t.Errorf("bad cron: %d %v", st, v)
	}
	st, rule := ag.call(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "automation", "name": "Lembrete diário", "event": "scheduled",
		"schedule": "0 9 * * 1-5", "condition": `"aguardando" in conversation.tags`,
		"actions": []map[string]any{{"type": "send_message", "text": "Conseguiu decidir? Estamos por aqui."}, {"type": "add_tag", "tag": "lembrado"}}}, nil)
	if st != http.StatusCreated || rule["schedule"] != "0 9 * * 1-5" {
		t.Fatalf("scheduled rule: %d %v", st, rule)
	}
	ruleID := rule["id"].(string)
	h := a.tc.ScheduleClient().GetHandle(context.Background(), workflows.RuleScheduleID(ruleID))
	desc, err := h.Describe(context.Background())
	if err != nil {
		t.Fatalf("the rule's schedule: %v", err)
	}
	if spec := desc.Schedule.Spec; spec.TimeZoneName != "America/Sao_Paulo" || len(desc.Info.NextActionTimes) == 0 {
		t.Errorf("schedule spec %+v, next %v", spec, desc.Info.NextActionTimes)
	} else if next := desc.Info.NextActionTimes[0].In(saoPaulo(t)); next.Hour() != 9 || next.Minute() != 0 || next.Weekday() == time.Saturday || next.Weekday() == time.Sunday {
		t.Errorf("next firing %v, want a weekday at 09:00 in São Paulo", next)
	}

	// Fire it now instead of waiting for 9:00.
	if err := h.Trigger(context.Background(), client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	c.outbound(t, "Conseguiu decidir? Estamos por aqui.")
	eventually(t, 10*time.Second, func() error {
		var w, o store.Conversation
		a.db.Take(&w, "id = ?", convWaiting.ID)
		a.db.Take(&o, "id = ?", convOther.ID)
		if !strings.Contains(w.Tags, "lembrado") || strings.Contains(o.Tags, "lembrado") {
			return fmt.Errorf("tags: waiting %q, other %q", w.Tags, o.Tags)
		}
		return nil
	})
	var other2 int64
	a.db.Model(&store.Message{}).Where("conversation_id = ? AND direction = ?", convOther.ID, store.DirectionOutbound).Count(&other2)
	if other2 != 0 {
		t.Errorf("the rule wrote to a conversation it does not match")
	}
	if st, trail := ag.call(http.MethodGet, "/api/v1/conversations/"+convWaiting.ID+"/rules", nil, nil); st != http.StatusOK || !strings.Contains(fmt.Sprint(trail), "Lembrete diário") {
		t.Errorf("rule trail: %d %v", st, trail)
	}

	if d, err := h.Describe(context.Background()); err == nil && len(d.Info.RecentActions) > 0 {
		run := d.Info.RecentActions[0].StartWorkflowResult
		eventually(t, 10*time.Second, func() error {
			return a.tc.GetWorkflow(context.Background(), run.WorkflowID, run.FirstExecutionRunID).Get(context.Background(), nil)
		})
		saveHistory(t, a.tc, run.WorkflowID, run.FirstExecutionRunID, "scheduled-rule-fired.json")
	} else {
		t.Errorf("the schedule shows no firing: %v", err)
	}

	// Run on demand: the integrator's way to start it.
	st, run := ag.call(http.MethodPost, "/api/v1/rules/"+ruleID+"/run", nil, nil)
	if st != http.StatusAccepted || run["workflow_id"] == nil {
		t.Fatalf("run now: %d %v", st, run)
	}
	var matched int
	if err := a.tc.GetWorkflow(context.Background(), run["workflow_id"].(string), "").Get(context.Background(), &matched); err != nil || matched != 1 {
		t.Errorf("the run on demand matched %d conversations (%v), want 1", matched, err)
	}

	// Deleting the rule deletes its schedule.
	if st, _ := ag.call(http.MethodDelete, "/api/v1/rules/"+ruleID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete rule: %d", st)
	}
	if _, err := h.Describe(context.Background()); err == nil {
		t.Error("the schedule outlived its rule")
	}
}
