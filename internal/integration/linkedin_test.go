package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chatspot/chatspot/extension"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// bearer calls the API as the extension does: a token, no session.
func bearer(t *testing.T, base, token, method, path string, body any, header map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]any{}
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &out)
	return res.StatusCode, out, res.Header
}

// The LinkedIn door: an admin creates the channel (a CRM stage for
// opportunities); an agent makes the extension's token; a capture of a
// conversation creates the contact, the conversation with its profile
// card, both sides' messages and the card; capturing again appends only
// what is new and keeps the one card; replies cannot be sent from here;
// the channel shows when the first capture arrived. The account has no
// API module: the extension's token works anyway.
func TestLinkedInCapture(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	_, f := seedAPIChannel(t, db)
	db.Model(&store.Account{}).Where("id = ?", f.Account.ID).Update("modules", "crm")
	s := newStackWith(t, db, stackOptions{})
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-li@example.com", Name: "Ana Vendas",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	st, p := admin.call(http.MethodPost, "/api/v1/pipelines", map[string]any{"name": "Prospecção", "stages": []string{"Lead", "Reunião"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("pipeline: %d %v", st, p)
	}
	stage := p["stages"].([]any)[0].(map[string]any)["id"].(string)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "linkedin", "name": "LinkedIn",
		"settings": map[string]any{"pipeline_id": p["id"], "stage_id": stage}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("channel: %d %v", st, ch)
	}
	id := ch["id"].(string)
	if ch["extension_id"] != extension.LinkedInID() || ch["extension_url"] == "" || ch["first_capture_at"] != nil {
		t.Errorf("channel %v", ch)
	}
	res, err := http.Get(s.url + "/downloads/chatspot-linkedin.zip")
	if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("extension download: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	st, tok := admin.call(http.MethodPost, "/api/v1/linkedin/token", nil, nil)
	if st != http.StatusCreated || tok["token"] == "" {
		t.Fatalf("token: %d %v", st, tok)
	}
	token := tok["token"].(string)
	origin := map[string]string{"Origin": "chrome-extension://" + extension.LinkedInID()}

	inboundBefore := testutil.ToFloat64(metrics.Inbound.WithLabelValues("linkedin"))
	capturesBefore := testutil.ToFloat64(metrics.HTTPRequests.WithLabelValues("/api/v1/linkedin/captures", "POST", "OK"))
	capture := map[string]any{
		"profile": map[string]any{"url": "https://br.linkedin.com/in/Joana-Prado-42/?miniProfileUrn=x", "name": "Joana Prado",
			"headline": "Gerente de Compras", "company": "Metalúrgica Prado"},
		"messages": []map[string]any{
			{"from": "me", "text": "Olá Joana, vi que vocês estão ampliando a fábrica.", "at": "2026-12-01T13:00:00Z"},
			{"from": "contact", "text": "Oi! Sim, queremos cotar embalagens.", "at": "2026-12-01T14:05:00Z"},
		},
		"create_card": true}
	st, out, hdr := bearer(t, s.url, token, http.MethodPost, "/api/v1/linkedin/captures", capture, origin)
	if st != http.StatusOK || out["new_messages"] != 2.0 || out["card_created"] != true || out["conversation_id"] == nil {
		t.Fatalf("capture: %d %v", st, out)
	}
	if hdr.Get("Access-Control-Allow-Origin") != origin["Origin"] {
		t.Errorf("CORS for the extension: %q", hdr.Get("Access-Control-Allow-Origin"))
	}
	convID := out["conversation_id"].(string)
	var ident store.ContactIdentity
	db.Where("channel_id = ?", id).Take(&ident)
	if ident.ExternalID != "https://www.linkedin.com/in/joana-prado-42" {
		t.Errorf("identity %q", ident.ExternalID)
	}
	var msgs []store.Message
	eventually(t, 10*time.Second, func() error {
		db.Where("conversation_id = ?", convID).Order("created_at").Find(&msgs)
		if len(msgs) != 2 {
			return fmt.Errorf("%d messages in the conversation", len(msgs))
		}
		return nil
	})
	if msgs[0].Direction != store.DirectionOutbound || msgs[0].Status != store.MessageSent || msgs[1].Direction != store.DirectionInbound {
		t.Errorf("messages %+v", msgs)
	}
	_, thread := admin.call(http.MethodGet, "/api/v1/conversations/"+convID+"/thread", nil, nil)
	if thread["kind"] != "profile" || thread["title"] != "Joana Prado" || thread["caption"] != "Gerente de Compras · Metalúrgica Prado" ||
		thread["link"] != "https://www.linkedin.com/in/joana-prado-42" {
		t.Errorf("thread %v", thread)
	}
	var card store.Card
	if err := db.Take(&card, "id = ?", out["card_id"]).Error; err != nil || card.StageID != stage || card.Title != "Joana Prado" {
		t.Fatalf("card %+v %v", card, err)
	}

	// Captured again with one more message: only it is stored; the card stays one.
	capture["messages"] = append(capture["messages"].([]map[string]any), map[string]any{"from": "contact", "text": "Pode me ligar amanhã?", "at": "2026-12-02T09:00:00Z"})
	st, out, _ = bearer(t, s.url, token, http.MethodPost, "/api/v1/linkedin/captures", capture, nil)
	if st != http.StatusOK || out["new_messages"] != 1.0 || out["known_messages"] != 2.0 || out["card_created"] != false || out["card_id"] != card.ID {
		t.Fatalf("second capture: %d %v", st, out)
	}
	// Metrics: the contact's messages counted as inbound, the requests by route.
	if got := testutil.ToFloat64(metrics.Inbound.WithLabelValues("linkedin")) - inboundBefore; got != 2 {
		t.Errorf("%v inbound messages counted, want 2 (the contact's; the person's are the business's)", got)
	}
	if got := testutil.ToFloat64(metrics.HTTPRequests.WithLabelValues("/api/v1/linkedin/captures", "POST", "OK")) - capturesBefore; got != 2 {
		t.Errorf("%v captures counted by route, want 2", got)
	}
	var cards int64
	db.Model(&store.Card{}).Where("account_id = ?", f.Account.ID).Count(&cards)
	if cards != 1 {
		t.Errorf("%d cards, want 1", cards)
	}

	// Someone who has not answered yet: the person's message waits for a
	// capture with the contact's answer, and a contact exists meanwhile.
	only := map[string]any{"profile": map[string]any{"url": "https://www.linkedin.com/in/carlos-lima", "name": "Carlos Lima"},
		"messages": []map[string]any{{"from": "me", "text": "Oi Carlos, tudo bem?"}}}
	if st, r, _ := bearer(t, s.url, token, http.MethodPost, "/api/v1/linkedin/captures", only, nil); st != http.StatusOK || r["new_messages"] != 0.0 || r["contact_id"] == "" || r["conversation_id"] != nil {
		t.Errorf("only the person wrote: %d %v", st, r)
	}
	only["messages"] = append(only["messages"].([]map[string]any), map[string]any{"from": "contact", "text": "Tudo ótimo!"})
	if st, r, _ := bearer(t, s.url, token, http.MethodPost, "/api/v1/linkedin/captures", only, nil); st != http.StatusOK || r["new_messages"] != 2.0 || r["conversation_id"] == nil {
		t.Errorf("after the contact answered: %d %v", st, r)
	}

	// Replies are written in LinkedIn; notes are fine.
	if st, r := admin.call(http.MethodPost, "/api/v1/conversations/"+convID+"/messages", map[string]any{"body": "Claro!"}, nil); st != http.StatusUnprocessableEntity || r["field"] != "body" {
		t.Errorf("a reply from CHATSPOT: %d %v", st, r)
	}
	if st, r := admin.call(http.MethodPost, "/api/v1/conversations/"+convID+"/messages", map[string]any{"body": "Ligar às 10h", "kind": "note"}, nil); st != http.StatusCreated {
		t.Errorf("a note: %d %v", st, r)
	}

	// Bad captures are refused and store nothing.
	for _, bad := range []map[string]any{
		{"profile": map[string]any{"url": "https://www.linkedin.com/company/acme", "name": "Acme"}},
		{"profile": map[string]any{"url": "https://evil.example/in/joana", "name": "Joana"}},
		{"profile": map[string]any{"url": "https://www.linkedin.com/in/joana-prado-42", "name": ""}},
		{"profile": map[string]any{"url": "https://www.linkedin.com/in/joana-prado-42", "name": "J"}, "messages": []map[string]any{{"from": "bot", "text": "x"}}},
	} {
		if st, r, _ := bearer(t, s.url, token, http.MethodPost, "/api/v1/linkedin/captures", bad, nil); st != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %v", bad, st, r)
		}
	}
	if st, _, _ := bearer(t, s.url, "", http.MethodPost, "/api/v1/linkedin/captures", capture, nil); st != http.StatusUnauthorized {
		t.Errorf("no token: %d", st)
	}
	// The API module stays off for everything else.
	if st, _, _ := bearer(t, s.url, token, http.MethodGet, "/api/v1/conversations", nil, nil); st != http.StatusForbidden {
		t.Errorf("the extension's token outside captures: %d", st)
	}
	// The preflight of the extension's service worker.
	req, _ := http.NewRequest(http.MethodOptions, s.url+"/api/v1/linkedin/captures", nil)
	req.Header.Set("Origin", origin["Origin"])
	req.Header.Set("Access-Control-Request-Method", "POST")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight: %v %v", res, err)
	}

	_, ch = admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
	if ch["first_capture_at"] == nil || ch["status"] != store.ChannelConnected {
		t.Errorf("after the captures: %v", ch)
	}
}
