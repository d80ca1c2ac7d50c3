package workflows_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// integrator is a local server speaking the API channel's outbound format:
// it verifies the signature and records each delivery by Idempotency-Key.
type integrator struct {
	mu       sync.Mutex
	secret   string
	calls    int
	received map[string]apichannel.OutboundPayload
	refuse   bool // answer 400, a permanent refusal
}

func newIntegrator(t *testing.T, secret string) (*integrator, string) {
	in := &integrator{secret: secret, received: map[string]apichannel.OutboundPayload{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(apichannel.HeaderTimestamp), 10, 64)
		if r.Header.Get(apichannel.HeaderSignature) != apichannel.Sign(secret, ts, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		in.mu.Lock()
		defer in.mu.Unlock()
		in.calls++
		if in.refuse {
			http.Error(w, "unknown recipient", http.StatusBadRequest)
			return
		}
		var p apichannel.OutboundPayload
		_ = json.Unmarshal(body, &p)
		in.received[r.Header.Get("Idempotency-Key")] = p
		w.Write([]byte(`{"id":"prov-` + p.MessageID + `"}`))
	}))
	t.Cleanup(srv.Close)
	return in, srv.URL
}

// withSettings sets the fixture channel's kind and settings.
func (cf *convFixture) withChannel(t *testing.T, kind string, settings map[string]string) {
	raw, _ := json.Marshal(settings)
	if err := cf.db.Model(&cf.f.Channel).Updates(map[string]any{"kind": kind, "settings": string(raw)}).Error; err != nil {
		t.Fatal(err)
	}
	ident := store.ContactIdentity{ID: store.NewID(), AccountID: cf.f.Account.ID, ContactID: cf.contact.ID, ChannelID: cf.f.Channel.ID, ExternalID: "cust-1"}
	cf.db.Create(&ident)
}

func (cf *convFixture) inboundAt(t *testing.T, text string, at time.Time) string {
	id := cf.inbound(t, text)
	cf.db.Model(&store.Message{}).Where("id = ?", id).Update("created_at", at.UTC())
	return id
}

func TestSendOutsideServiceWindowIsRefused(t *testing.T) {
	cf := newConvFixture(t)
	cf.withChannel(t, channels.KindWhatsAppOfficial, nil)
	env := newEnv(t, cf.db)
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	old := cf.inboundAt(t, "mensagem de ontem", start.Add(-25*time.Hour))
	var text, note, fresh updateResult
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: old})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateSend, "1", text.callbacks(), workflows.SendRequest{Body: "Oi", IdempotencyKey: "k1"})
		env.UpdateWorkflow(workflows.UpdateSend, "2", note.callbacks(), workflows.SendRequest{Body: "cliente sumiu", Note: true, IdempotencyKey: "k2"})
	}, 2*time.Second)
	env.RegisterDelayedCallback(func() {
		recent := cf.inboundAt(t, "voltei", start.Add(3*time.Second))
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: recent})
	}, 3*time.Second)
	env.RegisterDelayedCallback(func() {
		// The window reopened with the customer's new message; there is no
		// token on this WhatsApp channel, so the message is stored and then fails.
		env.UpdateWorkflow(workflows.UpdateSend, "3", fresh.callbacks(), workflows.SendRequest{Body: "Olá de novo", IdempotencyKey: "k3"})
	}, 4*time.Second)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateClose, "c", (&updateResult{}).callbacks(), workflows.CloseRequest{})
	}, 5*time.Second)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())

	if text.err == nil || !strings.Contains(text.err.Error(), channels.WindowClosedReason) {
		t.Errorf("free text 25 h after the customer wrote: %v, want %q", text.err, channels.WindowClosedReason)
	}
	if note.err != nil {
		t.Errorf("a private note was refused: %v", note.err)
	}
	if fresh.err != nil {
		t.Errorf("free text inside the reopened window was refused: %v", fresh.err)
	}
	var msgs []store.Message
	cf.db.Where("direction = ?", store.DirectionOutbound).Order("created_at").Find(&msgs)
	if len(msgs) != 2 || msgs[0].Kind != store.KindNote || msgs[1].Status != store.MessageFailed || !strings.Contains(msgs[1].FailureReason, "no access token") {
		t.Errorf("outbound messages %+v, want the note and a failed text naming the missing token", msgs)
	}
}

