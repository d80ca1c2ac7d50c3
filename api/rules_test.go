package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
)

func TestRulesValidateSaveWarnAndDryRun(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	manager := e.as(a.user("gerente", a.f.Profiles[auth.ProfileManager].ID))

	// Live validation and saving both answer 422 with the position.
	r := manager.do(http.MethodPost, "/api/v1/rules/validate", map[string]string{"event": "message.created", "condition": "message.text contains \"oi\" and\n  conversation.prioridade == \"alta\""})
	if r.status != 422 || r.body["line"] != float64(2) || r.body["column"] == nil || r.body["field"] != "condition" {
		t.Errorf("invalid condition: %d %s, want 422 at line 2", r.status, r.raw)
	}
	bad := map[string]any{"kind": "automation", "name": "x", "event": "message.created", "condition": "message.text ==", "actions": []map[string]string{{"type": "close"}}}
	if r := manager.do(http.MethodPost, "/api/v1/rules", bad); r.status != 422 || r.body["line"] != float64(1) {
		t.Errorf("saving an invalid condition: %d %s", r.status, r.raw)
	}
	if r := manager.do(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "automation", "name": "x", "event": "message.created",
		"actions": []map[string]string{{"type": "move_card"}}}); r.status != 422 || r.body["field"] != "actions[0].stage_id" {
		t.Errorf("CRM action without a stage: %d %s", r.status, r.raw)
	}

	team := store.Team{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Vendas"}
	e.db.Create(&team)
	agent := a.user("agente", a.f.Profiles[auth.ProfileAgent].ID)
	e.db.Create(&store.TeamMember{TeamID: team.ID, UserID: agent.ID, AccountID: a.f.Account.ID})
	e.db.Model(&agent).Update("status", "online")
	dist := manager.do(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "distribution", "name": "Orçamentos", "event": "message.created",
		"condition": `lower(message.text) contains "orçamento"`, "strategy": "least_busy", "target_team_id": team.ID})
	if dist.status != 201 || dist.body["version"] != float64(1) {
		t.Fatalf("save: %d %s", dist.status, dist.raw)
	}
	id := dist.body["id"].(string)

	// Two conversations, one matching.
	for i, text := range []string{"Quero um orçamento", "Só olhando"} {
		contact := store.Contact{ID: store.NewID(), AccountID: a.f.Account.ID, Name: []string{"Maria", "João"}[i]}
		e.db.Create(&contact)
		conv := store.Conversation{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID,
			WorkflowID: "w" + contact.ID, RunID: store.NewID(), Status: store.StatusOpen, Priority: "normal"}
		e.db.Create(&conv)
		e.db.Create(&store.Message{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID,
			ConversationID: &conv.ID, Direction: store.DirectionInbound, Kind: store.KindText, Body: text, Status: store.MessageReceived})
	}
	var before []store.Conversation
	e.db.Order("id").Find(&before)
	run := manager.do(http.MethodPost, "/api/v1/rules/"+id+"/dry-run", nil)
	if run.status != 200 {
		t.Fatalf("dry run: %d %s", run.status, run.raw)
	}
	matched := 0
	for _, it := range run.body["results"].([]any) {
		res := it.(map[string]any)
		if res["matched"] == true {
			matched++
			if res["contact"] != "Maria" || !strings.Contains(strings.Join(toStrings(res["would"]), " "), agent.ID) {
				t.Errorf("dry run result %v, want Maria's conversation assigned to the team's agent", res)
			}
		}
	}
	if matched != 1 {
		t.Errorf("%d conversations matched, want 1: %s", matched, run.raw)
	}
	var after []store.Conversation
	e.db.Order("id").Find(&after)
	for i := range after {
		if after[i].AssigneeID != nil || after[i].UpdatedAt != before[i].UpdatedAt {
			t.Errorf("the dry run changed conversation %s", after[i].ID)
		}
	}

	// Deleting the target team flags the rule instead of breaking it.
	e.db.Where("team_id = ?", team.ID).Delete(&store.TeamMember{})
	e.db.Delete(&team)
	list := manager.do(http.MethodGet, "/api/v1/rules?kind=distribution", nil)
	warnings := list.body["items"].([]any)[0].(map[string]any)["warnings"].([]any)
	if len(warnings) == 0 || !strings.Contains(warnings[0].(string), "no longer exists") {
		t.Errorf("rule with a deleted team: warnings %v", warnings)
	}
	if r := manager.do(http.MethodPatch, "/api/v1/rules/"+id, map[string]any{"kind": "distribution", "name": "Orçamentos", "event": "message.created",
		"strategy": "round_robin", "target_user_ids": []string{agent.ID}}); r.status != 200 || r.body["version"] != float64(2) {
		t.Errorf("update: %d %s, want version 2", r.status, r.raw)
	}
	// A PATCH of one field keeps the others.
	if r := manager.do(http.MethodPatch, "/api/v1/rules/"+id, map[string]any{"enabled": false}); r.status != 200 || r.body["enabled"] != false ||
		r.body["strategy"] != "round_robin" || r.body["name"] != "Orçamentos" {
		t.Errorf("partial update: %d %s", r.status, r.raw)
	}
	agentClient := e.as(agent)
	if r := agentClient.do(http.MethodGet, "/api/v1/rules", nil); r.status != 403 {
		t.Errorf("an agent reading rules: %d", r.status)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// The account's business hours are what inBusinessHours() sees: a rule
// asking for them matches while open and not once the hours are cleared.
func TestBusinessHoursFeedRuleConditions(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	admin := e.as(a.admin)
	contact := store.Contact{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Maria"}
	e.db.Create(&contact)
	e.db.Create(&store.Conversation{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID,
		WorkflowID: "conversation/x/y", RunID: store.NewID(), Status: store.StatusOpen, Priority: "normal"})
	rule := admin.do(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "automation", "name": "Fora do horário", "event": "conversation.created",
		"condition": "inBusinessHours()", "actions": []map[string]string{{"type": "add_tag", "tag": "horario"}}})
	if rule.status != http.StatusCreated {
		t.Fatalf("rule: %d %s", rule.status, rule.raw)
	}
	dry := func() bool {
		r := admin.do(http.MethodPost, "/api/v1/rules/"+rule.body["id"].(string)+"/dry-run", nil)
		return r.body["results"].([]any)[0].(map[string]any)["matched"] == true
	}
	allWeek := map[string][]string{}
	for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		allWeek[d] = []string{"00:00", "23:59"}
	}
	if r := admin.do(http.MethodPatch, "/api/v1/account", map[string]any{"timezone": "America/Sao_Paulo", "business_hours": allWeek}); r.status != http.StatusOK {
		t.Fatalf("set hours: %d %s", r.status, r.raw)
	}
	if !dry() {
		t.Error("open all week: inBusinessHours() was false")
	}
	admin.do(http.MethodPatch, "/api/v1/account", map[string]any{"business_hours": map[string]any{}})
	if dry() {
		t.Error("no hours: inBusinessHours() was true")
	}
	for _, bad := range []map[string]any{
		{"business_hours": map[string][]string{"segunda": {"09:00", "18:00"}}},
		{"business_hours": map[string][]string{"mon": {"18:00", "09:00"}}},
		{"timezone": "Mars/Olympus"},
	} {
		if r := admin.do(http.MethodPatch, "/api/v1/account", bad); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %s, want 422", bad, r.status, r.raw)
		}
	}
	agent := e.as(a.user("agente", a.f.Profiles["agent"].ID))
	if r := agent.do(http.MethodPatch, "/api/v1/account", map[string]any{"timezone": "UTC"}); r.status != http.StatusForbidden {
		t.Errorf("an agent changed the account: %d", r.status)
	}
}
