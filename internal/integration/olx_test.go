package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/olx"
	"github.com/chatspot/chatspot/internal/channels/olx/olxtest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// An OLX PRO account connected by OAuth: activation registers the
// webhook with the channel's secret in its URL; a buyer's message on an
// ad opens a conversation of that ad's chat; requests without the secret
// are refused; the agent's reply reaches the chat and its echo is not
// taken again; OLX's refusal is shown; deactivation removes the webhook.
func TestOLXChat(t *testing.T) {
	fake := olxtest.New("olx-client", "olx-secret")
	defer fake.Close()
	db := storetest.Open(t, "sqlite")
	_, f := seedAPIChannel(t, db)
	s := newStackWith(t, db, stackOptions{Channels: channels.NewRegistry(&olx.Adapter{AuthURL: fake.URL, APIURL: fake.URL}),
		PublicURL: "https://chatspot.example.com"})
	s.srv.BaseURL = s.url
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-olx@example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "olx", "name": "OLX", "settings": map[string]any{
		"client_id": "olx-client", "client_secret": "olx-secret"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	id := ch["id"].(string)
	st, start := admin.call(http.MethodPost, "/api/v1/channels/"+id+"/oauth", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("oauth: %d %v", st, start)
	}
	consent, _ := url.Parse(start["url"].(string))
	if !strings.Contains(consent.Query().Get("scope"), "chat") || consent.Path != "/oauth" {
		t.Fatalf("consent %s", consent)
	}
	fake.AddCode("olx-code")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(s.url + "/oauth/callback?" + url.Values{"code": {"olx-code"}, "state": {consent.Query().Get("state")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "oauth=connected") {
		t.Fatalf("callback: %s", loc)
	}
	eventually(t, 30*time.Second, func() error {
		if fake.Webhook() == "" {
			_, got := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
			return fmt.Errorf("no webhook registered (%v %v)", got["status"], got["activation"])
		}
		return nil
	})
	hook, _ := url.Parse(fake.Webhook())
	if hook.Path != "/hooks/olx/"+id || len(hook.Query().Get("secret")) != 64 {
		t.Fatalf("webhook %s", hook)
	}
	post := func(query string, body []byte) int {
		t.Helper()
		res, err := http.Post(s.url+"/hooks/olx/"+id+query, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	secret := "?secret=" + hook.Query().Get("secret")
	msg := fake.Message("chat-77", "1234567890", "m-1", "buyer", "Ainda está disponível?")
	if st := post("", msg); st != http.StatusUnauthorized {
		t.Errorf("no secret: %d", st)
	}
	if st := post("?secret=wrong", msg); st != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", st)
	}
	if st := post(secret, msg); st != http.StatusOK {
		t.Fatalf("message: %d", st)
	}
	var ident store.ContactIdentity
	eventually(t, 20*time.Second, func() error {
		return db.Where("channel_id = ? AND external_id = ?", id, "chat:chat-77").Take(&ident).Error
	})
	conv := waitConversation(t, db, workflows.ThreadWorkflowID(id, ident.ContactID, olx.ThreadKey("1234567890", "chat-77")), 1)
	_, thread := admin.call(http.MethodGet, "/api/v1/conversations/"+conv.ID+"/thread", nil, nil)
	if thread["kind"] != "ad" || thread["title"] != "Anúncio 1234567890" {
		t.Errorf("thread %v", thread)
	}

	// The agent replies; OLX echoes it back as the seller's.
	st, sent := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "Sim, está!"}, map[string]string{"Idempotency-Key": "olx-1"})
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, sent)
	}
	eventually(t, 20*time.Second, func() error {
		var m store.Message
		db.Take(&m, "id = ?", sent["id"])
		if m.Status != store.MessageSent {
			return fmt.Errorf("reply %s %q", m.Status, m.FailureReason)
		}
		return nil
	})
	if got := fake.Sent(); len(got) != 1 || got[0].ChatID != "chat-77" || got[0].Text != "Sim, está!" || got[0].MessageID != "m-1" {
		t.Errorf("OLX received %+v", got)
	}
	if st := post(secret, fake.Message("chat-77", "1234567890", "m-2", "seller", "Sim, está!")); st != http.StatusOK {
		t.Fatalf("echo: %d", st)
	}
	eventually(t, 10*time.Second, func() error {
		var m store.Message
		db.Take(&m, "id = ?", sent["id"])
		if m.ExternalID == nil || *m.ExternalID != "m-2" {
			return fmt.Errorf("the echo did not find its message: %v", m.ExternalID)
		}
		return nil
	})
	var outbound int64
	db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'outbound'", id).Count(&outbound)
	if outbound != 1 {
		t.Errorf("%d outbound messages, want 1 (the echo is ours)", outbound)
	}

	// Deactivating removes the webhook.
	if st, _ := admin.call(http.MethodPatch, "/api/v1/channels/"+id, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	eventually(t, 20*time.Second, func() error {
		if w := fake.Webhook(); w != "" {
			return fmt.Errorf("webhook still %s", w)
		}
		return nil
	})
}
