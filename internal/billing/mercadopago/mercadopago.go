// Package mercadopago creates Pix charges through Mercado Pago's Payments
// API and verifies its payment notifications (x-signature).
//
//	POST /v1/payments           {transaction_amount, payment_method_id: "pix", payer, ...}, X-Idempotency-Key
//	GET  /v1/payments/{id}      the payment, read back before crediting
//	PUT  /v1/payments/{id}      {"status": "cancelled"} when a charge expires unpaid
package mercadopago

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/billing"
)

// DefaultAPIURL is Mercado Pago's API host.
const DefaultAPIURL = "https://api.mercadopago.com"

// Client is CHATSPOT's Mercado Pago account: the operator's access token
// and the notification secret of its application (Your integrations →
// Webhooks).
type Client struct {
	APIURL        string // "" is DefaultAPIURL
	AccessToken   string
	WebhookSecret string
	HTTP          *http.Client
}

// Name is the provider's name as stored on recharges.
func (*Client) Name() string { return "mercadopago" }

type payer struct {
	Email          string          `json:"email"`
	Identification *identification `json:"identification,omitempty"`
}

type identification struct {
	Type   string `json:"type"`
	Number string `json:"number"`
}

type paymentRequest struct {
	TransactionAmount float64 `json:"transaction_amount"`
	Description       string  `json:"description"`
	PaymentMethodID   string  `json:"payment_method_id"`
	Payer             payer   `json:"payer"`
	NotificationURL   string  `json:"notification_url,omitempty"`
	ExternalReference string  `json:"external_reference"`
	DateOfExpiration  string  `json:"date_of_expiration"`
}

// payment is the part of Mercado Pago's payment resource we read. Its id
// is a number.
type payment struct {
	ID                 json.Number `json:"id"`
	Status             string      `json:"status"`
	StatusDetail       string      `json:"status_detail"`
	TransactionAmount  float64     `json:"transaction_amount"`
	ExternalReference  string      `json:"external_reference"`
	DateOfExpiration   string      `json:"date_of_expiration"`
	PointOfInteraction struct {
		TransactionData struct {
			QRCode       string `json:"qr_code"`
			QRCodeBase64 string `json:"qr_code_base64"`
			TicketURL    string `json:"ticket_url"`
		} `json:"transaction_data"`
	} `json:"point_of_interaction"`
}

// apiError is Mercado Pago's error body.
type apiError struct {
	Message string `json:"message"`
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Cause   []struct {
		Code        json.Number `json:"code"`
		Description string      `json:"description"`
	} `json:"cause"`
}

func (e apiError) reason(status int) string {
	parts := []string{}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	for _, c := range e.Cause {
		if c.Description != "" && c.Description != e.Message {
			parts = append(parts, c.Description)
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("Mercado Pago answered %d", status)
	}
	return "Mercado Pago: " + strings.Join(parts, "; ")
}

// CreateCharge creates a Pix payment. The recharge's id is both the
// idempotency key (a retried request answers the same payment) and the
// external reference.
func (c *Client) CreateCharge(ctx context.Context, ch billing.Charge) (billing.Payment, error) {
	req := paymentRequest{
		TransactionAmount: float64(ch.AmountCents) / 100, Description: ch.Description, PaymentMethodID: "pix",
		Payer: payer{Email: ch.PayerEmail}, NotificationURL: ch.NotifyURL, ExternalReference: ch.Key,
		DateOfExpiration: ch.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000-07:00"),
	}
	if doc := ch.PayerDocument; doc != "" {
		kind := "CPF"
		if len(doc) == 14 {
			kind = "CNPJ"
		}
		req.Payer.Identification = &identification{Type: kind, Number: doc}
	}
	var p payment
	err := c.do(ctx, http.MethodPost, "/v1/payments", req, map[string]string{"X-Idempotency-Key": ch.Key}, &p)
	return p.view(), err
}

// GetPayment reads a payment back.
func (c *Client) GetPayment(ctx context.Context, id string) (billing.Payment, error) {
	var p payment
	err := c.do(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(id), nil, nil, &p)
	return p.view(), err
}

// CancelPayment cancels a pending payment (an expired recharge), so it can
// no longer be paid.
func (c *Client) CancelPayment(ctx context.Context, id string) (billing.Payment, error) {
	var p payment
	err := c.do(ctx, http.MethodPut, "/v1/payments/"+url.PathEscape(id), map[string]string{"status": "cancelled"}, nil, &p)
	return p.view(), err
}

func (c *Client) do(ctx context.Context, method, path string, body any, headers map[string]string, out *payment) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	base := c.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var e apiError
		_ = json.Unmarshal(raw, &e)
		if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusUnauthorized {
			return &billing.RefusedError{Reason: e.reason(res.StatusCode)}
		}
		return fmt.Errorf("%s", e.reason(res.StatusCode)) // 401 (the operator's token), 429 and 5xx: retried
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(out)
}

