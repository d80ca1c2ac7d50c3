package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud/graphtest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

const (
	waPhoneID   = "106540352242922"
	waWABA      = "102290129340398"
	waToken     = "EAAJB-integration-token"
	waAppSecret = "meta-app-secret-0123456789abcdef"
)

// WhatsApp Official against a local Graph API: activation checks the
// number and points the WABA's webhooks at the channel; a signed message
// reaches the inbox once (Meta's duplicate delivery stored once); the
// agent's reply goes out with our id; statuses move it forward and never
// back, record the pricing, and find the message by our id when the send's
// answer was lost; a failed status shows Meta's reason.
func TestWhatsAppOfficialEndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testWhatsAppOfficial(t, dialect) })
	}
}

// waStack is the app with a WhatsApp Official channel activated against a
// local Graph API.
type waStack struct {
	*stack
	graph  *graphtest.Server
	f      storetest.Fixture
	admin  *agent
	id     string // the channel
	verify string // its webhook verify token
	hook   string
}

func newWhatsAppOfficial(t *testing.T, dialect string, prepare func(*graphtest.Server)) *waStack {
	t.Helper()
	graph := graphtest.New("v25.0", waPhoneID, waWABA, waToken)
	t.Cleanup(graph.Close)
	if prepare != nil {
		prepare(graph)
	}
	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	reg := kinds.Registry(kinds.Config{AllowPrivateURLs: true, MetaGraphURL: graph.URL, MetaGraphVersion: "v25.0"})
	s := newStackWith(t, db, stackOptions{Channels: reg, PublicURL: "https://chatspot.example.com"})
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "wa@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "whatsapp_official", "name": "WhatsApp Loja",
		"settings": map[string]any{"phone_number_id": waPhoneID, "waba_id": waWABA, "access_token": waToken, "app_secret": waAppSecret}}, nil)
	if st != http.StatusCreated || strings.Contains(fmt.Sprint(ch), waToken) || strings.Contains(fmt.Sprint(ch), waAppSecret) {
		t.Fatalf("create: %d %v", st, ch)
	}
	w := &waStack{stack: s, graph: graph, f: f, admin: admin, id: ch["id"].(string), verify: ch["settings"].(map[string]any)["verify_token"].(string)}
	w.hook = s.url + "/hooks/whatsapp_official/" + w.id
	eventually(t, 20*time.Second, func() error {
		_, ch = admin.call(http.MethodGet, "/api/v1/channels/"+w.id, nil, nil)
		if ch["status"] != store.ChannelConnected {
			return fmt.Errorf("status %v %v", ch["status"], ch["activation"])
		}
		return nil
	})
	return w
}

