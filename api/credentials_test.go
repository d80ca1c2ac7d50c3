package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
)

func testBox(t *testing.T) *secrets.Box {
	t.Helper()
	b, err := secrets.New(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A webhook's signing secret is shown once and stored sealed; the hint
// still shows its last characters.
func TestWebhookSecretIsSealedAtRest(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin := e.as(e.tenant(5).admin)
	ep := admin.do(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "https://erp.example.com/in", "events": []string{"message.created"}})
	secret, _ := ep.body["secret"].(string)
	if ep.status != 201 || !strings.HasPrefix(secret, "whsec_") || ep.body["secret_hint"] != "…"+secret[len(secret)-4:] {
		t.Fatalf("create: %d %s", ep.status, ep.raw)
	}
	var row store.WebhookEndpoint
	e.db.Take(&row, "id = ?", ep.body["id"])
	if !secrets.IsSealed(row.Secret) || strings.Contains(row.Secret, secret[6:]) {
		t.Fatalf("stored secret %q is not sealed", row.Secret)
	}
	if opened, _ := testBox(t).Open(row.Secret); opened != secret {
		t.Fatalf("opens to %q", opened)
	}
	rot := admin.do(http.MethodPost, "/api/v1/webhooks/"+row.ID+"/rotate-secret", nil)
	e.db.Take(&row, "id = ?", row.ID)
	if opened, _ := testBox(t).Open(row.Secret); rot.status != 200 || opened != rot.body["secret"] || opened == secret {
		t.Fatalf("rotate: %d %s; stored opens to %q", rot.status, rot.raw, opened)
	}
}

// URLs an account configures may not point inside the deployment unless
// the operator allows it.
func TestPrivateURLsAreRefused(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin := e.as(e.tenant(5).admin)
	for _, u := range []string{"http://127.0.0.1:8080/in", "http://localhost/in", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://10.0.0.7/hook"} {
		if r := admin.do(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": u}); r.status != 422 || r.body["field"] != "url" || !strings.Contains(r.raw, "private") {
			t.Errorf("webhook %s: %d %s", u, r.status, r.raw)
		}
		if r := admin.do(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "api", "name": "ERP",
			"settings": map[string]string{"outbound_url": u, "outbound_secret": "0123456789abcdef"}}); r.status != 422 || r.body["field"] != "settings.outbound_url" {
			t.Errorf("channel %s: %d %s", u, r.status, r.raw)
		}
		if r := admin.do(http.MethodPost, "/api/v1/rules", map[string]any{"kind": "automation", "name": "avisa", "event": "message.created",
			"condition": "true", "actions": []map[string]any{{"type": "webhook", "url": u}}}); r.status != 422 || r.body["field"] != "actions[0].url" {
			t.Errorf("rule %s: %d %s", u, r.status, r.raw)
		}
	}
	e.srv.AllowPrivateURLs = true
	if r := admin.do(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:8080/in"}); r.status != 201 {
		t.Errorf("allowed private URL: %d %s", r.status, r.raw)
	}
}

// Credentials written in clear by an earlier version are sealed at start,
// once, and keep working.
func TestSealStoredCredentials(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	ep := store.WebhookEndpoint{ID: store.NewID(), AccountID: a.f.Account.ID, URL: "https://erp.example.com/in", Secret: "whsec_legacy0123", Enabled: true}
	ch := store.Channel{ID: store.NewID(), AccountID: a.f.Account.ID, Kind: "api", Name: "ERP", Active: true,
		Settings: `{"outbound_url":"https://erp.example.com/out","outbound_secret":"legacy-secret-0123456","inbound_token_sha256":"ab"}`}
	if err := e.db.Create(&ep).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Create(&ch).Error; err != nil {
		t.Fatal(err)
	}
	// A third credential was sealed under a key since rotated out.
	oldKey := []byte("an-old-secret-key-rotated-out-0123456789")
	oldBox, _ := secrets.New(oldKey)
	underOld, _ := oldBox.Seal("whsec_before_rotation")
	ep2 := store.WebhookEndpoint{ID: store.NewID(), AccountID: a.f.Account.ID, URL: "https://erp.example.com/in2", Secret: underOld, Enabled: true}
	if err := e.db.Create(&ep2).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.SealStoredCredentials(t.Context()); err == nil || !strings.Contains(err.Error(), "CHATSPOT_SECRET_KEY_PREVIOUS") {
		t.Fatalf("without the previous key the pass must name what it cannot open: %v", err)
	}
	e.srv.PreviousSecretKeys = [][]byte{oldKey}
	n, err := e.srv.SealStoredCredentials(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("sealed %d, %v; want the one left", n, err)
	}
	e.db.Take(&ep2, "id = ?", ep2.ID)
	if got, err := testBox(t).Open(ep2.Secret); err != nil || got != "whsec_before_rotation" {
		t.Errorf("the rotated-out secret must now open with the current key alone: %q, %v", got, err)
	}
	if n, _ := e.srv.SealStoredCredentials(t.Context()); n != 0 {
		t.Fatalf("a second pass sealed %d again", n)
	}
	e.db.Take(&ep, "id = ?", ep.ID)
	e.db.Take(&ch, "id = ?", ch.ID)
	if got, _ := testBox(t).Open(ep.Secret); !secrets.IsSealed(ep.Secret) || got != "whsec_legacy0123" {
		t.Errorf("endpoint secret %q opens to %q", ep.Secret, got)
	}
	st, _ := apichannel.ParseSettings(ch.Settings)
	if got, _ := testBox(t).Open(st.OutboundSecret); !secrets.IsSealed(st.OutboundSecret) || got != "legacy-secret-0123456" || st.InboundTokenSHA256 != "ab" {
		t.Errorf("channel settings %s", ch.Settings)
	}
}
