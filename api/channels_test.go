package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
)

func TestChannelsCreateConfigureAndRotate(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.srv.BaseURL = "https://app.example.com"
	a := e.tenant(5)
	manager := e.as(a.user("gerente", a.f.Profiles[auth.ProfileManager].ID))

	wc := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "webchat", "name": "Site",
		"settings": map[string]any{"title": "Fale com a Loja", "prechat": map[string]string{"name": "required", "email": "required", "phone": "hidden"}}})
	if wc.status != 201 || !strings.Contains(wc.body["snippet"].(string), `data-channel="`+wc.body["id"].(string)+`"`) ||
		!strings.HasPrefix(wc.body["snippet"].(string), `<script src="https://app.example.com/widget.js"`) {
		t.Fatalf("webchat: %d %s", wc.status, wc.raw)
	}
	if r := manager.do(http.MethodPatch, "/api/v1/channels/"+wc.body["id"].(string), map[string]any{
		"settings": map[string]any{"prechat": map[string]string{"name": "sometimes", "email": "optional", "phone": "optional"}}}); r.status != 422 || r.body["field"] != "settings" {
		t.Errorf("bad pre-chat requirement: %d %s", r.status, r.raw)
	}

	api := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "api", "name": "ERP",
		"settings": map[string]string{"outbound_url": "https://erp.example.com/chatspot", "outbound_secret": "0123456789abcdef-secret"}})
	if api.status != 201 || !strings.HasPrefix(api.body["inbound_token"].(string), "cht_") {
		t.Fatalf("api channel: %d %s", api.status, api.raw)
	}
	id := api.body["id"].(string)
	if strings.Contains(api.raw, "0123456789abcdef-secret") {
		t.Error("the outbound secret was echoed back")
	}
	got := manager.do(http.MethodGet, "/api/v1/channels/"+id, nil)
	if _, shown := got.body["inbound_token"]; shown || strings.Contains(got.raw, "sha256") {
		t.Errorf("reading the channel shows token material: %s", got.raw)
	}
	// Changing the URL keeps the secret the request does not repeat.
	if r := manager.do(http.MethodPatch, "/api/v1/channels/"+id, map[string]any{"settings": map[string]string{"outbound_url": "https://erp2.example.com/hook", "outbound_secret": "********"}}); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	var ch store.Channel
	e.db.Take(&ch, "id = ?", id)
	if strings.Contains(ch.Settings, "0123456789abcdef-secret") || !strings.Contains(ch.Settings, `"outbound_secret":"sealed:v1:`) || !strings.Contains(ch.Settings, "erp2.example.com") {
		t.Errorf("stored settings must keep the secret, sealed: %s", ch.Settings)
	}
	if opened, err := testBox(t).OpenJSON(ch.Settings); err != nil || !strings.Contains(opened, `"outbound_secret":"0123456789abcdef-secret"`) {
		t.Errorf("the sealed secret opens to %s, %v", opened, err)
	}
	rot := manager.do(http.MethodPost, "/api/v1/channels/"+id+"/rotate-token", nil)
	if rot.status != 200 || rot.body["inbound_token"] == api.body["inbound_token"] {
		t.Errorf("rotate: %d %s", rot.status, rot.raw)
	}
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "fax", "name": "Fax"}); r.status != 422 || r.body["field"] != "kind" {
		t.Errorf("a kind that does not exist: %d %s", r.status, r.raw)
	}
	e.db.Model(&store.Account{}).Where("id = ?", a.f.Account.ID).Update("channels", "api")
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "webchat", "name": "Outro"}); r.status != 403 {
		t.Errorf("a kind outside the plan: %d %s", r.status, r.raw)
	}
}

