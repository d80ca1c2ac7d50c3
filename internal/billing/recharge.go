package billing

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
)

// Recharge statuses. creating: the charge is being created at the
// provider; pending: the QR code is shown, waiting for the payment;
// approved: paid and credited. The others are final and credit nothing.
const (
	RechargeCreating  = "creating"
	RechargePending   = "pending"
	RechargeApproved  = "approved"
	RechargeExpired   = "expired"
	RechargeCancelled = "cancelled"
	RechargeRejected  = "rejected"
	RechargeFailed    = "failed" // the provider refused to create the charge
)

// RechargeTTL is how long a Pix charge can be paid.
const RechargeTTL = 30 * time.Minute

// MaximumRecharge bounds one recharge: R$ 50.000,00.
const MaximumRecharge int64 = 5_000_000

// Recharge is a recharge by Pix.
type Recharge struct {
	ID            string     `json:"id"`
	AccountID     string     `json:"-"`
	AmountCents   int64      `json:"amount_cents"`
	Status        string     `json:"status"`
	Provider      string     `json:"provider"`
	PaymentID     *string    `json:"payment_id"`
	PayerEmail    string     `json:"payer_email"`
	PayerDocument string     `json:"-"`
	QRCode        string     `json:"qr_code"`
	QRCodeBase64  string     `json:"qr_code_base64"`
	TicketURL     string     `json:"ticket_url"`
	FailureReason string     `json:"failure_reason"`
	CreatedBy     *string    `json:"created_by"`
	ExpiresAt     time.Time  `json:"expires_at"`
	PaidAt        *time.Time `json:"paid_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Final tells whether nothing more will happen to the recharge.
func (r Recharge) Final() bool {
	return r.Status != RechargeCreating && r.Status != RechargePending
}

// RechargeRequest is what an admin asks for.
type RechargeRequest struct {
	AccountID     string
	UserID        string
	AmountCents   int64
	PayerEmail    string
	PayerDocument string
}

// FieldError names what is wrong with a request.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Reason }

// NewRecharge checks the request and stores the recharge, creating; the
// recharge workflow creates its charge.
func NewRecharge(ctx context.Context, db *gorm.DB, provider string, req RechargeRequest, now time.Time) (Recharge, error) {
	if req.AmountCents < MinimumRecharge {
		return Recharge{}, &FieldError{"amount_cents", fmt.Sprintf("a recarga mínima é de %s", BRL(MinimumRecharge))}
	}
	if req.AmountCents > MaximumRecharge {
		return Recharge{}, &FieldError{"amount_cents", fmt.Sprintf("a recarga máxima é de %s", BRL(MaximumRecharge))}
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(req.PayerEmail))
	if err != nil || addr.Name != "" {
		return Recharge{}, &FieldError{"payer_email", "payer_email must be an e-mail address (the payer's, for the Pix receipt)"}
	}
	doc, err := Document(req.PayerDocument)
	if err != nil {
		return Recharge{}, err
	}
	r := Recharge{ID: store.NewID(), AccountID: req.AccountID, AmountCents: req.AmountCents, Status: RechargeCreating, Provider: provider,
		PayerEmail: addr.Address, PayerDocument: doc, ExpiresAt: now.Add(RechargeTTL).UTC(), CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	if req.UserID != "" {
		r.CreatedBy = &req.UserID
	}
	return r, db.WithContext(ctx).Create(&r).Error
}

// Document normalises a CPF or CNPJ to its digits and checks its check
// digits; "" is allowed (the payer's document is optional for Pix).
func Document(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '-' || r == '/' || r == ' ':
		default:
			return "", &FieldError{"payer_document", "payer_document must be a CPF or CNPJ (digits, dots, dashes and a slash)"}
		}
	}
	d := b.String()
	switch {
	case d == "":
		return "", nil
	case len(d) == 11 && validCPF(d), len(d) == 14 && validCNPJ(d):
		return d, nil
	}
	return "", &FieldError{"payer_document", "payer_document is not a valid CPF or CNPJ"}
}

func validCPF(d string) bool {
	if strings.Count(d, d[:1]) == len(d) {
		return false // 000.000.000-00 and the like pass the digit check
	}
	return checkDigit(d[:9], 10) == d[9] && checkDigit(d[:10], 11) == d[10]
}

func checkDigit(d string, weight int) byte {
	sum := 0
	for i := range d {
		sum += int(d[i]-'0') * (weight - i)
	}
	r := sum * 10 % 11
	if r == 10 {
		r = 0
	}
	return byte('0' + r)
}

func validCNPJ(d string) bool {
	if strings.Count(d, d[:1]) == len(d) {
		return false
	}
	digit := func(s string, weights []int) byte {
		sum := 0
		for i, w := range weights {
			sum += int(s[i]-'0') * w
		}
		r := sum % 11
		if r < 2 {
			return '0'
		}
		return byte('0' + 11 - r)
	}
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	return digit(d, w1) == d[12] && digit(d, w2) == d[13]
}

// GetRecharge reads one of an account's recharges.
func GetRecharge(ctx context.Context, db *gorm.DB, accountID, id string) (Recharge, error) {
	var r Recharge
	err := db.WithContext(ctx).Take(&r, "id = ? AND account_id = ?", id, accountID).Error
	return r, err
}

// ChargeCreated records the provider's charge: its payment id and the QR
// code to show.
func ChargeCreated(ctx context.Context, db *gorm.DB, r Recharge, p Payment) (Recharge, error) {
	updates := map[string]any{"payment_id": p.ID, "status": RechargePending, "qr_code": p.QRCode, "qr_code_base64": p.QRCodeBase64,
		"ticket_url": p.TicketURL, "updated_at": time.Now().UTC()}
	if !p.ExpiresAt.IsZero() {
		updates["expires_at"] = p.ExpiresAt.UTC()
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&r).Where("status = ?", RechargeCreating).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Take(&r, "id = ?", r.ID).Error; err != nil {
			return err
		}
		return rechargeEvent(ctx, tx, r)
	})
	return r, err
}

// Settle applies what the provider says of the payment: approved credits
// the recharge (once: the ledger key is the recharge's), a final refusal
// closes it. Anything else leaves it pending. An approved payment for
// another amount than the recharge's is refused, not credited.
func Settle(ctx context.Context, db *gorm.DB, r Recharge, p Payment, now time.Time) (Recharge, error) {
	if r.Final() {
		return r, nil
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var status, reason string
		switch p.Status {
		case PaymentApproved:
			if p.AmountCents != r.AmountCents || (p.Reference != "" && p.Reference != r.ID) {
				status, reason = RechargeFailed, fmt.Sprintf("the payment read back is for %s, not this recharge's %s: not credited", BRL(p.AmountCents), BRL(r.AmountCents))
				break
			}
			e, err := Post(ctx, tx, Posting{AccountID: r.AccountID, Kind: KindRecharge, Amount: r.AmountCents, RechargeID: r.ID,
				Key: "recharge:" + r.ID, Reason: "Recarga via Pix"})
			if err != nil {
				return err
			}
			if err := Changed(ctx, tx, r.AccountID, e.BalanceAfterCents); err != nil {
				return err
			}
			status = RechargeApproved
		case PaymentRejected, PaymentCancelled, PaymentRefunded:
			status, reason = RechargeCancelled, "Mercado Pago: "+p.Status+" "+p.StatusDetail
			if p.Status == PaymentRejected {
				status = RechargeRejected
			}
		default:
			return nil
		}
		updates := map[string]any{"status": status, "failure_reason": strings.TrimSpace(reason), "updated_at": now.UTC()}
		if status == RechargeApproved {
			updates["paid_at"] = now.UTC()
		}
		res := tx.Model(&Recharge{}).Where("id = ? AND status IN ?", r.ID, []string{RechargeCreating, RechargePending}).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Take(&r, "id = ?", r.ID).Error; err != nil {
			return err
		}
		return rechargeEvent(ctx, tx, r)
	})
	return r, err
}

// Close ends a recharge that will not be paid (its charge refused, or
// expired).
func Close(ctx context.Context, db *gorm.DB, r Recharge, status, reason string) (Recharge, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Recharge{}).Where("id = ? AND status IN ?", r.ID, []string{RechargeCreating, RechargePending}).
			Updates(map[string]any{"status": status, "failure_reason": reason, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		if err := tx.Take(&r, "id = ?", r.ID).Error; err != nil {
			return err
		}
		return rechargeEvent(ctx, tx, r)
	})
	return r, err
}

// ByPayment finds the recharge of a provider's payment.
func ByPayment(ctx context.Context, db *gorm.DB, provider, paymentID string) (Recharge, error) {
	var r Recharge
	err := db.WithContext(ctx).Take(&r, "provider = ? AND payment_id = ?", provider, paymentID).Error
	return r, err
}

func rechargeEvent(ctx context.Context, tx *gorm.DB, r Recharge) error {
	bal, err := Get(ctx, tx, r.AccountID)
	if err != nil {
		return err
	}
	r.QRCodeBase64 = "" // kilobytes the screens read from GET /billing/recharges/:id
	return events.Append(tx, r.AccountID, events.BillingUpdated, nil, map[string]any{"balance_cents": bal.BalanceCents, "recharge": r})
}
