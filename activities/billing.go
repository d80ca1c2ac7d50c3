package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Billing runs recharges by Pix against the payment provider.
type Billing struct {
	DB       *gorm.DB
	Pix      billing.PixProvider // nil: the operator configured no Pix provider
	Channels *channels.Registry
	// PublicURL is where the provider's notifications reach us; "" on a
	// laptop, where the workflow's polling finds the payment instead.
	PublicURL string
}

// RechargeRef names a recharge.
type RechargeRef struct {
	AccountID, RechargeID string
}

// RechargeState is where a recharge stands.
type RechargeState struct {
	Status    string
	Final     bool
	ExpiresAt time.Time
}

func stateOf(r billing.Recharge) RechargeState {
	return RechargeState{Status: r.Status, Final: r.Final(), ExpiresAt: r.ExpiresAt}
}

// MercadoPagoHookPath is where Mercado Pago posts payment notifications.
const MercadoPagoHookPath = "/hooks/billing/mercadopago"

// CreatePixCharge creates the recharge's Pix charge at the provider (the
// recharge's id is the idempotency key, so a retry answers the same
// charge) and stores its QR code. A refusal closes the recharge failed.
func (b *Billing) CreatePixCharge(ctx context.Context, ref RechargeRef) (RechargeState, error) {
	r, err := billing.GetRecharge(ctx, b.DB, ref.AccountID, ref.RechargeID)
	if err != nil {
		return RechargeState{}, err
	}
	if r.Status != billing.RechargeCreating {
		return stateOf(r), nil
	}
	if b.Pix == nil {
		r, err = billing.Close(ctx, b.DB, r, billing.RechargeFailed, "no Pix provider is configured on this installation")
		return stateOf(r), err
	}
	notify := ""
	if b.PublicURL != "" {
		notify = b.PublicURL + MercadoPagoHookPath
	}
	p, err := b.Pix.CreateCharge(ctx, billing.Charge{Key: r.ID, AmountCents: r.AmountCents, Description: "Recarga de saldo CHATSPOT (SMS)",
		PayerEmail: r.PayerEmail, PayerDocument: r.PayerDocument, NotifyURL: notify, ExpiresAt: r.ExpiresAt})
	var refused *billing.RefusedError
	if errors.As(err, &refused) {
		r, err = billing.Close(ctx, b.DB, r, billing.RechargeFailed, refused.Reason)
		return stateOf(r), err
	}
	if err != nil {
		return RechargeState{}, err
	}
	if r, err = billing.ChargeCreated(ctx, b.DB, r, p); err != nil {
		return RechargeState{}, err
	}
	// A charge answered already paid or refused (a retry after the payer
	// was quick) is settled at once.
	r, err = billing.Settle(ctx, b.DB, r, p, time.Now())
	return stateOf(r), err
}

// CheckRecharge reads the payment back from the provider — a notification
// is only a hint — and credits the recharge when it is approved.
func (b *Billing) CheckRecharge(ctx context.Context, ref RechargeRef) (RechargeState, error) {
	r, err := billing.GetRecharge(ctx, b.DB, ref.AccountID, ref.RechargeID)
	if err != nil || r.Final() || r.PaymentID == nil || b.Pix == nil {
		return stateOf(r), err
	}
	p, err := b.Pix.GetPayment(ctx, *r.PaymentID)
	if err != nil {
		return RechargeState{}, err
	}
	r, err = billing.Settle(ctx, b.DB, r, p, time.Now())
	return stateOf(r), err
}

// ExpireRecharge cancels an unpaid charge at the provider once it
// expired, so a late payment cannot arrive for a recharge shown expired;
// one paid meanwhile is credited instead.
func (b *Billing) ExpireRecharge(ctx context.Context, ref RechargeRef) (RechargeState, error) {
	r, err := billing.GetRecharge(ctx, b.DB, ref.AccountID, ref.RechargeID)
	if err != nil || r.Final() {
		return stateOf(r), err
	}
	if r.PaymentID != nil && b.Pix != nil {
		p, err := b.Pix.CancelPayment(ctx, *r.PaymentID)
		var refused *billing.RefusedError
		if errors.As(err, &refused) {
			p, err = b.Pix.GetPayment(ctx, *r.PaymentID) // e.g. approved in the meantime: it cannot be cancelled
		}
		if err != nil {
			return RechargeState{}, err
		}
		if p.Status == billing.PaymentCancelled {
			r, err = billing.Close(ctx, b.DB, r, billing.RechargeExpired, "the Pix code expired unpaid")
			return stateOf(r), err
		}
		if r, err = billing.Settle(ctx, b.DB, r, p, time.Now()); err != nil || r.Final() {
			return stateOf(r), err
		}
		if p.Status == billing.PaymentPending {
			return RechargeState{}, temporal.NewApplicationError("the provider still reports the payment pending after cancelling it", "PaymentPending")
		}
	}
	r, err = billing.Close(ctx, b.DB, r, billing.RechargeExpired, "the Pix code expired unpaid")
	return stateOf(r), err
}

// PrepaidChannels lists the account's channels of metered kinds that are
// switched on but not connected: their activation waits for the first
// recharge, which starts it again.
func (b *Billing) PrepaidChannels(ctx context.Context, ref RechargeRef) ([]string, error) {
	var chans []store.Channel
	if err := b.DB.WithContext(ctx).Select("id, kind").Where("account_id = ? AND active = ? AND status <> ?", ref.AccountID, true, store.ChannelConnected).
		Find(&chans).Error; err != nil {
		return nil, err
	}
	var ids []string
	for _, ch := range chans {
		if b.Channels.Capabilities(ch.Kind).Metered {
			ids = append(ids, ch.ID)
		}
	}
	return ids, nil
}
