package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/store"
)

// validate checks v (decoded JSON) against a JSON Schema of the subset the
// document uses, resolving $refs in doc; it returns what does not match.
func validate(doc map[string]any, schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		return validate(doc, doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any), v, at)
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if len(validate(doc, alt.(map[string]any), v, at)) == 0 {
				return nil
			}
		}
		return []string{at + ": matches none of its alternatives"}
	}
	typ, _ := schema["type"].(string)
	bad := func() []string { return []string{fmt.Sprintf("%s: %T where the document says %s", at, v, typ)} }
	switch typ {
	case "":
		return nil
	case "null":
		if v != nil {
			return bad()
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if schema["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return []string{at + ": not a date-time: " + s}
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad()
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok || typ == "integer" && f != float64(int64(f)) {
			return bad()
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return bad()
		}
		var errs []string
		for i, it := range items {
			errs = append(errs, validate(doc, schema["items"].(map[string]any), it, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return errs
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		var errs []string
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, at+"."+r.(string)+": missing")
			}
		}
		props, _ := schema["properties"].(map[string]any)
		extra, _ := schema["additionalProperties"].(map[string]any)
		for k, val := range obj {
			switch p, ok := props[k].(map[string]any); {
			case ok:
				errs = append(errs, validate(doc, p, val, at+"."+k)...)
			case extra != nil:
				errs = append(errs, validate(doc, extra, val, at+"."+k)...)
			case props != nil:
				errs = append(errs, at+"."+k+": not in the document")
			}
		}
		return errs
	}
	return nil
}

// TestResponsesMatchTheOpenAPIDocument calls the routes documented with
// a body schema and validates each real answer against the document the
// server serves, so the two cannot drift apart.
func TestResponsesMatchTheOpenAPIDocument(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	admin := e.as(a.admin)
	doc := e.browser().do(http.MethodGet, "/api/v1/openapi.json", nil).body
	paths := doc["paths"].(map[string]any)

	registered := map[string]bool{}
	for _, r := range e.srv.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	for key := range api.ResponseTypes() {
		if !registered[key] {
			t.Errorf("responseTypes names %s, which is not a route", key)
		}
	}
	for key := range registered {
		if _, ok := api.ResponseTypes()[key]; !ok {
			t.Errorf("%s has no entry in responseTypes: its answer is undocumented", key)
		}
	}

	for key := range registered {
		method, _, _ := strings.Cut(key, " ")
		if _, ok := api.RequestTypes()[key]; !ok && method != "GET" && method != "DELETE" {
			t.Errorf("%s has no entry in requestTypes: what it accepts is undocumented", key)
		}
	}
	seen, stop := api.RecordBinds()
	defer stop()

	contact := store.Contact{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Maria"}
	e.db.Create(&contact)
	conv := store.Conversation{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID,
		WorkflowID: "conversation/x/y", RunID: store.NewID(), Status: store.StatusOpen, Priority: "normal", Tags: "vip"}
	e.db.Create(&conv)
	ext := "ext-1"
	e.db.Create(&store.Message{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID, ConversationID: &conv.ID,
		Direction: store.DirectionInbound, Kind: store.KindText, Body: "Olá", Status: store.MessageReceived, ExternalID: &ext})
	e.db.Create(&store.RuleRun{ID: store.NewID(), AccountID: a.f.Account.ID, ConversationID: conv.ID, RuleID: "r", RuleName: "VIP",
		Event: "message.created", Outcome: "matched", CreatedAt: time.Now()})
	crm := crmObjects(e, a, conv)

	checked := 0
	check := func(method, route, path string, body any, want int) map[string]any {
		t.Helper()
		r := admin.do(method, path, body)
		if r.status != want {
			t.Errorf("%s %s: %d %s, want %d", method, path, r.status, r.raw, want)
			return r.body
		}
		tmpl := strings.NewReplacer(":id", "{id}", ":reply_id", "{reply_id}", ":conversation_id", "{conversation_id}").Replace(route)
		op, ok := paths[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s is not in the document", method, route)
			return r.body
		}
		content, ok := op["responses"].(map[string]any)["2XX"].(map[string]any)["content"].(map[string]any)
		if !ok {
			t.Errorf("%s %s has no body schema", method, route)
			return r.body
		}
		schema := content["application/json"].(map[string]any)["schema"].(map[string]any)
		for _, problem := range validate(doc, schema, any(r.body), method+" "+route) {
			t.Error(problem)
		}
		checked++
		return r.body
	}

	check("GET", "/api/v1/users", "/api/v1/users", nil, 200)
	check("GET", "/api/v1/me", "/api/v1/me", nil, 200)
	u := check("POST", "/api/v1/users", "/api/v1/users", map[string]any{"email": "bia@example.com", "name": "Bia", "password": goodPassword, "profile_id": a.f.Profiles["agent"].ID}, 201)
	check("PATCH", "/api/v1/users/:id", "/api/v1/users/"+u["id"].(string), map[string]any{"capacity": 5}, 200)
	check("GET", "/api/v1/profiles", "/api/v1/profiles", nil, 200)
	pr := check("POST", "/api/v1/profiles", "/api/v1/profiles", map[string]any{"name": "Supervisão", "permissions": []string{"conversations:view:all"}}, 201)
	check("PATCH", "/api/v1/profiles/:id", "/api/v1/profiles/"+pr["id"].(string), map[string]any{"name": "Supervisão N2"}, 200)
	tm := check("POST", "/api/v1/teams", "/api/v1/teams", map[string]any{"name": "Cobrança"}, 201)
	check("PATCH", "/api/v1/teams/:id", "/api/v1/teams/"+tm["id"].(string), map[string]any{"name": "Cobrança PJ"}, 200)
	check("POST", "/api/v1/tokens", "/api/v1/tokens", map[string]any{"name": "erp", "permissions": []string{"conversations:view:all"}}, 201)
	wc := check("POST", "/api/v1/channels", "/api/v1/channels", map[string]any{"kind": "webchat", "name": "Loja"}, 201)
	check("GET", "/api/v1/channels/:id", "/api/v1/channels/"+wc["id"].(string), nil, 200)
	check("PATCH", "/api/v1/channels/:id", "/api/v1/channels/"+wc["id"].(string), map[string]any{"name": "Loja online"}, 200)
	check("GET", "/api/v1/teams", "/api/v1/teams", nil, 200)
	check("GET", "/api/v1/account", "/api/v1/account", nil, 200)
	check("PATCH", "/api/v1/account", "/api/v1/account", map[string]any{"business_hours": map[string][]string{"mon": {"09:00", "18:00"}}}, 200)
	created := check("POST", "/api/v1/contacts", "/api/v1/contacts", map[string]any{"name": "Ana", "phone": "+5511911112222"}, 201)
	check("PUT", "/api/v1/contacts", "/api/v1/contacts", map[string]any{"name": "Ana Paula", "phone": "+5511911112222"}, 200)
	check("GET", "/api/v1/contacts", "/api/v1/contacts?q=ana", nil, 200)
	check("GET", "/api/v1/contacts/:id", "/api/v1/contacts/"+contact.ID, nil, 200)
	check("PATCH", "/api/v1/contacts/:id", "/api/v1/contacts/"+created["id"].(string), map[string]any{"email": "ana@example.com"}, 200)

	check("GET", "/api/v1/conversations", "/api/v1/conversations?view=all", nil, 200)
	check("GET", "/api/v1/contacts/:id/messages", "/api/v1/contacts/"+contact.ID+"/messages", nil, 200)
	check("GET", "/api/v1/conversations/:id/rules", "/api/v1/conversations/"+conv.ID+"/rules", nil, 200)
	check("GET", "/api/v1/channels", "/api/v1/channels", nil, 200)
	check("GET", "/api/v1/tokens", "/api/v1/tokens", nil, 200)
	quick := check("POST", "/api/v1/quick-replies", "/api/v1/quick-replies", map[string]any{"shortcut": "oi", "text": "Olá!"}, 201)
	check("GET", "/api/v1/quick-replies", "/api/v1/quick-replies", nil, 200)
	rl := check("POST", "/api/v1/rules", "/api/v1/rules", map[string]any{"kind": "automation", "name": "VIP", "event": "message.created",
		"condition": `"vip" in conversation.tags`, "actions": []map[string]string{{"type": "set_priority", "priority": "high"}}}, 201)
	check("GET", "/api/v1/rules", "/api/v1/rules", nil, 200)
	check("POST", "/api/v1/rules/validate", "/api/v1/rules/validate", map[string]any{"event": "message.created", "condition": `message.text contains "boleto"`}, 200)
	check("POST", "/api/v1/rules/:id/dry-run", "/api/v1/rules/"+rl["id"].(string)+"/dry-run?limit=5", nil, 200)
	check("GET", "/api/v1/conversations/:id", "/api/v1/conversations/"+conv.ID, nil, 200)
	check("POST", "/api/v1/contacts/:id/merge", "/api/v1/contacts/"+contact.ID+"/merge", map[string]any{"duplicate_id": created["id"]}, 200)
	check("PUT", "/api/v1/me/status", "/api/v1/me/status", map[string]any{"status": "away"}, 200)
	check("GET", "/api/v1/sessions", "/api/v1/sessions", nil, 200)
	check("GET", "/api/v1/audit", "/api/v1/audit", nil, 200)
	check("POST", "/api/v1/channels/:id/rotate-token", "/api/v1/channels/"+a.f.Channel.ID+"/rotate-token", nil, 200)

	check("GET", "/api/v1/pipelines", "/api/v1/pipelines", nil, 200)
	p := check("POST", "/api/v1/pipelines", "/api/v1/pipelines", map[string]any{"name": "Suporte"}, 201)
	pid := p["id"].(string)
	check("PATCH", "/api/v1/pipelines/:id", "/api/v1/pipelines/"+pid, map[string]any{"name": "Suporte N1"}, 200)
	st := check("POST", "/api/v1/pipelines/:id/stages", "/api/v1/pipelines/"+pid+"/stages", map[string]any{"name": "Escalado", "stale_days": 2}, 201)
	var order []string
	for _, s := range check("GET", "/api/v1/pipelines", "/api/v1/pipelines", nil, 200)["items"].([]any) {
		if s.(map[string]any)["id"] == pid {
			for _, sv := range s.(map[string]any)["stages"].([]any) {
				order = append([]string{sv.(map[string]any)["id"].(string)}, order...)
			}
		}
	}
	check("PUT", "/api/v1/pipelines/:id/stage-order", "/api/v1/pipelines/"+pid+"/stage-order", map[string]any{"stage_ids": order}, 200)
	check("PATCH", "/api/v1/stages/:id", "/api/v1/stages/"+st["id"].(string), map[string]any{"entry_message": "Olá {{contact.first_name}}"}, 200)
	qr := check("POST", "/api/v1/stages/:id/quick-replies", "/api/v1/stages/"+st["id"].(string)+"/quick-replies", map[string]any{"title": "Oi", "text": "Oi!"}, 201)
	check("PATCH", "/api/v1/stage-quick-replies/:id", "/api/v1/stage-quick-replies/"+qr["id"].(string), map[string]any{"title": "Oi", "text": "Olá!"}, 200)
	check("GET", "/api/v1/pipelines/:id/board", "/api/v1/pipelines/"+crm.Pipeline.ID+"/board", nil, 200)
	check("GET", "/api/v1/cards/:id", "/api/v1/cards/"+crm.Card.ID, nil, 200)
	check("PATCH", "/api/v1/cards/:id", "/api/v1/cards/"+crm.Card.ID, map[string]any{"title": "Plano anual", "value_cents": 99000, "custom_fields": map[string]string{"cnpj": "1"}}, 200)
	check("POST", "/api/v1/cards/:id/notes", "/api/v1/cards/"+crm.Card.ID+"/notes", map[string]any{"body": "ligar amanhã"}, 201)
	check("POST", "/api/v1/cards/:id/conversations", "/api/v1/cards/"+crm.Card.ID+"/conversations", map[string]any{"conversation_id": conv.ID}, 200)
	check("DELETE", "/api/v1/cards/:id/conversations/:conversation_id", "/api/v1/cards/"+crm.Card.ID+"/conversations/"+conv.ID, nil, 200)
	check("GET", "/api/v1/conversations/:id/cards", "/api/v1/conversations/"+conv.ID+"/cards", nil, 200)
	check("GET", "/api/v1/scheduled-messages", "/api/v1/scheduled-messages?conversation_id="+conv.ID, nil, 200)
	q := url.Values{"from": {time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}}
	check("GET", "/api/v1/agenda", "/api/v1/agenda?"+q.Encode(), nil, 200)

	check("GET", "/api/v1/webhook-events", "/api/v1/webhook-events", nil, 200)
	ep := check("POST", "/api/v1/webhooks", "/api/v1/webhooks", map[string]any{"url": "https://erp.example.com/in", "events": []string{"message.created"}}, 201)
	check("GET", "/api/v1/webhooks", "/api/v1/webhooks", nil, 200)
	check("PATCH", "/api/v1/webhooks/:id", "/api/v1/webhooks/"+ep["id"].(string), map[string]any{"events": []string{}}, 200)
	d := check("POST", "/api/v1/webhooks/:id/ping", "/api/v1/webhooks/"+ep["id"].(string)+"/ping", nil, 202)
	check("GET", "/api/v1/webhooks/:id/deliveries", "/api/v1/webhooks/"+ep["id"].(string)+"/deliveries", nil, 200)
	check("POST", "/api/v1/webhook-deliveries/:id/replay", "/api/v1/webhook-deliveries/"+d["id"].(string)+"/replay", nil, 201)
	check("GET", "/api/v1/webhook-deliveries/:id", "/api/v1/webhook-deliveries/"+d["id"].(string), nil, 200)
	check("POST", "/api/v1/webhooks/:id/rotate-secret", "/api/v1/webhooks/"+ep["id"].(string)+"/rotate-secret", nil, 200)
	// Answers without a JSON body say so in the document.
	noBody := func(method, route, path string) {
		t.Helper()
		if r := admin.do(method, path, nil); r.status != 204 || r.raw != "" {
			t.Errorf("%s %s: %d %q, want 204 and no body", method, path, r.status, r.raw)
		}
		tmpl := strings.NewReplacer(":id", "{id}").Replace(route)
		op := paths[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
		if _, has := op["responses"].(map[string]any)["2XX"].(map[string]any)["content"]; has {
			t.Errorf("%s %s is documented with a body", method, route)
		}
	}
	noBody("DELETE", "/api/v1/quick-replies/:id", "/api/v1/quick-replies/"+quick["id"].(string))
	noBody("DELETE", "/api/v1/rules/:id", "/api/v1/rules/"+rl["id"].(string))
	noBody("DELETE", "/api/v1/teams/:id", "/api/v1/teams/"+tm["id"].(string))
	stream := paths["/api/v1/stream"].(map[string]any)["get"].(map[string]any)["responses"].(map[string]any)["2XX"].(map[string]any)["content"].(map[string]any)
	if _, ok := stream["text/event-stream"]; !ok {
		t.Errorf("the stream is documented as %v", stream)
	}
	// Every body the handlers decoded is the type the document describes.
	for route, typ := range seen() {
		documented, ok := api.RequestTypes()[route]
		if !ok || reflect.TypeOf(documented) != typ {
			t.Errorf("%s decodes its body into %v, but the document describes %T", route, typ, documented)
		}
		if op := paths[openAPITemplate(route)]; op == nil {
			t.Errorf("%s is not in the document", route)
		}
	}
	if len(seen()) < 25 {
		t.Errorf("only %d request bodies checked", len(seen()))
	}
	t.Logf("%d answers validated against the document, %d request bodies matched to their documented types", checked, len(seen()))
	if checked < 30 {
		t.Errorf("only %d answers checked", checked)
	}
}

// openAPITemplate turns "POST /api/v1/a/:id" into "/api/v1/a/{id}".
func openAPITemplate(route string) string {
	_, path, _ := strings.Cut(route, " ")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if p, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + p + "}"
		}
	}
	return strings.Join(segs, "/")
}
