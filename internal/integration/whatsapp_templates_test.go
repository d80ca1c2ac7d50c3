package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/channels/whatsappcloud/graphtest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// WhatsApp Official templates: read from the WABA after activation, a new
// one submitted for review and approved by Meta's status webhook, free
// text refused once the 24 h window has closed while an approved template
// goes out with its variables, and what Meta would refuse refused before
// it is sent.
func TestWhatsAppTemplates(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testWhatsAppTemplates(t, dialect) })
	}
}

func testWhatsAppTemplates(t *testing.T, dialect string) {
	w := newWhatsAppOfficial(t, dialect, func(g *graphtest.Server) {
		g.AddTemplate("pedido_enviado", "pt_BR", "UTILITY", "APPROVED", "Olá {{1}}, seu pedido {{2}} foi enviado.")
		g.AddTemplate("promocao", "pt_BR", "MARKETING", "PENDING", "Ofertas da semana!")
	})
	templates := func() map[string]map[string]any {
		_, got := w.admin.call(http.MethodGet, "/api/v1/channels/"+w.id+"/templates", nil, nil)
		out := map[string]map[string]any{}
		for _, it := range got["items"].([]any) {
			m := it.(map[string]any)
			out[m["name"].(string)] = m
		}
		return out
	}
	var list map[string]map[string]any
	eventually(t, 20*time.Second, func() error {
		if list = templates(); len(list) != 2 {
			return fmt.Errorf("templates %v", list)
		}
		return nil
	})
	if p := list["pedido_enviado"]; p["status"] != "APPROVED" || p["params"] != float64(2) || p["category"] != "UTILITY" {
		t.Errorf("synced template %v", p)
	}

	// A new template: refused without its examples, then submitted.
	create := map[string]any{"name": "boas_vindas", "category": "UTILITY", "language": "pt_BR", "body": "Oi {{1}}, bem-vindo!"}
	if st, body := w.admin.call(http.MethodPost, "/api/v1/channels/"+w.id+"/templates", create, nil); st != http.StatusUnprocessableEntity || body["field"] != "examples" {
		t.Errorf("without examples: %d %v", st, body)
	}
	if st, body := w.admin.call(http.MethodPost, "/api/v1/channels/"+w.id+"/templates", map[string]any{"name": "lacuna", "category": "UTILITY",
		"body": "Oi {{2}}", "examples": []string{"a", "b"}}, nil); st != http.StatusUnprocessableEntity || body["field"] != "body" {
		t.Errorf("a gap in the variables: %d %v", st, body)
	}
	create["examples"] = []string{"Maria"}
	st, created := w.admin.call(http.MethodPost, "/api/v1/channels/"+w.id+"/templates", create, nil)
	if st != http.StatusCreated || created["status"] != store.TemplateSubmitting {
		t.Fatalf("create: %d %v", st, created)
	}
	var row store.MessageTemplate
	eventually(t, 20*time.Second, func() error {
		w.db.Take(&row, "id = ?", created["id"])
		if row.Status != store.TemplatePending || row.ProviderID == "" {
			return fmt.Errorf("template %s %q", row.Status, row.ProviderID)
		}
		return nil
	})
	if st, _ := w.admin.call(http.MethodPost, "/api/v1/channels/"+w.id+"/templates", create, nil); st != http.StatusConflict {
		t.Errorf("the same name twice: %d", st)
	}
	// Meta approves it: the status webhook says so.
	if st := w.post(t, "message_template_status_update", map[string]any{"event": "APPROVED", "message_template_id": 0,
		"message_template_name": "boas_vindas", "message_template_language": "pt_BR", "reason": "NONE"}, true); st != http.StatusOK {
		t.Fatalf("status webhook: %d", st)
	}
	eventually(t, 10*time.Second, func() error {
		w.db.Take(&row, "id = ?", created["id"])
		if row.Status != store.TemplateApproved || row.Reason != "" {
			return fmt.Errorf("template %s %q", row.Status, row.Reason)
		}
		return nil
	})

	// A customer wrote two days ago: the window has closed.
	old := fmt.Sprint(time.Now().Add(-48 * time.Hour).Unix())
	if st := w.post(t, "messages", map[string]any{"contacts": []any{map[string]any{"profile": map[string]any{"name": "Rita"}, "wa_id": "5511999990002"}},
		"messages": []any{map[string]any{"from": "5511999990002", "id": "wamid.old-1", "timestamp": old, "type": "text", "text": map[string]any{"body": "Cadê meu pedido?"}}}}, true); st != http.StatusOK {
		t.Fatalf("delivery: %d", st)
	}
	var ident store.ContactIdentity
	eventually(t, 15*time.Second, func() error {
		return w.db.Where("channel_id = ? AND external_id = ?", w.id, "5511999990002").Take(&ident).Error
	})
	conv := waitConversation(t, w.db, workflows.ConversationWorkflowID(w.id, ident.ContactID), 1)
	send := func(body map[string]any, key string) (int, map[string]any) {
		return w.admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", body, map[string]string{"Idempotency-Key": key})
	}
	if st, body := send(map[string]any{"body": "Já vai!"}, "tpl-0"); st < 400 || !strings.Contains(fmt.Sprint(body), "window closed") {
		t.Fatalf("free text after the window: %d %v", st, body)
	}
	approved := list["pedido_enviado"]["id"]
	if st, body := send(map[string]any{"template": map[string]any{"id": approved, "params": []string{"Rita"}}}, "tpl-1"); st != http.StatusUnprocessableEntity || body["field"] != "template.params" {
		t.Errorf("a variable missing: %d %v", st, body)
	}
	if st, body := send(map[string]any{"template": map[string]any{"id": list["promocao"]["id"]}}, "tpl-2"); st != http.StatusUnprocessableEntity || body["field"] != "template" {
		t.Errorf("a template under review: %d %v", st, body)
	}
	st, msg := send(map[string]any{"template": map[string]any{"id": approved, "params": []string{"Rita", "4521"}}}, "tpl-3")
	if st != http.StatusCreated || msg["body"] != "Olá Rita, seu pedido 4521 foi enviado." {
		t.Fatalf("template send: %d %v", st, msg)
	}
	eventually(t, 20*time.Second, func() error {
		var m store.Message
		w.db.Take(&m, "id = ?", msg["id"])
		if m.Status != store.MessageSent {
			return fmt.Errorf("message %s %q", m.Status, m.FailureReason)
		}
		return nil
	})
	sent := w.graph.Sent()
	last := sent[len(sent)-1].Body
	tpl, _ := last["template"].(map[string]any)
	if last["type"] != "template" || tpl["name"] != "pedido_enviado" || last["to"] != "5511999990002" ||
		!strings.Contains(fmt.Sprint(tpl["components"]), "Rita") || !strings.Contains(fmt.Sprint(tpl["language"]), "pt_BR") {
		t.Errorf("Meta received %v", last)
	}
}
