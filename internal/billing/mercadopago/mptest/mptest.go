// Package mptest is a local server speaking Mercado Pago's Payments API
// for Pix (create with X-Idempotency-Key, read back, cancel) and posting
// its signed payment notifications.
package mptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatspot/chatspot/internal/billing/mercadopago"
)

// qrPNG is a 1×1 PNG, standing for the QR code image.
const qrPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

// Server is the fake Mercado Pago.
type Server struct {
	*httptest.Server
	Token, Secret string
	// Rewrite maps a notification_url to where the test's app listens.
	Rewrite func(string) string

	mu       sync.Mutex
	next     int64
	payments map[int64]*payment
	byKey    map[string]int64
	creates  int
}

type payment struct {
	ID                int64   `json:"id"`
	Status            string  `json:"status"`
	StatusDetail      string  `json:"status_detail"`
	TransactionAmount float64 `json:"transaction_amount"`
	Description       string  `json:"description"`
	PaymentMethodID   string  `json:"payment_method_id"`
	ExternalReference string  `json:"external_reference"`
	NotificationURL   string  `json:"notification_url"`
	DateOfExpiration  string  `json:"date_of_expiration"`
	Payer             struct {
		Email string `json:"email"`
	} `json:"payer"`
	PointOfInteraction struct {
		Type            string `json:"type"`
		TransactionData struct {
			QRCode       string `json:"qr_code"`
			QRCodeBase64 string `json:"qr_code_base64"`
			TicketURL    string `json:"ticket_url"`
		} `json:"transaction_data"`
	} `json:"point_of_interaction"`
}

// New starts the server.
func New(token, secret string) *Server {
	s := &Server{Token: token, Secret: secret, next: 1_300_000_000, payments: map[int64]*payment{}, byKey: map[string]int64{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "error": "bad_request", "status": status, "cause": []any{}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		fail(w, http.StatusUnauthorized, "invalid access token")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/payments":
		key := r.Header.Get("X-Idempotency-Key")
		if key == "" {
			fail(w, http.StatusBadRequest, "X-Idempotency-Key is required")
			return
		}
		if id, ok := s.byKey[key]; ok {
			s.write(w, http.StatusCreated, s.payments[id])
			return
		}
		var p payment
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.PaymentMethodID != "pix" || p.TransactionAmount <= 0 || p.Payer.Email == "" {
			fail(w, http.StatusBadRequest, "invalid payment: transaction_amount, payment_method_id pix and payer.email are required")
			return
		}
		s.next++
		p.ID, p.Status, p.StatusDetail = s.next, "pending", "pending_waiting_transfer"
		p.PointOfInteraction.Type = "OPENPLATFORM"
		td := &p.PointOfInteraction.TransactionData
		td.QRCode = fmt.Sprintf("00020126580014br.gov.bcb.pix0136%d5204000053039865406%.2f5802BR", p.ID, p.TransactionAmount)
		td.QRCodeBase64 = qrPNG
		td.TicketURL = fmt.Sprintf("https://www.mercadopago.com.br/payments/%d/ticket?caller_id=1&hash=x", p.ID)
		s.payments[p.ID] = &p
		s.byKey[key] = p.ID
		s.creates++
		s.write(w, http.StatusCreated, &p)
	case strings.HasPrefix(r.URL.Path, "/v1/payments/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/v1/payments/"), 10, 64)
		p := s.payments[id]
		if p == nil {
			fail(w, http.StatusNotFound, "Payment not found")
			return
		}
		if r.Method == http.MethodPut {
			var body struct{ Status string }
			_ = json.NewDecoder(r.Body).Decode(&body)
			if body.Status != "cancelled" || p.Status != "pending" {
				fail(w, http.StatusBadRequest, "Invalid status transition from "+p.Status)
				return
			}
			p.Status, p.StatusDetail = "cancelled", "expired"
		}
		s.write(w, http.StatusOK, p)
	default:
		fail(w, http.StatusNotFound, "not found")
	}
}

func (s *Server) write(w http.ResponseWriter, status int, p *payment) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// Creates is how many payments were created (idempotent retries excluded).
func (s *Server) Creates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates
}

// Pay marks the payment of a recharge (its external reference) approved,
// as when the payer's bank transfers; it answers the payment id.
func (s *Server) Pay(reference string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.payments {
		if p.ExternalReference == reference {
			p.Status, p.StatusDetail = "approved", "accredited"
			return strconv.FormatInt(p.ID, 10), nil
		}
	}
	return "", fmt.Errorf("no payment for %s", reference)
}

// Amount is a payment's amount in centavos.
func (s *Server) Amount(id string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.ParseInt(id, 10, 64)
	if p := s.payments[n]; p != nil {
		return int64(math.Round(p.TransactionAmount * 100))
	}
	return 0
}

// Notify posts the payment.updated notification to the payment's
// notification_url, signed as Mercado Pago signs it (secret "" signs
// with a wrong one); it answers the status the app gave.
func (s *Server) Notify(paymentID string, secret string) (int, error) {
	s.mu.Lock()
	n, _ := strconv.ParseInt(paymentID, 10, 64)
	p := s.payments[n]
	s.mu.Unlock()
	if p == nil || p.NotificationURL == "" {
		return 0, fmt.Errorf("payment %s has no notification_url", paymentID)
	}
	target := p.NotificationURL
	if s.Rewrite != nil {
		target = s.Rewrite(target)
	}
	q := url.Values{"data.id": {paymentID}, "type": {"payment"}}
	body, _ := json.Marshal(map[string]any{"action": "payment.updated", "api_version": "v1", "data": map[string]string{"id": paymentID},
		"date_created": time.Now().UTC().Format(time.RFC3339), "id": time.Now().UnixNano(), "live_mode": false, "type": "payment", "user_id": "123456"})
	req, err := http.NewRequest(http.MethodPost, target+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	rid := fmt.Sprintf("req-%d", time.Now().UnixNano())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-request-id", rid)
	req.Header.Set("x-signature", mercadopago.Sign(secret, paymentID, rid, time.Now().UnixMilli()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
