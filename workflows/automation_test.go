package workflows_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/workflows"
)

func TestAutomationRulesActOnTheirEvents(t *testing.T) {
	cf := newConvFixture(t)
	var hooks atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks.Add(1)
		if r.Header.Get("Idempotency-Key") == "" {
			t.Error("webhook without an idempotency key")
		}
		http.Error(w, "no such endpoint", http.StatusNotFound) // a refusal: recorded, not retried
	}))
	defer hook.Close()
	team := store.Team{ID: store.NewID(), AccountID: cf.f.Account.ID, Name: "Financeiro"}
	cf.db.Create(&team)
	mk := func(name, event, cond, actions string) {
		cf.db.Create(&store.Rule{ID: store.NewID(), AccountID: cf.f.Account.ID, Kind: "automation", Name: name, Event: event,
			Condition: cond, Enabled: true, Version: 1, Actions: actions})
	}
	mk("Boleto", rules.MessageCreated, `lower(message.text) contains "boleto"`,
		`[{"type":"add_tag","tag":"Financeiro"},{"type":"set_priority","priority":"high"},{"type":"webhook","url":"`+hook.URL+`"},{"type":"assign_team","team_id":"`+team.ID+`"},{"type":"add_note","text":"Cliente pediu boleto"}]`)
	mk("Never", rules.MessageCreated, `message.text == "nunca"`, `[{"type":"close"}]`)
	mk("Bye", rules.ConversationClosed, ``, `[{"type":"add_tag","tag":"encerrada"}]`)

	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "Oi, podem mandar o BOLETO?")
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateClose, "c", (&updateResult{}).callbacks(), workflows.CloseRequest{})
	}, 2*time.Second)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var conv store.Conversation
	cf.db.Take(&conv)
	if conv.Tags != "encerrada,financeiro" || conv.Priority != "high" || conv.TeamID == nil || *conv.TeamID != team.ID {
		t.Errorf("ticket after the rules: tags %q priority %q team %v", conv.Tags, conv.Priority, conv.TeamID)
	}
	var note store.Message
	if err := cf.db.Take(&note, "kind = ?", store.KindNote).Error; err != nil || note.Body != "Cliente pediu boleto" {
		t.Errorf("note: %v %+v", err, note)
	}
	var runs []store.RuleRun
	cf.db.Where("conversation_id = ?", conv.ID).Order("created_at, id").Find(&runs)
	var got []string
	for _, r := range runs {
		got = append(got, r.RuleName+":"+r.Outcome)
		if r.Outcome == "action_failed" && !strings.Contains(r.Detail, "404") {
			t.Errorf("failed action's detail %q does not carry the reason", r.Detail)
		}
	}
	want := "Boleto:matched Boleto:action_ok Boleto:action_ok Boleto:action_failed Boleto:action_ok Boleto:action_ok Bye:matched Bye:action_ok"
	if strings.Join(got, " ") != want {
		t.Errorf("rule trail\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if hooks.Load() != 1 {
		t.Errorf("webhook called %d times; a 404 must not be retried", hooks.Load())
	}
}

func TestIdleRulesFireAfterTheQuietSpell(t *testing.T) {
	cf := newConvFixture(t)
	mk := func(name string, minutes int, actions string) {
		cf.db.Create(&store.Rule{ID: store.NewID(), AccountID: cf.f.Account.ID, Kind: "automation", Name: name, Event: rules.ConversationIdle,
			Enabled: true, Version: 1, IdleMinutes: minutes, Actions: actions})
	}
	mk("Lembrete", 30, `[{"type":"add_tag","tag":"sem-resposta"}]`)
	mk("Fechar", 120, `[{"type":"close"}]`)
	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "Oi?")
	var tagsAt40 []string
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		v, _ := env.QueryWorkflow(workflows.QueryState)
		var st workflows.ConversationState
		v.Get(&st)
		tagsAt40 = st.Tags
	}, 40*time.Minute)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tagsAt40, ",") != "sem-resposta" {
		t.Errorf("tags 40 min after the last message: %v, want the 30-minute rule's tag", tagsAt40)
	}
	var conv store.Conversation
	cf.db.Take(&conv)
	if conv.Status != store.StatusClosed {
		t.Errorf("status %q: the 120-minute rule should have closed the quiet ticket", conv.Status)
	}
	var runs []store.RuleRun
	cf.db.Where("conversation_id = ? AND rule_name = ?", conv.ID, "Lembrete").Find(&runs)
	if len(runs) != 2 { // matched + one action: once per quiet spell, not every timer
		t.Errorf("the 30-minute rule ran %d trail entries, want 2", len(runs))
	}
}
