package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// ErrInsufficientBalance is the type of the error refusing a send on a
// metered channel (SMS) the prepaid balance cannot cover; its details are
// an InsufficientBalance.
const ErrInsufficientBalance = "InsufficientBalance"

// InsufficientBalance is what a refused send lacked.
type InsufficientBalance struct {
	BalanceCents int64 `json:"balance_cents"`
	MissingCents int64 `json:"missing_cents"`
}

// pricer is the channel's Pricer when its kind is metered.
func (c *Conversations) pricer(kind string) (channels.Pricer, bool) {
	if !c.Channels.Capabilities(kind).Metered {
		return nil, false
	}
	a, ok := c.Channels.Adapter(kind)
	if !ok {
		return nil, false
	}
	p, ok := a.(channels.Pricer)
	return p, ok
}

// reserve takes a message's cost from the balance, inside the transaction
// that stores (or requeues) it: a balance that cannot cover it refuses
// the message, and nothing is stored.
func (c *Conversations) reserve(ctx context.Context, tx *gorm.DB, msg store.Message) error {
	if msg.Kind == store.KindNote {
		return nil
	}
	var ch store.Channel
	if err := tx.Select("id, kind, settings").Take(&ch, "id = ?", msg.ChannelID).Error; err != nil {
		return err
	}
	p, ok := c.pricer(ch.Kind)
	if !ok {
		return nil
	}
	price := p.Price(ch, msg.Body)
	if err := tx.Model(&store.Message{}).Where("id = ?", msg.ID).Update("cost_units", price.Units).Error; err != nil {
		return err
	}
	err := billing.SetMessageCost(ctx, tx, msg.AccountID, msg.ID, price.Cents(), costReason(price.Units))
	var short *billing.InsufficientError
	if errors.As(err, &short) {
		return temporal.NewNonRetryableApplicationError(short.Error(), ErrInsufficientBalance, err,
			InsufficientBalance{BalanceCents: short.BalanceCents, MissingCents: short.Missing()})
	}
	return err
}

// settleCost makes a sent message's cost the provider's own count of
// units when it reported one.
func (c *Conversations) settleCost(ctx context.Context, ch store.Channel, msg store.Message, counted int) error {
	p, ok := c.pricer(ch.Kind)
	if !ok || counted <= 0 || counted == msg.CostUnits {
		return nil
	}
	unit := p.Price(ch, msg.Body).UnitCents
	return c.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&store.Message{}).Where("id = ?", msg.ID).Update("cost_units", counted).Error; err != nil {
			return err
		}
		return billing.SetMessageCost(ctx, tx, msg.AccountID, msg.ID, int64(counted)*unit, costReason(counted)+", contados pelo provedor")
	})
}

func costReason(units int) string {
	if units == 1 {
		return "SMS, 1 segmento"
	}
	return fmt.Sprintf("SMS, %d segmentos", units)
}
