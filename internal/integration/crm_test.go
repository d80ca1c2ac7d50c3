package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

func TestCRMCardLifecycleOverHTTP(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testCRM(t, dialect) })
	}
}

// crmAdmin is an account with the CRM module, an API channel whose
// outbound webhook reaches a local integrator, a conversation with Maria
// Silva, and its administrator logged in.
type crmAdmin struct {
	*apiChannel
	prov *integrator
	ag   *agent
	conv store.Conversation
}

func newCRMAdmin(t *testing.T, dialect string) *crmAdmin {
	a := newAPIChannel(t, dialect)
	a.db.Model(&a.f.Account).Update("modules", "api,crm")
	prov := newIntegrator(t, "hook-secret")
	configureOutbound(t, a, prov.url, "hook-secret")
	u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "gestora@" + dialect + ".example.com", Name: "Gestora",
		Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(msgJSON("crm-1", "5511955554444", "Quero uma proposta"), `"name":"Maria"`, `"name":"Maria Silva"`, 1)
	r := a.post(t, a.token, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", r.status, r.body)
	}
	conv := waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string)), 1)
	return &crmAdmin{apiChannel: a, prov: prov, ag: login(t, a.url, u.Email), conv: conv}
}

// outbound waits for an outbound message with the body in the contact's
// conversations and for the integrator to have received it exactly once.
func (c *crmAdmin) outbound(t *testing.T, body string) store.Message {
	t.Helper()
	var msg store.Message
	eventually(t, 20*time.Second, func() error {
		var msgs []store.Message
		c.db.Where("contact_id = ? AND direction = ? AND body = ?", c.conv.ContactID, store.DirectionOutbound, body).Find(&msgs)
		if len(msgs) != 1 {
			return fmt.Errorf("%d messages %q", len(msgs), body)
		}
		msg = msgs[0]
		_, got := c.prov.snapshot()
		n := 0
		for _, p := range got {
			if p.Text == body {
				n++
			}
		}
		if n != 1 || msg.Status != store.MessageSent {
			return fmt.Errorf("integrator got %q %d times; message status %s", body, n, msg.Status)
		}
		return nil
	})
	return msg
}

