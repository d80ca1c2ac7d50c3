package workflows_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/billing/mercadopago"
	"github.com/chatspot/chatspot/internal/billing/mercadopago/mptest"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
)

// rechargeFixture is a recharge of R$ 100,00 against a local Mercado Pago.
func rechargeFixture(t *testing.T) (*gorm.DB, *mptest.Server, *activities.Billing, billing.Recharge) {
	mp := mptest.New("mp-token", "mp-secret")
	t.Cleanup(mp.Close)
	db := storetest.Open(t, "sqlite")
	f := storetest.Seed(t, db, "")
	b := &activities.Billing{DB: db, Channels: worker.Channels(true), PublicURL: "https://chatspot.example.com",
		Pix: &mercadopago.Client{APIURL: mp.URL, AccessToken: "mp-token", WebhookSecret: "mp-secret"}}
	r, err := billing.NewRecharge(t.Context(), db, "mercadopago", billing.RechargeRequest{AccountID: f.Account.ID, AmountCents: 10000,
		PayerEmail: "ana@example.com"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return db, mp, b, r
}

// A Pix code nobody pays is cancelled at Mercado Pago once it expired,
// and the recharge is shown expired; nothing is credited.
func TestRechargeExpiresUnpaid(t *testing.T) {
	db, _, b, r := rechargeFixture(t)
	env := newEnv(t, db)
	env.RegisterWorkflow(workflows.Recharge)
	env.RegisterActivity(b)
	env.ExecuteWorkflow(workflows.Recharge, workflows.RechargeInput{AccountID: r.AccountID, RechargeID: r.ID})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	got, _ := billing.GetRecharge(t.Context(), db, r.AccountID, r.ID)
	p, err := b.Pix.GetPayment(t.Context(), *got.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	bal, _ := billing.Get(t.Context(), db, r.AccountID)
	if got.Status != billing.RechargeExpired || p.Status != billing.PaymentCancelled || bal.BalanceCents != 0 {
		t.Fatalf("recharge %s, payment %s, balance %d; want expired, cancelled, 0", got.Status, p.Status, bal.BalanceCents)
	}
}

// A payment whose notification never arrives (a lost one, a laptop) is
// found by the workflow's own reading back, and credited once.
func TestRechargePaidWithoutNotification(t *testing.T) {
	db, mp, b, r := rechargeFixture(t)
	env := newEnv(t, db)
	env.RegisterWorkflow(workflows.Recharge)
	env.RegisterActivity(b)
	env.RegisterDelayedCallback(func() {
		if _, err := mp.Pay(r.ID); err != nil {
			t.Error(err)
		}
	}, 5*time.Minute)
	env.ExecuteWorkflow(workflows.Recharge, workflows.RechargeInput{AccountID: r.AccountID, RechargeID: r.ID})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	got, _ := billing.GetRecharge(t.Context(), db, r.AccountID, r.ID)
	bal, _ := billing.Get(t.Context(), db, r.AccountID)
	if got.Status != billing.RechargeApproved || bal.BalanceCents != 10000 || mp.Creates() != 1 {
		t.Fatalf("recharge %s, balance %d, %d payments; want approved, 10000, 1", got.Status, bal.BalanceCents, mp.Creates())
	}
}
