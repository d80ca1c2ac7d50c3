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
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "whatsapp", "name": "Zap"}); r.status != 422 || r.body["field"] != "kind" {
		t.Errorf("a kind not built yet: %d %s", r.status, r.raw)
	}
	e.db.Model(&store.Account{}).Where("id = ?", a.f.Account.ID).Update("channels", "api")
	if r := manager.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "webchat", "name": "Outro"}); r.status != 403 {
		t.Errorf("a kind outside the plan: %d %s", r.status, r.raw)
	}
}
