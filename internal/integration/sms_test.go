package integration

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/billing/mercadopago"
	"github.com/chatspot/chatspot/internal/billing/mercadopago/mptest"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/sms"
	"github.com/chatspot/chatspot/internal/channels/sms/smstest"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// SMS with a prepaid balance, on both databases: an SMS channel waits for
// the account's first recharge; a recharge by Pix is paid once and
// notified three times and credited once, and activates the channel; 50
// concurrent sends against a balance for 20 send exactly 20; a failed
// delivery refunds; the provider's segment count wins; Zenvia and Twilio
// webhooks are verified.
func TestSMSPrepaid(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			if dialect == "postgres" && storetest.PostgresDSN() == "" {
				t.Skip("CHATSPOT_TEST_POSTGRES not set")
			}
			testSMSPrepaid(t, storetest.Open(t, dialect))
		})
	}
}

const smsPublic = "https://chatspot.example.com"

func testSMSPrepaid(t *testing.T, db *gorm.DB) {
	fake := smstest.New()
	defer fake.Close()
	mp := mptest.New("mp-token", "mp-secret")
	defer mp.Close()
	pix := &mercadopago.Client{APIURL: mp.URL, AccessToken: "mp-token", WebhookSecret: "mp-secret"}
	// R$ 5,00 a segment: the first recharge of R$ 100,00 pays for 20.
	reg := channels.NewRegistry(&sms.Adapter{ZenviaURL: fake.URL, TwilioURL: fake.URL, SegmentCents: 500})
	_, f := seedAPIChannel(t, db)
	s := newStackWith(t, db, stackOptions{Channels: reg, PublicURL: smsPublic, Pix: pix})
	s.srv.BaseURL = s.url
	fake.Rewrite = func(u string) string { return strings.Replace(u, smsPublic, s.url, 1) }
	mp.Rewrite = fake.Rewrite
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-sms@example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	// Rules send SMS too, charged the same way (created before any message:
	// a new rule applies within seconds).
	rule := map[string]any{"kind": "automation", "name": "Horário por SMS", "event": "message.created",
		"condition": `message.text contains "horário"`,
		"actions":   []map[string]any{{"type": "send_message", "text": "Atendemos das 9h às 18h."}}}
	if st, r := admin.call(http.MethodPost, "/api/v1/rules", rule, nil); st != http.StatusCreated {
		t.Fatalf("rule: %d %v", st, r)
	}
	balance := func() int64 {
		t.Helper()
		_, b := admin.call(http.MethodGet, "/api/v1/billing", nil, nil)
		return int64(b["balance_cents"].(float64))
	}

	// A Twilio channel waits for the first recharge.
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "sms", "name": "SMS", "settings": map[string]any{
		"provider": "twilio", "from": "+55 (11) 95555-0000", "account_sid": fake.TwilioSID, "token": fake.TwilioToken}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	id := ch["id"].(string)
	eventually(t, 20*time.Second, func() error {
		_, got := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
		if !strings.Contains(fmt.Sprint(got["activation"]), "primeira recarga") {
			return fmt.Errorf("activation %v", got["activation"])
		}
		return nil
	})
	if fake.SMSURL() != "" {
		t.Fatalf("webhook registered before the recharge: %s", fake.SMSURL())
	}

	// A recharge below the minimum is refused; one of R$ 100,00 shows its QR code.
	if st, p := admin.call(http.MethodPost, "/api/v1/billing/recharges", map[string]any{"amount_cents": 9999, "payer_email": u.Email}, nil); st != http.StatusUnprocessableEntity || p["field"] != "amount_cents" {
		t.Errorf("R$ 99,99: %d %v", st, p)
	}
	if st, p := admin.call(http.MethodPost, "/api/v1/billing/recharges", map[string]any{"amount_cents": 10000, "payer_email": u.Email, "payer_document": "111.111.111-11"}, nil); st != http.StatusUnprocessableEntity || p["field"] != "payer_document" {
		t.Errorf("bad CPF: %d %v", st, p)
	}
	st, rc := admin.call(http.MethodPost, "/api/v1/billing/recharges", map[string]any{"amount_cents": 10000, "payer_email": u.Email, "payer_document": "529.982.247-25"}, nil)
	if st != http.StatusCreated {
		t.Fatalf("recharge: %d %v", st, rc)
	}
	rid := rc["id"].(string)
	eventually(t, 20*time.Second, func() error {
		_, rc = admin.call(http.MethodGet, "/api/v1/billing/recharges/"+rid, nil, nil)
		if rc["status"] != billing.RechargePending || !strings.HasPrefix(rc["qr_code"].(string), "000201") || rc["qr_code_base64"] == "" {
			return fmt.Errorf("recharge %v", rc)
		}
		return nil
	})
	if balance() != 0 {
		t.Fatal("credited before payment")
	}

	// Paid once, notified three times (one forged): credited once.
	pid, err := mp.Pay(rid)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := mp.Notify(pid, "wrong-secret"); st != http.StatusUnauthorized {
		t.Errorf("forged notification: %d", st)
	}
	for range 3 {
		if st, err := mp.Notify(pid, "mp-secret"); err != nil || st != http.StatusOK {
			t.Fatalf("notify: %d %v", st, err)
		}
	}
	eventually(t, 20*time.Second, func() error {
		if _, rc = admin.call(http.MethodGet, "/api/v1/billing/recharges/"+rid, nil, nil); rc["status"] != billing.RechargeApproved {
			return fmt.Errorf("recharge %v", rc["status"])
		}
		return nil
	})
	if b := balance(); b != 10000 {
		t.Fatalf("balance %d after the recharge, want 10000", b)
	}
	var credits int64
	db.Model(&billing.Entry{}).Where("recharge_id = ?", rid).Count(&credits)
	if credits != 1 || mp.Creates() != 1 {
		t.Fatalf("%d credits, %d payments created; want 1 and 1", credits, mp.Creates())
	}

	// The credit activates the channel: Twilio sends its inbound SMS to us.
	eventually(t, 30*time.Second, func() error {
		if fake.SMSURL() != smsPublic+"/hooks/sms/"+id {
			_, got := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
			return fmt.Errorf("sms url %q (%v)", fake.SMSURL(), got["activation"])
		}
		return nil
	})

	if err := s.tc.GetWorkflow(t.Context(), workflows.RechargeWorkflowID(rid), "").Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(t.Name(), "sqlite") {
		saveHistory(t, s.tc, workflows.RechargeWorkflowID(rid), "", "recharge-approved.json")
	}

	// Five customers write; a forged request is refused.
	if st, _ := fake.TwilioInbound("SMforged", "+5511988880000", "oi", ""); st != http.StatusUnauthorized {
		t.Errorf("unsigned inbound: %d", st)
	}
	var convs []store.Conversation
	for i := range 5 {
		from := fmt.Sprintf("+551198888000%d", i)
		if st, err := fake.TwilioInbound(fmt.Sprintf("SMin%d", i), from, "Olá, quero saber do meu pedido", fake.TwilioToken); err != nil || st != http.StatusOK {
			t.Fatalf("inbound: %d %v", st, err)
		}
		var ident store.ContactIdentity
		eventually(t, 20*time.Second, func() error {
			return db.Where("channel_id = ? AND external_id = ?", id, from).Take(&ident).Error
		})
		convs = append(convs, waitConversation(t, db, workflows.ConversationWorkflowID(id, ident.ContactID), 1))
	}

	// The composer's price: 1 segment GSM-7, 2 UCS-2 for 71 accented characters.
	_, q := admin.call(http.MethodPost, "/api/v1/conversations/"+convs[0].ID+"/quote", map[string]any{"text": strings.Repeat("ã", 71)}, nil)
	if q["metered"] != true || q["units"] != 2.0 || q["encoding"] != sms.UCS2 || q["cents"] != 1000.0 || q["balance_cents"] != 10000.0 {
		t.Errorf("quote %v", q)
	}

	sentBefore := testutil.ToFloat64(metrics.Sends.WithLabelValues("sms", "sent"))
	// 50 concurrent sends against a balance for 20: exactly 20 go.
	var mu sync.Mutex
	codes := map[int]int{}
	var sent []string
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, m := admin.call(http.MethodPost, "/api/v1/conversations/"+convs[i%5].ID+"/messages", map[string]any{"body": fmt.Sprintf("Pedido %d a caminho", i)},
				map[string]string{"Idempotency-Key": fmt.Sprintf("burst-%d", i)})
			mu.Lock()
			defer mu.Unlock()
			codes[st]++
			if st == http.StatusCreated {
				sent = append(sent, m["id"].(string))
			} else if st == http.StatusPaymentRequired && (m["missing_cents"] != 500.0 || m["balance_cents"] != 0.0 || !strings.Contains(m["detail"].(string), "saldo insuficiente")) {
				t.Errorf("402 %v", m)
			}
		}()
	}
	wg.Wait()
	if codes[http.StatusCreated] != 20 || codes[http.StatusPaymentRequired] != 30 {
		t.Fatalf("answers %v, want 20 × 201 and 30 × 402", codes)
	}
	if b := balance(); b != 0 {
		t.Fatalf("balance %d, want 0", b)
	}
	eventually(t, 30*time.Second, func() error {
		if n := len(fake.Sent()); n != 20 {
			return fmt.Errorf("%d SMS sent", n)
		}
		return nil
	})
	if got := testutil.ToFloat64(metrics.Sends.WithLabelValues("sms", "sent")) - sentBefore; got != 20 {
		t.Errorf("%v sends counted as sent, want 20", got)
	}
	var refused int64
	db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'outbound'", id).Count(&refused)
	if refused != 20 {
		t.Errorf("%d outbound messages stored, want 20 (refused sends store nothing)", refused)
	}
	var low int64
	db.Model(&store.Event{}).Where("account_id = ? AND kind = ?", f.Account.ID, events.BillingLowBalance).Count(&low)
	if low != 1 {
		t.Errorf("%d low-balance alerts, want 1", low)
	}

	// A failed delivery refunds its segment.
	first := fake.Sent()[0]
	eventually(t, 10*time.Second, func() error {
		var m store.Message
		if err := db.Take(&m, "external_id = ?", first.ID).Error; err != nil {
			return err
		}
		return nil
	})
	if st, err := fake.TwilioStatus(first.ID, "undelivered", "30003"); err != nil || st != http.StatusOK {
		t.Fatalf("status: %d %v", st, err)
	}
	eventually(t, 20*time.Second, func() error {
		var m store.Message
		db.Take(&m, "external_id = ?", first.ID)
		if m.Status != store.MessageFailed || !strings.Contains(m.FailureReason, "30003") {
			return fmt.Errorf("message %s %q", m.Status, m.FailureReason)
		}
		return nil
	})
	if b := balance(); b != 500 {
		t.Fatalf("balance %d after the refund, want 500", b)
	}

	// Twilio counts 2 segments where we reserved 1: its count wins, and
	// the balance (500) pays the difference.
	if st, err := fake.TwilioInbound("SMin9", "+5511988880009", "mais uma", fake.TwilioToken); err != nil || st != http.StatusOK {
		t.Fatal(st, err)
	}
	recharge(t, admin, mp, u.Email)
	fake.Segments = 2
	st, m := admin.call(http.MethodPost, "/api/v1/conversations/"+convs[0].ID+"/messages", map[string]any{"body": "Curto"}, map[string]string{"Idempotency-Key": "count"})
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, m)
	}
	eventually(t, 20*time.Second, func() error {
		var msg store.Message
		db.Take(&msg, "id = ?", m["id"])
		if msg.Status != store.MessageSent || msg.CostUnits != 2 {
			return fmt.Errorf("message %s, %d units", msg.Status, msg.CostUnits)
		}
		return nil
	})
	fake.Segments = 0
	if b := balance(); b != 10500-1000 {
		t.Errorf("balance %d, want 9500", b)
	}
	// The ledger sums to the balance.
	var sum int64
	db.Model(&billing.Entry{}).Where("account_id = ?", f.Account.ID).Select("COALESCE(SUM(amount_cents), 0)").Scan(&sum)
	if sum != balance() {
		t.Errorf("ledger sums to %d, balance %d", sum, balance())
	}

	// A Zenvia channel: subscriptions carry our secret header; a customer's
	// SMS arrives; a NOT_DELIVERED status fails the message and refunds.
	st, zc := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "sms", "name": "Zenvia", "settings": map[string]any{
		"provider": "zenvia", "from": "CHATSPOT", "token": fake.ZenviaToken}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create zenvia: %d %v", st, zc)
	}
	zid := zc["id"].(string)
	eventually(t, 30*time.Second, func() error {
		if subs := fake.Subscriptions(); subs["MESSAGE"] != smsPublic+"/hooks/sms/"+zid || subs["MESSAGE_STATUS"] == "" {
			return fmt.Errorf("subscriptions %v", subs)
		}
		return nil
	})
	if st, _ := fake.ZenviaInbound("zin-1", "5521977776666", "CHATSPOT", "Bom dia", "wrong"); st != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", st)
	}
	if st, err := fake.ZenviaInbound("zin-1", "5521977776666", "CHATSPOT", "Bom dia", ""); err != nil || st != http.StatusOK {
		t.Fatalf("zenvia inbound: %d %v", st, err)
	}
	var zident store.ContactIdentity
	eventually(t, 20*time.Second, func() error {
		return db.Where("channel_id = ? AND external_id = ?", zid, "+5521977776666").Take(&zident).Error
	})
	zconv := waitConversation(t, db, workflows.ConversationWorkflowID(zid, zident.ContactID), 1)
	before := balance()
	st, zm := admin.call(http.MethodPost, "/api/v1/conversations/"+zconv.ID+"/messages", map[string]any{"body": "Bom dia! Como posso ajudar?"}, map[string]string{"Idempotency-Key": "zen"})
	if st != http.StatusCreated {
		t.Fatalf("zenvia send: %d %v", st, zm)
	}
	var zsent smstest.Sent
	eventually(t, 20*time.Second, func() error {
		for _, x := range fake.Sent() {
			if x.Provider == "zenvia" {
				zsent = x
				return nil
			}
		}
		return fmt.Errorf("nothing sent by Zenvia")
	})
	if zsent.To != "5521977776666" || zsent.From != "CHATSPOT" {
		t.Errorf("zenvia sent %+v", zsent)
	}
	if b := balance(); b != before-500 {
		t.Errorf("balance %d after a Zenvia send, want %d", b, before-500)
	}
	eventually(t, 10*time.Second, func() error {
		var msg store.Message
		db.Take(&msg, "id = ?", zm["id"])
		if msg.ExternalID == nil {
			return fmt.Errorf("not sent yet")
		}
		return nil
	})
	if st, err := fake.ZenviaStatus(zsent.ID, "NOT_DELIVERED", "Número inexistente", ""); err != nil || st != http.StatusOK {
		t.Fatalf("zenvia status: %d %v", st, err)
	}
	eventually(t, 20*time.Second, func() error {
		var msg store.Message
		db.Take(&msg, "id = ?", zm["id"])
		if msg.Status != store.MessageFailed || !strings.Contains(msg.FailureReason, "NOT_DELIVERED") {
			return fmt.Errorf("message %s %q", msg.Status, msg.FailureReason)
		}
		return nil
	})
	if b := balance(); b != before {
		t.Errorf("balance %d after the refund, want %d", b, before)
	}

	if st, err := fake.ZenviaInbound("zin-2", "5521977776666", "CHATSPOT", "Qual o horário de vocês?", ""); err != nil || st != http.StatusOK {
		t.Fatalf("zenvia inbound: %d %v", st, err)
	}
	eventually(t, 20*time.Second, func() error {
		for _, x := range fake.Sent() {
			if x.Text == "Atendemos das 9h às 18h." && x.To == "5521977776666" {
				return nil
			}
		}
		return fmt.Errorf("the rule's SMS was not sent")
	})
	if b := balance(); b != before-500 {
		t.Errorf("balance %d after the rule's SMS, want %d", b, before-500)
	}

	// Deactivating removes Zenvia's subscriptions.
	if st, _ := admin.call(http.MethodPatch, "/api/v1/channels/"+zid, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	eventually(t, 20*time.Second, func() error {
		if subs := fake.Subscriptions(); len(subs) != 0 {
			return fmt.Errorf("subscriptions left %v", subs)
		}
		return nil
	})
}

// recharge pays a recharge of R$ 100,00 and waits for its credit.
func recharge(t *testing.T, admin *agent, mp *mptest.Server, email string) {
	t.Helper()
	st, rc := admin.call(http.MethodPost, "/api/v1/billing/recharges", map[string]any{"amount_cents": 10000, "payer_email": email}, nil)
	if st != http.StatusCreated {
		t.Fatalf("recharge: %d %v", st, rc)
	}
	rid := rc["id"].(string)
	eventually(t, 20*time.Second, func() error {
		if _, err := mp.Pay(rid); err != nil {
			return err
		}
		_, err := mp.Notify(mustPayment(t, admin, rid), "mp-secret")
		return err
	})
	eventually(t, 20*time.Second, func() error {
		if _, rc = admin.call(http.MethodGet, "/api/v1/billing/recharges/"+rid, nil, nil); rc["status"] != billing.RechargeApproved {
			return fmt.Errorf("recharge %v", rc["status"])
		}
		return nil
	})
}

func mustPayment(t *testing.T, admin *agent, rid string) string {
	t.Helper()
	_, rc := admin.call(http.MethodGet, "/api/v1/billing/recharges/"+rid, nil, nil)
	id, _ := rc["payment_id"].(string)
	return id
}
