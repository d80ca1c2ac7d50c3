// Package billing holds the account's prepaid balance: an immutable ledger
// of entries in BRL centavos (recharges, reservations for sends, debits,
// refunds, CHATSPOT's own charges) and the recharges by Pix that fill it.
//
// The balance is the sum of the entries, kept as a running total in
// account_balances in the same transaction as each entry. A debit is a
// conditional UPDATE that takes the money only if it is there, so the
// balance never goes below zero whatever runs concurrently, on PostgreSQL
// (the row lock re-checks the condition) as on SQLite (one writer).
package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/internal/store"
)

// Entry kinds.
const (
	KindRecharge    = "recharge"    // a paid Pix recharge
	KindReservation = "reservation" // a send's cost, taken when the message is stored
	KindDebit       = "debit"       // more than reserved (the provider counted more segments)
	KindRefund      = "refund"      // a failed send's cost, or what was reserved beyond the provider's count
	KindCharge      = "charge"      // CHATSPOT's own charges (e.g. WhatsApp Official fees)
)

// MinimumRecharge is the smallest recharge, R$ 100,00; the first one
// activates metered channels.
const MinimumRecharge int64 = 10000

// Entry is one ledger line.
type Entry struct {
	ID                string    `json:"id"`
	AccountID         string    `json:"-"`
	Kind              string    `json:"kind"`
	AmountCents       int64     `json:"amount_cents"` // negative: money out
	BalanceAfterCents int64     `json:"balance_after_cents"`
	Reason            string    `json:"reason"`
	EntryKey          string    `json:"-"`
	MessageID         *string   `json:"message_id"`
	RechargeID        *string   `json:"recharge_id"`
	CreatedAt         time.Time `json:"created_at"`
}

// TableName maps Entry to its table.
func (Entry) TableName() string { return "ledger_entries" }

// Balance is an account's running balance and its alert threshold.
type Balance struct {
	AccountID       string `gorm:"primaryKey"`
	BalanceCents    int64
	LowBalanceCents int64
	LowAlerted      bool
	UpdatedAt       time.Time
}

// TableName maps Balance to its table.
func (Balance) TableName() string { return "account_balances" }

// InsufficientError refuses a debit the balance cannot cover.
type InsufficientError struct {
	BalanceCents int64
	NeededCents  int64
}

// Missing is how much more the account needs.
func (e *InsufficientError) Missing() int64 { return e.NeededCents - e.BalanceCents }

func (e *InsufficientError) Error() string {
	return fmt.Sprintf("saldo insuficiente: o envio custa %s, o saldo é %s (faltam %s)", BRL(e.NeededCents), BRL(e.BalanceCents), BRL(e.Missing()))
}

// BRL formats centavos as Brazilians write money: R$ 1.234,56.
func BRL(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	reais := fmt.Sprintf("%d", cents/100)
	for i := len(reais) - 3; i > 0; i -= 3 {
		reais = reais[:i] + "." + reais[i:]
	}
	return fmt.Sprintf("%sR$ %s,%02d", sign, reais, cents%100)
}

// Posting is an entry to write: a positive amount credits, a negative one
// debits. The key makes it idempotent: posting the same key again returns
// the entry the first one wrote.
type Posting struct {
	AccountID  string
	Kind       string
	Amount     int64
	Reason     string
	Key        string
	MessageID  string
	RechargeID string
	// Partial lets a debit take what there is when the balance is short
	// (the provider already charged for more segments than reserved);
	// otherwise a short balance refuses the whole debit.
	Partial bool
}

