package billing

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Payment statuses a Pix provider reports, as Mercado Pago names them.
const (
	PaymentPending   = "pending"
	PaymentApproved  = "approved"
	PaymentRejected  = "rejected"
	PaymentCancelled = "cancelled"
	PaymentRefunded  = "refunded"
)

// Charge asks for a Pix charge.
type Charge struct {
	// Key is the idempotency key (the recharge's id): the provider answers
	// the same charge to a retried request.
	Key           string
	AmountCents   int64
	Description   string
	PayerEmail    string
	PayerDocument string // CPF (11 digits) or CNPJ (14); "" when not given
	NotifyURL     string // where the provider posts payment notifications; "" for none
	ExpiresAt     time.Time
}

// Payment is a charge as the provider reports it.
type Payment struct {
	ID           string
	Status       string // PaymentPending, ...
	StatusDetail string
	AmountCents  int64
	Reference    string // our recharge id, as sent
	QRCode       string // the copy-and-paste code (Pix "copia e cola")
	QRCodeBase64 string // the QR code as a base64 PNG
	TicketURL    string // the provider's payment page
	ExpiresAt    time.Time
}

// Notification is a payment notification, verified.
type Notification struct {
	PaymentID string
}

// PixProvider creates Pix charges and reads them back. Implementations:
// mercadopago.
type PixProvider interface {
	Name() string
	CreateCharge(ctx context.Context, c Charge) (Payment, error)
	GetPayment(ctx context.Context, id string) (Payment, error)
	CancelPayment(ctx context.Context, id string) (Payment, error)
	// Verify checks a notification's signature and says which payment it
	// is about; ErrBadSignature when it is not the provider's.
	Verify(r *http.Request, body []byte) (Notification, error)
}

// ErrBadSignature refuses a notification the provider did not sign.
var ErrBadSignature = errors.New("the notification's signature is missing or wrong")

// RefusedError is a provider's refusal of a charge (bad payer data, an
// amount out of its limits): retrying cannot help.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }
