package billing

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// SetMessageCost makes what a message's send has cost the balance equal
// to target centavos: the first time it reserves the cost (refused with an
// *InsufficientError when the balance cannot cover it), later it debits
// or refunds the difference — the provider counted more or fewer
// segments, the send failed (target 0), a failed message is retried.
// Each call converges on the target, so a retried activity posts nothing
// twice. It runs inside tx, with the caller's write.
func SetMessageCost(ctx context.Context, tx *gorm.DB, accountID, messageID string, target int64, reason string) error {
	var sums struct {
		Net int64
		N   int64
	}
	if err := tx.WithContext(ctx).Model(&Entry{}).Select("COALESCE(SUM(amount_cents), 0) AS net, COUNT(*) AS n").
		Where("account_id = ? AND message_id = ?", accountID, messageID).Scan(&sums).Error; err != nil {
		return err
	}
	cost := -sums.Net
	diff := target - cost
	if diff == 0 {
		return nil
	}
	p := Posting{AccountID: accountID, Amount: -diff, MessageID: messageID, Reason: reason,
		Key: fmt.Sprintf("message:%s:%d", messageID, sums.N)}
	switch {
	case diff < 0:
		p.Kind = KindRefund
	case cost == 0:
		p.Kind = KindReservation
	default:
		// Already sent: the provider charged for more than we reserved.
		p.Kind, p.Partial = KindDebit, true
	}
	e, err := Post(ctx, tx, p)
	if err != nil {
		return err
	}
	return Changed(ctx, tx, accountID, e.BalanceAfterCents)
}

// Changed tells the billing screens the balance moved, and the admins
// (and integrators) when it just fell below the alert threshold.
func Changed(ctx context.Context, tx *gorm.DB, accountID string, balance int64) error {
	if err := events.Append(tx, accountID, events.BillingUpdated, nil, map[string]any{"balance_cents": balance}); err != nil {
		return err
	}
	crossed, bal, err := Low(ctx, tx, accountID)
	if err != nil || !crossed {
		return err
	}
	data := map[string]any{"balance_cents": bal.BalanceCents, "low_balance_cents": bal.LowBalanceCents}
	if err := webhooks.Enqueue(tx, accountID, webhooks.BalanceLow, data); err != nil {
		return err
	}
	return events.Append(tx, accountID, events.BillingLowBalance, nil, data)
}