// Post writes the entry and moves the balance, inside tx (so the caller's
// own write — a message stored — commits with it or not at all). A debit
// the balance cannot cover is an *InsufficientError and writes nothing.
func Post(ctx context.Context, tx *gorm.DB, p Posting) (Entry, error) {
	tx = tx.WithContext(ctx)
	var existing Entry
	err := tx.Where("account_id = ? AND entry_key = ?", p.AccountID, p.Key).Take(&existing).Error
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Entry{}, err
	}
	now := time.Now().UTC()
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Balance{AccountID: p.AccountID, LowBalanceCents: DefaultLowBalance, UpdatedAt: now}).Error; err != nil {
		return Entry{}, err
	}
	amount := p.Amount
	res := tx.Model(&Balance{}).Where("account_id = ? AND balance_cents + ? >= 0", p.AccountID, amount).
		Updates(map[string]any{"balance_cents": gorm.Expr("balance_cents + ?", amount), "updated_at": now})
	if res.Error != nil {
		return Entry{}, res.Error
	}
	var bal Balance
	if res.RowsAffected == 0 {
		if err := tx.Take(&bal, "account_id = ?", p.AccountID).Error; err != nil {
			return Entry{}, err
		}
		if !p.Partial {
			return Entry{}, &InsufficientError{BalanceCents: bal.BalanceCents, NeededCents: -amount}
		}
		if bal.BalanceCents == 0 {
			return Entry{AccountID: p.AccountID}, nil // nothing left to take: the operator absorbs it
		}
		amount = -bal.BalanceCents
		if err := tx.Model(&Balance{}).Where("account_id = ?", p.AccountID).
			Updates(map[string]any{"balance_cents": 0, "updated_at": now}).Error; err != nil {
			return Entry{}, err
		}
	}
	if err := tx.Take(&bal, "account_id = ?", p.AccountID).Error; err != nil {
		return Entry{}, err
	}
	e := Entry{ID: store.NewID(), AccountID: p.AccountID, Kind: p.Kind, AmountCents: amount, BalanceAfterCents: bal.BalanceCents,
		Reason: p.Reason, EntryKey: p.Key, MessageID: optional(p.MessageID), RechargeID: optional(p.RechargeID), CreatedAt: now}
	if err := tx.Create(&e).Error; err != nil {
		return Entry{}, err
	}
	return e, nil
}

// DefaultLowBalance is the alert threshold until an admin sets one:
// R$ 20,00.
const DefaultLowBalance int64 = 2000

// Low tells whether a balance just crossed below its alert threshold (and
// records that it did, so admins are told once until it is refilled), or
// rose back above it.
func Low(ctx context.Context, tx *gorm.DB, accountID string) (crossed bool, bal Balance, err error) {
	if err := tx.WithContext(ctx).Take(&bal, "account_id = ?", accountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return false, Balance{AccountID: accountID, LowBalanceCents: DefaultLowBalance}, nil
		}
		return false, bal, err
	}
	low := bal.BalanceCents < bal.LowBalanceCents
	if low == bal.LowAlerted {
		return false, bal, nil
	}
	res := tx.WithContext(ctx).Model(&Balance{}).Where("account_id = ? AND low_alerted = ?", accountID, bal.LowAlerted).Update("low_alerted", low)
	if res.Error != nil {
		return false, bal, res.Error
	}
	bal.LowAlerted = low
	return low && res.RowsAffected == 1, bal, nil
}

// Get reads an account's balance (zero before its first recharge).
func Get(ctx context.Context, db *gorm.DB, accountID string) (Balance, error) {
	var bal Balance
	err := db.WithContext(ctx).Take(&bal, "account_id = ?", accountID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Balance{AccountID: accountID, LowBalanceCents: DefaultLowBalance}, nil
	}
	return bal, err
}

// SetLowBalance changes the alert threshold.
func SetLowBalance(ctx context.Context, db *gorm.DB, accountID string, cents int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Balance{AccountID: accountID, LowBalanceCents: DefaultLowBalance, UpdatedAt: now}).Error; err != nil {
			return err
		}
		return tx.Model(&Balance{}).Where("account_id = ?", accountID).
			Updates(map[string]any{"low_balance_cents": cents, "low_alerted": gorm.Expr("balance_cents < ?", cents), "updated_at": now}).Error
	})
}

// Activated tells whether the account has ever had a recharge credited:
// the first one activates metered channels.
func Activated(ctx context.Context, db *gorm.DB, accountID string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Entry{}).Where("account_id = ? AND kind = ? AND amount_cents >= ?", accountID, KindRecharge, MinimumRecharge).Limit(1).Count(&n).Error
	return n > 0, err
}

// Entries lists the statement newest first, before the entry named (a
// cursor), at most limit.
func Entries(ctx context.Context, db *gorm.DB, accountID, before string, limit int) ([]Entry, error) {
	q := db.WithContext(ctx).Where("account_id = ?", accountID)
	if before != "" {
		var b Entry
		if err := db.WithContext(ctx).Select("created_at, id").Take(&b, "account_id = ? AND id = ?", accountID, before).Error; err != nil {
			return nil, err
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", b.CreatedAt, b.CreatedAt, b.ID)
	}
	var out []Entry
	err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