// The channel screen's catalogue: every kind, built or not, with its
// settings form and capabilities; a generic kind's settings are checked
// against its form, its secrets sealed and masked, and key rotation
// re-seals them like the API channel's.
func TestChannelKindsAndGenericSettings(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	manager := e.as(a.user("gerente", a.f.Profiles[auth.ProfileManager].ID))
	r := manager.do(http.MethodGet, "/api/v1/channel-kinds", nil)
	if r.status != 200 {
		t.Fatalf("channel-kinds: %d %s", r.status, r.raw)
	}
	byKind := map[string]map[string]any{}
	for _, it := range r.body["items"].([]any) {
		k := it.(map[string]any)
		byKind[k["kind"].(string)] = k
	}
	if len(byKind) != 12 {
		t.Errorf("%d kinds listed, want all 12", len(byKind))
	}
	tg := byKind["telegram"]
	if tg["available"] != true || tg["activation"] != true || tg["in_plan"] != true {
		t.Errorf("telegram: %v", tg)
	}
	field := tg["settings"].([]any)[0].(map[string]any)
	if field["name"] != "bot_token" || field["type"] != "secret" || field["required"] != true {
		t.Errorf("telegram's form: %v", tg["settings"])
	}
	if w := byKind["whatsapp_official"]; w["available"] != true || w["capabilities"].(map[string]any)["window_seconds"] != float64(86400) {
		t.Errorf("whatsapp_official: %v", w)
	}
	if ig := byKind["instagram"]; ig["available"] != true || ig["oauth"] != true || ig["capabilities"].(map[string]any)["comments"] != true ||
		ig["capabilities"].(map[string]any)["human_agent_window_seconds"] != float64(7*86400) {
		t.Errorf("instagram: %v", ig)
	}
	if li := byKind["linkedin"]; li["available"] != true || li["component"] != "linkedin" || li["capabilities"].(map[string]any)["external_replies"] != true {
		t.Errorf("linkedin: %v", li)
	}
	if sms := byKind["sms"]; sms["available"] != true || sms["capabilities"].(map[string]any)["metered"] != true {
		t.Errorf("sms: %v", sms)
	}
	if byKind["webchat"]["component"] != "webchat" || byKind["api"]["component"] != "api" {
		t.Errorf("bespoke editors: %v %v", byKind["webchat"]["component"], byKind["api"]["component"])
	}

	token := "7000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot",
		"settings": map[string]any{"bot_token": token, "webhook": "x"}}); r.status != 422 || r.body["field"] != "settings.webhook" {
		t.Errorf("an undeclared setting: %d %s", r.status, r.raw)
	}
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot"}); r.status != 422 || r.body["field"] != "settings.bot_token" {
		t.Errorf("a required setting missing: %d %s", r.status, r.raw)
	}
	created := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot", "settings": map[string]any{"bot_token": token}})
	if created.status != 201 || strings.Contains(created.raw, token) || created.body["settings"].(map[string]any)["bot_token"] != "********" {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	id := created.body["id"].(string)
	// Renaming keeps the token the request does not repeat.
	if r := manager.do(http.MethodPatch, "/api/v1/channels/"+id, map[string]any{"name": "Bot da loja", "settings": map[string]any{"bot_token": "********"}}); r.status != 200 {
		t.Fatalf("rename: %d %s", r.status, r.raw)
	}
	var ch store.Channel
	e.db.Take(&ch, "id = ?", id)
	if strings.Contains(ch.Settings, token) || !strings.Contains(ch.Settings, `"bot_token":"sealed:v1:`) {
		t.Errorf("stored: %s", ch.Settings)
	}
	if opened, err := testBox(t).OpenJSON(ch.Settings); err != nil || !strings.Contains(opened, token) {
		t.Errorf("the sealed token opens to %s, %v", opened, err)
	}
	// A token stored in clear by hand is sealed at start.
	e.db.Model(&ch).Update("settings", `{"bot_token":"`+token+`"}`)
	if n, err := e.srv.SealStoredCredentials(t.Context()); err != nil || n != 1 {
		t.Fatalf("sealed %d, %v", n, err)
	}
	e.db.Take(&ch, "id = ?", id)
	if strings.Contains(ch.Settings, token) {
		t.Errorf("still in clear: %s", ch.Settings)
	}
}