func TestAgentMessageIsDeliveredOnceAndFailuresAreRetried(t *testing.T) {
	cf := newConvFixture(t)
	prov, url := newIntegrator(t, "s3cret")
	cf.withChannel(t, channels.KindAPI, map[string]string{"outbound_url": url, "outbound_secret": "s3cret"})
	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "Quanto custa?")
	var first, same, failing, retry updateResult
	var ids [3]string
	capture := func(u *updateResult, i int) *updateResultCallbacks {
		return &updateResultCallbacks{u: u, id: &ids[i]}
	}
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateSend, "a", capture(&first, 0).cb(), workflows.SendRequest{UserID: "", Body: "R$ 10", IdempotencyKey: "same"})
		env.UpdateWorkflow(workflows.UpdateSend, "b", capture(&same, 1).cb(), workflows.SendRequest{Body: "R$ 10", IdempotencyKey: "same"})
	}, 2*time.Second)
	env.RegisterDelayedCallback(func() {
		prov.mu.Lock()
		prov.refuse = true
		prov.mu.Unlock()
		env.UpdateWorkflow(workflows.UpdateSend, "c", capture(&failing, 2).cb(), workflows.SendRequest{Body: "frete grátis", IdempotencyKey: "other"})
	}, 3*time.Second)
	env.RegisterDelayedCallback(func() {
		prov.mu.Lock()
		prov.refuse = false
		prov.mu.Unlock()
		env.UpdateWorkflow(workflows.UpdateRetry, "d", retry.callbacks(), workflows.RetryRequest{MessageID: ids[2]})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateClose, "e", (&updateResult{}).callbacks(), workflows.CloseRequest{})
	}, 2*time.Hour)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())

	for _, u := range []*updateResult{&first, &same, &failing, &retry} {
		if u.err != nil {
			t.Fatalf("update failed: %v", u.err)
		}
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("the same idempotency key gave messages %q and %q, want one", ids[0], ids[1])
	}
	var sent store.Message
	cf.db.Take(&sent, "id = ?", ids[0])
	if sent.Status != store.MessageSent || sent.ExternalID == nil || *sent.ExternalID != "prov-"+ids[0] {
		t.Errorf("delivered message %+v, want sent with the provider's id", sent)
	}
	var conv store.Conversation
	cf.db.Take(&conv)
	if conv.FirstResponseAt == nil {
		t.Error("first response time not recorded")
	}
	var retried store.Message
	cf.db.Take(&retried, "id = ?", ids[2])
	if retried.Status != store.MessageSent || retried.FailureReason != "" {
		t.Errorf("retried message %+v, want sent after the agent's retry", retried)
	}
	prov.mu.Lock()
	defer prov.mu.Unlock()
	if len(prov.received) != 2 || prov.received[ids[0]].To != "cust-1" || prov.received[ids[0]].Text != "R$ 10" {
		t.Errorf("provider received %+v, want each message once, addressed to the contact", prov.received)
	}
	if prov.calls != 3 { // R$ 10, the refused one, its retry
		t.Errorf("provider called %d times, want 3: a refusal (400) must not be retried automatically", prov.calls)
	}
}

// updateResultCallbacks also captures the send result's message id.
type updateResultCallbacks struct {
	u  *updateResult
	id *string
}

func (c *updateResultCallbacks) cb() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject: func(err error) { c.u.err = err },
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			c.u.err = err
			if r, ok := v.(workflows.SendResult); ok {
				*c.id = r.MessageID
			}
		},
	}
}

func TestInactivityAutoCloseSLAAndSnooze(t *testing.T) {
	cf := newConvFixture(t)
	cf.withChannel(t, channels.KindAPI, map[string]string{"auto_close_after": "24h", "first_response_sla": "15m"})
	env := newEnv(t, cf.db)
	m1 := cf.inbound(t, "Olá")
	var snooze updateResult
	var stateAt20m, stateAfterSnooze workflows.ConversationState
	query := func(into *workflows.ConversationState) {
		v, err := env.QueryWorkflow(workflows.QueryState)
		if err == nil {
			err = v.Get(into)
		}
		if err != nil {
			t.Error(err)
		}
	}
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalInbound, workflows.InboundSignal{MessageID: m1})
	}, time.Second)
	env.RegisterDelayedCallback(func() { query(&stateAt20m) }, 20*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateSnooze, "s", snooze.callbacks(), workflows.SnoozeRequest{Until: env.Now().Add(2 * time.Hour)})
	}, 30*time.Minute)
	env.RegisterDelayedCallback(func() { query(&stateAfterSnooze) }, 3*time.Hour)
	env.ExecuteWorkflow(workflows.Conversation, cf.input())

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("an idle ticket should close and end its run: %v", err)
	}
	if !stateAt20m.SLABreached {
		t.Error("no first-response SLA breach 20 minutes after an unanswered message")
	}
	if snooze.err != nil {
		t.Fatalf("snooze: %v", snooze.err)
	}
	// Still open 3 h in: the 24 h inactivity timer had not fired.
	if stateAfterSnooze.Status != store.StatusOpen {
		t.Errorf("status after the snooze ended = %q, want open", stateAfterSnooze.Status)
	}
	var conv store.Conversation
	cf.db.Take(&conv)
	if conv.Status != store.StatusClosed || conv.SLABreachedAt == nil {
		t.Errorf("ticket %+v, want closed by inactivity with the SLA breach recorded", conv)
	}
}
