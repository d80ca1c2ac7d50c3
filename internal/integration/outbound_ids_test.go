package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// An integrator's endpoint may answer the same id for every message (a
// constant "ok", a counter of its own). Each send must still go out once
// and be marked sent, and a customer message that happens to carry that
// id later is a new message, not a replay of an outbound one.
func TestIntegratorAnsweringOneIDForEverySend(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testOneIDForEverySend(t, dialect) })
	}
}

func testOneIDForEverySend(t *testing.T, dialect string) {
	a := newAPIChannel(t, dialect)
	prov := newIntegrator(t, "same-id-secret")
	prov.mu.Lock()
	prov.answer = "1"
	prov.mu.Unlock()
	configureOutbound(t, a, prov.url, "same-id-secret")
	u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "ana@same-id.example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	ag := login(t, a.url, u.Email)

	r := a.post(t, a.token, msgJSON("c-1", "5511955554444", "Oi"))
	if r.status != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", r.status, r.body)
	}
	conv := waitConversation(t, a.db, "conversation/"+a.f.Channel.ID+"/"+r.body["contact_id"].(string), 1)
	for i := range 3 {
		if st, m := ag.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": fmt.Sprintf("resposta %d", i)}, nil); st != http.StatusCreated {
			t.Fatalf("send %d: %d %v", i, st, m)
		}
	}
	eventually(t, 20*time.Second, func() error {
		var sent int64
		a.db.Model(&store.Message{}).Where("conversation_id = ? AND direction = ? AND status = ? AND external_id = ?",
			conv.ID, store.DirectionOutbound, store.MessageSent, "1").Count(&sent)
		if calls, got := prov.snapshot(); sent != 3 || len(got) != 3 {
			return fmt.Errorf("%d of 3 marked sent with the integrator's id; integrator: %d calls, %d messages", sent, calls, len(got))
		}
		return nil
	})
	// A retried delivery would show up as a fourth call a second later.
	time.Sleep(1500 * time.Millisecond)
	if calls, _ := prov.snapshot(); calls != 3 {
		t.Errorf("integrator got %d calls for 3 messages", calls)
	}

	r = a.post(t, a.token, msgJSON("1", "5511955554444", "Obrigada!"))
	if r.status != http.StatusAccepted || r.body["duplicate"] == true {
		t.Fatalf("inbound with the id an outbound message got: %d %v, want a new message", r.status, r.body)
	}
	var in int64
	a.db.Model(&store.Message{}).Where("channel_id = ? AND direction = ? AND external_id = ?", a.f.Channel.ID, store.DirectionInbound, "1").Count(&in)
	if in != 1 {
		t.Errorf("%d inbound messages with id 1, want 1", in)
	}
}