// post delivers a webhook of the WABA with one change of field, signed
// with the app secret or not, and answers the status.
func (w *waStack) post(t *testing.T, field string, value map[string]any, signed bool) int {
	t.Helper()
	if field == "messages" {
		value["messaging_product"] = "whatsapp"
		value["metadata"] = map[string]any{"display_phone_number": "551140001234", "phone_number_id": waPhoneID}
	}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": waWABA,
		"changes": []any{map[string]any{"field": field, "value": value}}}}})
	req, _ := http.NewRequest(http.MethodPost, w.hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signed {
		req.Header.Set(meta.HeaderSignature, meta.Sign(waAppSecret, body))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func testWhatsAppOfficial(t *testing.T, dialect string) {
	w := newWhatsAppOfficial(t, dialect, nil)
	graph, db, admin, id, f, verify, hook := w.graph, w.db, w.admin, w.id, w.f, w.verify, w.hook
	_, ch := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
	if sub := graph.Subscribed(); sub["override_callback_uri"] != "https://chatspot.example.com/hooks/whatsapp_official/"+id || sub["verify_token"] != verify {
		t.Errorf("subscribed_apps: %v", sub)
	}
	if ch["settings"].(map[string]any)["display_phone_number"] != "+55 11 4000-1234" {
		t.Errorf("settings: %v", ch["settings"])
	}

	// Meta's verification request.
	res, err := http.Get(hook + "?" + url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"8844"}, "hub.verify_token": {verify}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var challenge bytes.Buffer
	_, _ = challenge.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || challenge.String() != "8844" {
		t.Errorf("verification: %d %q", res.StatusCode, challenge.String())
	}
	post := func(value map[string]any, signed bool) int { return w.post(t, "messages", value, signed) }
	inbound := map[string]any{"contacts": []any{map[string]any{"profile": map[string]any{"name": "Carla Souza"}, "wa_id": "5511999990001"}},
		"messages": []any{map[string]any{"from": "5511999990001", "id": "wamid.in-1", "timestamp": fmt.Sprint(time.Now().Unix()), "type": "text",
			"text": map[string]any{"body": "Vocês têm o tênis 38?"}}}}
	if st := post(inbound, false); st != http.StatusUnauthorized {
		t.Errorf("unsigned delivery: %d", st)
	}
	for range 2 { // Meta delivers twice
		if st := post(inbound, true); st != http.StatusOK {
			t.Fatalf("delivery: %d", st)
		}
	}
	var ident store.ContactIdentity
	eventually(t, 15*time.Second, func() error {
		return db.Where("channel_id = ? AND external_id = ?", id, "5511999990001").Take(&ident).Error
	})
	conv := waitConversation(t, db, workflows.ConversationWorkflowID(id, ident.ContactID), 1)
	var contact store.Contact
	db.Take(&contact, "id = ?", ident.ContactID)
	if contact.Name != "Carla Souza" || contact.Phone != "+5511999990001" {
		t.Errorf("contact: %+v", contact)
	}

	// The agent opens the conversation: the customer sees the blue ticks.
	if st, _ := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/read", nil, nil); st != http.StatusNoContent {
		t.Fatalf("read: %d", st)
	}
	eventually(t, 15*time.Second, func() error {
		if r := graph.Reads(); len(r) != 1 || r[0] != "wamid.in-1" {
			return fmt.Errorf("marked read %v", r)
		}
		return nil
	})

	// The agent answers inside the window.
	st, msg := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "Temos sim!"}, map[string]string{"Idempotency-Key": "wa-1"})
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, msg)
	}
	msgID := msg["id"].(string)
	var sent store.Message
	eventually(t, 20*time.Second, func() error {
		db.Take(&sent, "id = ?", msgID)
		if sent.Status != store.MessageSent || sent.ExternalID == nil {
			return fmt.Errorf("message %s %q", sent.Status, sent.FailureReason)
		}
		return nil
	})
	out := graph.Sent()
	if len(out) != 1 || out[0].Body["biz_opaque_callback_data"] != msgID || out[0].Body["to"] != "5511999990001" || *sent.ExternalID != out[0].ID {
		t.Fatalf("Graph API got %+v; stored external id %v", out, *sent.ExternalID)
	}
	status := func(wamid, ourID, state string, extra map[string]any) map[string]any {
		st := map[string]any{"id": wamid, "status": state, "timestamp": fmt.Sprint(time.Now().Unix()), "recipient_id": "5511999990001", "biz_opaque_callback_data": ourID}
		for k, v := range extra {
			st[k] = v
		}
		return map[string]any{"statuses": []any{st}}
	}
	// Read arrives before delivered (Meta's order is not guaranteed).
	post(status(out[0].ID, msgID, "read", nil), true)
	post(status(out[0].ID, msgID, "delivered", map[string]any{"pricing": map[string]any{"pricing_model": "PMP", "type": "free_customer_service", "category": "service"}}), true)
	eventually(t, 10*time.Second, func() error {
		db.Take(&sent, "id = ?", msgID)
		if sent.Status != store.MessageRead || sent.PricingType != "free_customer_service" || sent.PricingCategory != "service" {
			return fmt.Errorf("message %s pricing %q/%q", sent.Status, sent.PricingType, sent.PricingCategory)
		}
		return nil
	})

	// A message whose send's answer was lost (no provider id stored) is
	// found by our id, which gets the provider's.
	lost := store.Message{ID: store.NewID(), AccountID: f.Account.ID, ChannelID: id, ContactID: ident.ContactID, ConversationID: &conv.ID,
		Direction: store.DirectionOutbound, Kind: store.KindText, Body: "perdida", Status: store.MessageQueued}
	db.Create(&lost)
	post(status("wamid.lost-answer", lost.ID, "failed", map[string]any{"errors": []any{map[string]any{"code": 131047, "title": "Re-engagement message",
		"error_data": map[string]any{"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}}}), true)
	eventually(t, 10*time.Second, func() error {
		db.Take(&lost, "id = ?", lost.ID)
		if lost.Status != store.MessageFailed || lost.ExternalID == nil || *lost.ExternalID != "wamid.lost-answer" || !strings.Contains(lost.FailureReason, "131047") {
			return fmt.Errorf("lost-answer message: %s %v %q", lost.Status, lost.ExternalID, lost.FailureReason)
		}
		return nil
	})
}