func testCRM(t *testing.T, dialect string) {
	c := newCRMAdmin(t, dialect)
	ag := c.ag
	stream := ag.openStream("")

	// A manager sets up a pipeline whose second stage greets the customer.
	st, p := ag.call(http.MethodPost, "/api/v1/pipelines", map[string]any{"name": "Vendas", "stages": []string{"Novo", "Proposta"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("pipeline: %d %v", st, p)
	}
	stages := p["stages"].([]any)
	first, second := stages[0].(map[string]any)["id"].(string), stages[1].(map[string]any)["id"].(string)
	st, stage := ag.call(http.MethodPatch, "/api/v1/stages/"+second, map[string]any{"entry_message": "Proposta para {{contact.first_name}}: {{card.title}}"}, nil)
	if st != http.StatusOK || stage["entry_message"] == "" {
		t.Fatalf("stage: %d %v", st, stage)
	}

	// One click on the conversation creates its card.
	st, card := ag.call(http.MethodPost, "/api/v1/cards", map[string]any{"conversation_id": c.conv.ID}, nil)
	if st != http.StatusCreated || card["title"] != "Maria Silva" || card["stage_id"] != first || card["pipeline_id"] != p["id"] {
		t.Fatalf("card from conversation: %d %v", st, card)
	}
	cardID := card["id"].(string)
	if st, linked := ag.call(http.MethodGet, "/api/v1/conversations/"+c.conv.ID+"/cards", nil, nil); st != http.StatusOK || len(linked["items"].([]any)) != 1 {
		t.Fatalf("conversation cards: %d %v", st, linked)
	}

	// Dragging it to "Proposta" answers at once; the entry message reaches
	// the customer through the conversation, once.
	st, moved := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/move", map[string]any{"stage_id": second, "position": 0}, nil)
	if st != http.StatusOK || moved["stage_id"] != second {
		t.Fatalf("move: %d %v", st, moved)
	}
	next(t, stream, "card.updated", kind("card.updated", "id", cardID))
	entry := c.outbound(t, "Proposta para Maria: Maria Silva")
	if entry.ConversationID == nil || *entry.ConversationID != c.conv.ID {
		t.Errorf("entry message in conversation %v, want %s", entry.ConversationID, c.conv.ID)
	}
	eventually(t, 10*time.Second, func() error {
		_, d := ag.call(http.MethodGet, "/api/v1/cards/"+cardID, nil, nil)
		kinds := []string{}
		for _, e := range d["events"].([]any) {
			kinds = append(kinds, e.(map[string]any)["kind"].(string))
		}
		if !strings.Contains(strings.Join(kinds, ","), "entry_message") || !strings.Contains(strings.Join(kinds, ","), "moved") {
			return fmt.Errorf("card history %v", kinds)
		}
		return nil
	})
	// A move to another pipeline's stage is refused, naming the field.
	_, other := ag.call(http.MethodPost, "/api/v1/pipelines", map[string]any{"name": "Suporte"}, nil)
	foreign := other["stages"].([]any)[0].(map[string]any)["id"].(string)
	if st, res := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/move", map[string]any{"stage_id": foreign}, nil); st != http.StatusUnprocessableEntity || res["field"] != "stage_id" {
		t.Errorf("move to another pipeline: %d %v, want 422 on stage_id", st, res)
	}

	// The stage's quick reply goes out with one click.
	st, qr := ag.call(http.MethodPost, "/api/v1/stages/"+second+"/quick-replies", map[string]any{"title": "Lembrar", "text": "{{contact.first_name}}, conseguiu ver a proposta?"}, nil)
	if st != http.StatusCreated {
		t.Fatalf("stage quick reply: %d %v", st, qr)
	}
	st, sent := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/quick-replies/"+qr["id"].(string)+"/send", nil, nil)
	if st != http.StatusCreated || sent["body"] != "Maria, conseguiu ver a proposta?" {
		t.Fatalf("send quick reply: %d %v", st, sent)
	}
	c.outbound(t, "Maria, conseguiu ver a proposta?")

	// A message scheduled a second ahead is sent by its workflow.
	soon := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	st, sm := ag.call(http.MethodPost, "/api/v1/scheduled-messages", map[string]any{"conversation_id": c.conv.ID, "card_id": cardID, "body": "Lembrete agendado", "send_at": soon}, nil)
	if st != http.StatusCreated || sm["status"] != "scheduled" {
		t.Fatalf("schedule: %d %v", st, sm)
	}
	msg := c.outbound(t, "Lembrete agendado")
	eventually(t, 10*time.Second, func() error {
		var row store.ScheduledMessage
		c.db.Take(&row, "id = ?", sm["id"])
		if row.Status != store.ScheduledSent || row.MessageID == nil || *row.MessageID != msg.ID {
			return fmt.Errorf("schedule row %+v", row)
		}
		return nil
	})

	// One for tomorrow morning, in the account's time zone, is edited and
	// canceled; a canceled one can no longer change.
	tomorrow := time.Now().In(saoPaulo(t)).AddDate(0, 0, 1).Format("2006-01-02") + "T09:00"
	st, later := ag.call(http.MethodPost, "/api/v1/scheduled-messages", map[string]any{"conversation_id": c.conv.ID, "body": "Bom dia!", "send_at": tomorrow}, nil)
	if st != http.StatusCreated {
		t.Fatalf("schedule tomorrow: %d %v", st, later)
	}
	at, _ := time.Parse(time.RFC3339, later["send_at"].(string))
	if got := at.In(saoPaulo(t)).Format("2006-01-02T15:04"); got != tomorrow {
		t.Errorf("send_at %s is %s in São Paulo, want %s", later["send_at"], got, tomorrow)
	}
	laterPath := "/api/v1/scheduled-messages/" + later["id"].(string)
	if st, v := ag.call(http.MethodPatch, laterPath, map[string]any{"body": "Bom dia, Maria!"}, nil); st != http.StatusOK || v["body"] != "Bom dia, Maria!" {
		t.Fatalf("edit: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodDelete, laterPath, nil, nil); st != http.StatusOK || v["status"] != "canceled" {
		t.Fatalf("cancel: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodPatch, laterPath, map[string]any{"body": "de novo"}, nil); st != http.StatusConflict {
		t.Errorf("edit after cancel: %d %v, want 409", st, v)
	}
	if st, v := ag.call(http.MethodPost, "/api/v1/scheduled-messages", map[string]any{"conversation_id": c.conv.ID, "body": "x", "send_at": "2020-01-01T09:00"}, nil); st != http.StatusUnprocessableEntity || v["field"] != "send_at" {
		t.Errorf("schedule in the past: %d %v", st, v)
	}

	// The agenda shows the card's due date and what was scheduled.
	due := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	if st, v := ag.call(http.MethodPatch, "/api/v1/cards/"+cardID, map[string]any{"due_at": due, "value_cents": 150000, "tags": []string{"Anual"}}, nil); st != http.StatusOK || v["value_cents"] != float64(150000) {
		t.Fatalf("edit card: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/follow-ups", map[string]any{"title": "Ligar para a Maria", "due_at": tomorrow}, nil); st != http.StatusCreated {
		t.Fatalf("follow-up: %d %v", st, v)
	}
	q := url.Values{"from": {time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}}
	st, agenda := ag.call(http.MethodGet, "/api/v1/agenda?"+q.Encode(), nil, nil)
	kinds := map[string]int{}
	for _, it := range agenda["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)]++
	}
	if st != http.StatusOK || kinds["due"] != 1 || kinds["follow_up"] != 1 || kinds["scheduled_message"] != 1 {
		t.Errorf("agenda: %d %v (the canceled message must not show)", st, kinds)
	}

	// The board filters by tag, including the conversation's.
	if st, b := ag.call(http.MethodGet, "/api/v1/pipelines/"+p["id"].(string)+"/board?tag=anual", nil, nil); st != http.StatusOK || len(b["cards"].([]any)) != 1 {
		t.Errorf("board filtered by tag: %d %v", st, b)
	}
	if st, b := ag.call(http.MethodGet, "/api/v1/pipelines/"+p["id"].(string)+"/board?tag=outra", nil, nil); st != http.StatusOK || len(b["cards"].([]any)) != 0 {
		t.Errorf("board filtered by another tag: %d %v", st, b)
	}

	// Won: the lifecycle ends; a move is refused until it is reopened.
	if st, v := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/status", map[string]any{"status": "won"}, nil); st != http.StatusOK || v["status"] != "won" {
		t.Fatalf("won: %d %v", st, v)
	}
	saveHistory(t, c.tc, workflows.CardWorkflowID(cardID), "", "card-won-v2.json")
	saveHistory(t, c.tc, workflows.ScheduledMessageWorkflowID(sm["id"].(string)), "", "scheduled-message-sent.json")
	if st, v := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/move", map[string]any{"stage_id": first}, nil); st != http.StatusConflict {
		t.Errorf("move a won card: %d %v, want 409", st, v)
	}
	if st, v := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/status", map[string]any{"status": "open"}, nil); st != http.StatusOK || v["status"] != "open" {
		t.Fatalf("reopen: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodPost, "/api/v1/cards/"+cardID+"/move", map[string]any{"stage_id": first}, nil); st != http.StatusOK || v["stage_id"] != first {
		t.Errorf("move a reopened card: %d %v", st, v)
	}

	// A card without a conversation entering the stage says why nothing
	// was sent, on the card and on the agents' screens.
	st, lone := ag.call(http.MethodPost, "/api/v1/cards", map[string]any{"title": "Indicação do João", "pipeline_id": p["id"]}, nil)
	if st != http.StatusCreated {
		t.Fatalf("manual card: %d %v", st, lone)
	}
	ag.call(http.MethodPost, "/api/v1/cards/"+lone["id"].(string)+"/move", map[string]any{"stage_id": second}, nil)
	next(t, stream, "card.alert", func(ev sseEvent) bool {
		return ev.Kind == "card.alert" && ev.Data["card_id"] == lone["id"] && ev.Data["kind"] == "entry_message_failed"
	})

	// Linking the conversation later gives the card its contact and tags.
	lonePath := "/api/v1/cards/" + lone["id"].(string)
	if st, v := ag.call(http.MethodPost, lonePath+"/conversations", map[string]any{"conversation_id": c.conv.ID}, nil); st != http.StatusOK ||
		len(v["conversation_ids"].([]any)) != 1 || v["contact"] == nil {
		t.Errorf("link: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodDelete, lonePath+"/conversations/"+c.conv.ID, nil, nil); st != http.StatusOK || len(v["conversation_ids"].([]any)) != 0 {
		t.Errorf("unlink: %d %v", st, v)
	}

	// Without the module, every CRM route says so.
	c.db.Model(&c.f.Account).Update("modules", "api")
	if st, v := ag.call(http.MethodGet, "/api/v1/pipelines", nil, nil); st != http.StatusForbidden || !strings.Contains(fmt.Sprint(v["detail"]), "CRM module") {
		t.Errorf("pipelines without the module: %d %v", st, v)
	}
}

// A message scheduled on a closed ticket reopens the conversation and is
// delivered there.
func TestScheduledMessageReopensClosedConversation(t *testing.T) {
	c := newCRMAdmin(t, "sqlite")
	if st, v := c.ag.call(http.MethodPost, "/api/v1/conversations/"+c.conv.ID+"/close", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("close: %d %v", st, v)
	}
	eventually(t, 10*time.Second, func() error {
		var conv store.Conversation
		c.db.Take(&conv, "id = ?", c.conv.ID)
		if conv.Status != store.StatusClosed {
			return fmt.Errorf("status %s", conv.Status)
		}
		return nil
	})
	soon := time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
	st, sm := c.ag.call(http.MethodPost, "/api/v1/scheduled-messages", map[string]any{"conversation_id": c.conv.ID, "body": "Voltamos a falar?", "send_at": soon}, nil)
	if st != http.StatusCreated {
		t.Fatalf("schedule: %d %v", st, sm)
	}
	eventually(t, 20*time.Second, func() error {
		var row store.ScheduledMessage
		c.db.Take(&row, "id = ?", sm["id"])
		if row.Status != store.ScheduledSent {
			return fmt.Errorf("schedule %s %q", row.Status, row.FailureReason)
		}
		return nil
	})
	msg := c.outbound(t, "Voltamos a falar?")
	var conv store.Conversation
	c.db.Take(&conv, "id = ?", c.conv.ID)
	if msg.ConversationID == nil || *msg.ConversationID != c.conv.ID || conv.Status == store.StatusClosed {
		t.Errorf("message in %v, conversation %s: want it in the reopened ticket %s", msg.ConversationID, conv.Status, c.conv.ID)
	}
}

func saoPaulo(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Automation rules drive the CRM: a new conversation gets a card and the
// greeting quick reply; a customer who says "fechado" has the card moved
// to the last stage, whose entry message then goes out.
func TestAutomationRulesCreateAndMoveCards(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	a.db.Model(&a.f.Account).Update("modules", "api,crm")
	prov := newIntegrator(t, "hook-secret")
	configureOutbound(t, a, prov.url, "hook-secret")
	u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "regras@example.com", Name: "Gestora",
		Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	ag := login(t, a.url, u.Email)
	_, p := ag.call(http.MethodPost, "/api/v1/pipelines", map[string]any{"name": "Vendas", "stages": []string{"Lead", "Fechamento"}}, nil)
	stages := p["stages"].([]any)
	lead, closing := stages[0].(map[string]any)["id"].(string), stages[1].(map[string]any)["id"].(string)
	ag.call(http.MethodPatch, "/api/v1/stages/"+closing, map[string]any{"entry_message": "Obrigado, {{contact.first_name}}! Vamos preparar o contrato."}, nil)
	ag.call(http.MethodPost, "/api/v1/quick-replies", map[string]any{"shortcut": "ola", "text": "Olá! Já vamos te atender."}, nil)
	for _, rule := range []map[string]any{
		{"kind": "automation", "name": "Lead no CRM", "event": "conversation.created", "condition": "",
			"actions": []map[string]any{{"type": "create_card", "stage_id": lead}, {"type": "send_quick_reply", "text": "ola"}}},
		{"kind": "automation", "name": "Fechou", "event": "message.created", "condition": `message.text contains "fechado"`,
			"actions": []map[string]any{{"type": "move_card", "stage_id": closing}}},
		{"kind": "automation", "name": "Novo cliente", "event": "crm.card.moved", "condition": `card.to_stage == "Fechamento" and card.from_stage == "Lead"`,
			"actions": []map[string]any{{"type": "add_tag", "tag": "cliente"}, {"type": "send_message", "text": "Bem-vindo como cliente!"}}},
	} {
		if st, r := ag.call(http.MethodPost, "/api/v1/rules", rule, nil); st != http.StatusCreated {
			t.Fatalf("rule %s: %d %v", rule["name"], st, r)
		}
	}
	c := &crmAdmin{apiChannel: a, prov: prov, ag: ag}
	r := a.post(t, a.token, msgJSON("r-1", "5511944443333", "Oi, quero comprar"))
	c.conv = waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string)), 1)
	c.outbound(t, "Olá! Já vamos te atender.")
	var card store.Card
	eventually(t, 15*time.Second, func() error {
		return a.db.Where("id IN (?)", a.db.Model(&store.CardConversation{}).Select("card_id").Where("conversation_id = ?", c.conv.ID)).Take(&card).Error
	})
	if card.StageID != lead || card.Title != "Maria" {
		t.Errorf("card from the rule: %+v", card)
	}
	a.post(t, a.token, msgJSON("r-2", "5511944443333", "Pode mandar, está fechado"))
	c.outbound(t, "Obrigado, Maria! Vamos preparar o contrato.")
	a.db.Take(&card, "id = ?", card.ID)
	if card.StageID != closing {
		t.Errorf("card in stage %s, want %s", card.StageID, closing)
	}
	// The card's move ran the crm.card.moved rule on its conversation.
	c.outbound(t, "Bem-vindo como cliente!")
	eventually(t, 10*time.Second, func() error {
		var conv store.Conversation
		a.db.Take(&conv, "id = ?", c.conv.ID)
		var ruleLines int64
		a.db.Model(&store.CardEvent{}).Where("card_id = ? AND kind = ?", card.ID, "rule").Count(&ruleLines)
		if !strings.Contains(conv.Tags, "cliente") || ruleLines != 2 {
			return fmt.Errorf("conversation tags %q, %d rule lines on the card", conv.Tags, ruleLines)
		}
		return nil
	})
	var n int64
	a.db.Model(&store.Card{}).Where("account_id = ?", a.f.Account.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d cards, want 1 (a retried action creates none)", n)
	}
}
