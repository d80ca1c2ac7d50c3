package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store/storetest"
)

func databases(t *testing.T, run func(t *testing.T, db *gorm.DB)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			if d == "postgres" && storetest.PostgresDSN() == "" {
				t.Skip("CHATSPOT_TEST_POSTGRES not set")
			}
			run(t, storetest.Open(t, d))
		})
	}
}

// Concurrent debits never take the balance below zero, and the ledger
// sums to the balance.
func TestConcurrentDebits(t *testing.T) {
	databases(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		acc := "acc-" + time.Now().Format("150405.000000")
		if _, err := Post(ctx, db, Posting{AccountID: acc, Kind: KindRecharge, Amount: 2000, Key: "recharge:1"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, short := 0, 0
		var paid []string
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.Transaction(func(tx *gorm.DB) error {
					return SetMessageCost(ctx, tx, acc, fmt.Sprintf("m%d", i), 100, "SMS")
				})
				mu.Lock()
				defer mu.Unlock()
				var ie *InsufficientError
				switch {
				case err == nil:
					ok++
					paid = append(paid, fmt.Sprintf("m%d", i))
				case errors.As(err, &ie):
					short++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		bal, _ := Get(ctx, db, acc)
		var sum int64
		db.Model(&Entry{}).Where("account_id = ?", acc).Select("COALESCE(SUM(amount_cents), 0)").Scan(&sum)
		if ok != 20 || short != 30 || bal.BalanceCents != 0 || sum != 0 {
			t.Fatalf("%d sent, %d refused, balance %d, ledger %d; want 20, 30, 0, 0", ok, short, bal.BalanceCents, sum)
		}
		// A refund, twice, returns the cost once; a retried send pays again.
		for range 2 {
			if err := SetMessageCost(ctx, db, acc, paid[0], 0, "refund"); err != nil {
				t.Fatal(err)
			}
		}
		if bal, _ = Get(ctx, db, acc); bal.BalanceCents != 100 {
			t.Fatalf("balance %d after a refund, want 100", bal.BalanceCents)
		}
		if err := SetMessageCost(ctx, db, acc, paid[0], 100, "retry"); err != nil {
			t.Fatal(err)
		}
		// The provider counted more than the balance has: it takes what is there.
		if err := SetMessageCost(ctx, db, acc, paid[1], 300, "counted"); err != nil {
			t.Fatal(err)
		}
		if bal, _ = Get(ctx, db, acc); bal.BalanceCents != 0 {
			t.Fatalf("balance %d, want 0", bal.BalanceCents)
		}
	})
}

func TestPostIsIdempotent(t *testing.T) {
	databases(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		acc := "acc-idem-" + time.Now().Format("150405.000000")
		for range 3 {
			if _, err := Post(ctx, db, Posting{AccountID: acc, Kind: KindRecharge, Amount: 10000, Key: "recharge:r1", RechargeID: "r1"}); err != nil {
				t.Fatal(err)
			}
		}
		if bal, _ := Get(ctx, db, acc); bal.BalanceCents != 10000 {
			t.Fatalf("balance %d, want 10000", bal.BalanceCents)
		}
		if ok, _ := Activated(ctx, db, acc); !ok {
			t.Error("a first recharge of R$ 100,00 activates")
		}
	})
}

// Settle credits an approved payment once, refuses one for another
// amount, and closes refused ones.
func TestSettle(t *testing.T) {
	databases(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		acc := "acc-settle-" + time.Now().Format("150405.000000")
		now := time.Now()
		r, err := NewRecharge(ctx, db, "mercadopago", RechargeRequest{AccountID: acc, AmountCents: 15000, PayerEmail: "ana@example.com"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = ChargeCreated(ctx, db, r, Payment{ID: "123", Status: PaymentPending, QRCode: "000201"}); err != nil || r.Status != RechargePending {
			t.Fatal(r.Status, err)
		}
		for range 3 {
			if r, err = Settle(ctx, db, r, Payment{ID: "123", Status: PaymentApproved, AmountCents: 15000, Reference: r.ID}, now); err != nil {
				t.Fatal(err)
			}
		}
		if bal, _ := Get(ctx, db, acc); r.Status != RechargeApproved || bal.BalanceCents != 15000 {
			t.Fatalf("%s, balance %d", r.Status, bal.BalanceCents)
		}
		r2, _ := NewRecharge(ctx, db, "mercadopago", RechargeRequest{AccountID: acc, AmountCents: 10000, PayerEmail: "ana@example.com"}, now)
		r2, _ = ChargeCreated(ctx, db, r2, Payment{ID: "124", Status: PaymentPending})
		if r2, err = Settle(ctx, db, r2, Payment{ID: "124", Status: PaymentApproved, AmountCents: 100, Reference: r2.ID}, now); err != nil || r2.Status != RechargeFailed {
			t.Fatalf("wrong amount: %s %v", r2.Status, err)
		}
		if bal, _ := Get(ctx, db, acc); bal.BalanceCents != 15000 {
			t.Fatalf("balance %d: a payment for another amount was credited", bal.BalanceCents)
		}
	})
}

func TestRechargeRequest(t *testing.T) {
	for _, c := range []struct {
		req   RechargeRequest
		field string
	}{
		{RechargeRequest{AmountCents: 9999, PayerEmail: "a@b.com"}, "amount_cents"},
		{RechargeRequest{AmountCents: MaximumRecharge + 1, PayerEmail: "a@b.com"}, "amount_cents"},
		{RechargeRequest{AmountCents: 10000, PayerEmail: "not an address"}, "payer_email"},
		{RechargeRequest{AmountCents: 10000, PayerEmail: "a@b.com", PayerDocument: "123.456.789-00"}, "payer_document"},
		{RechargeRequest{AmountCents: 10000, PayerEmail: "a@b.com", PayerDocument: "000.000.000-00"}, "payer_document"},
		{RechargeRequest{AmountCents: 10000, PayerEmail: "a@b.com", PayerDocument: "11.222.333/0001-00"}, "payer_document"},
	} {
		_, err := NewRecharge(context.Background(), nil, "mp", c.req, time.Now())
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: %v, want %s refused", c.req, err, c.field)
		}
	}
	for in, want := range map[string]string{"529.982.247-25": "52998224725", "11.222.333/0001-81": "11222333000181", "": ""} {
		if got, err := Document(in); err != nil || got != want {
			t.Errorf("Document(%q) = %q %v", in, got, err)
		}
	}
	if got := BRL(123456789); got != "R$ 1.234.567,89" {
		t.Errorf("BRL %s", got)
	}
}