func (p payment) view() billing.Payment {
	td := p.PointOfInteraction.TransactionData
	exp, _ := time.Parse("2006-01-02T15:04:05.000-07:00", p.DateOfExpiration)
	if exp.IsZero() {
		exp, _ = time.Parse(time.RFC3339, p.DateOfExpiration)
	}
	return billing.Payment{ID: p.ID.String(), Status: p.Status, StatusDetail: p.StatusDetail, AmountCents: int64(math.Round(p.TransactionAmount * 100)),
		Reference: p.ExternalReference, QRCode: td.QRCode, QRCodeBase64: td.QRCodeBase64, TicketURL: td.TicketURL, ExpiresAt: exp}
}

// Verify checks the x-signature header of a notification: "ts=<ts>,v1=<hex>",
// v1 = HMAC-SHA256(secret, "id:<data.id>;request-id:<x-request-id>;ts:<ts>;"),
// data.id from the query string (lower-cased, as Mercado Pago signs it),
// and the parts Mercado Pago did not send left out. Only payment
// notifications name a payment; others verify with an empty id.
func (c *Client) Verify(r *http.Request, body []byte) (billing.Notification, error) {
	ts, v1 := "", ""
	for _, part := range strings.Split(r.Header.Get("x-signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "ts":
			ts = v
		case "v1":
			v1 = v
		}
	}
	var n struct {
		Type string `json:"type"`
		Data struct {
			ID json.RawMessage `json:"id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &n)
	id := r.URL.Query().Get("data.id")
	if id == "" {
		id = strings.Trim(string(n.Data.ID), `"`)
	}
	if c.WebhookSecret == "" || ts == "" || v1 == "" {
		return billing.Notification{}, billing.ErrBadSignature
	}
	manifest := ""
	if id != "" {
		manifest += "id:" + strings.ToLower(id) + ";"
	}
	if rid := r.Header.Get("x-request-id"); rid != "" {
		manifest += "request-id:" + rid + ";"
	}
	manifest += "ts:" + ts + ";"
	mac := hmac.New(sha256.New, []byte(c.WebhookSecret))
	mac.Write([]byte(manifest))
	want := mac.Sum(nil)
	got, err := hex.DecodeString(v1)
	if err != nil || !hmac.Equal(want, got) {
		return billing.Notification{}, billing.ErrBadSignature
	}
	kind := n.Type
	if kind == "" {
		kind = r.URL.Query().Get("type")
	}
	if kind != "payment" {
		return billing.Notification{}, nil
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return billing.Notification{}, fmt.Errorf("the notification names no payment id")
	}
	return billing.Notification{PaymentID: id}, nil
}

// Sign makes the x-signature Mercado Pago would send (for local servers
// and tests speaking its format).
func Sign(secret, dataID, requestID string, ts int64) string {
	manifest := ""
	if dataID != "" {
		manifest += "id:" + strings.ToLower(dataID) + ";"
	}
	if requestID != "" {
		manifest += "request-id:" + requestID + ";"
	}
	manifest += "ts:" + strconv.FormatInt(ts, 10) + ";"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(manifest))
	return "ts=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
