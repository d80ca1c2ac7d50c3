package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// BillingView is the account's prepaid balance.
type BillingView struct {
	BalanceCents         int64  `json:"balance_cents"`
	Currency             string `json:"currency"`
	LowBalanceCents      int64  `json:"low_balance_cents"`
	MinimumRechargeCents int64  `json:"minimum_recharge_cents"`
	PixEnabled           bool   `json:"pix_enabled"` // the operator configured a Pix provider
	Activated            bool   `json:"activated"`   // a first recharge was credited: metered channels can be activated
}

func (s *Server) billingView(c *gin.Context, accountID string) (BillingView, bool) {
	bal, err := billing.Get(c, s.DB, accountID)
	if err != nil {
		s.internalError(c, "billing", err)
		return BillingView{}, false
	}
	activated, err := billing.Activated(c, s.DB, accountID)
	if err != nil {
		s.internalError(c, "billing", err)
		return BillingView{}, false
	}
	return BillingView{BalanceCents: bal.BalanceCents, Currency: "BRL", LowBalanceCents: bal.LowBalanceCents,
		MinimumRechargeCents: billing.MinimumRecharge, PixEnabled: s.Pix != nil, Activated: activated}, true
}

func (s *Server) getBilling(c *gin.Context) {
	if v, ok := s.billingView(c, principal(c).AccountID); ok {
		c.JSON(http.StatusOK, v)
	}
}

type billingSettingsRequest struct {
	LowBalanceCents *int64 `json:"low_balance_cents"`
}

// updateBillingSettings sets the low-balance alert threshold.
func (s *Server) updateBillingSettings(c *gin.Context) {
	var req billingSettingsRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.LowBalanceCents == nil || *req.LowBalanceCents < 0 || *req.LowBalanceCents > billing.MaximumRecharge {
		problem(c, http.StatusUnprocessableEntity, "low_balance_cents must be centavos between 0 and "+strconv.FormatInt(billing.MaximumRecharge, 10), "low_balance_cents")
		return
	}
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := billing.SetLowBalance(c, tx, p.AccountID, *req.LowBalanceCents); err != nil {
			return err
		}
		return s.audit(c, tx, "billing.settings_updated", p.AccountID, "low balance alert "+billing.BRL(*req.LowBalanceCents))
	})
	if err != nil {
		s.internalError(c, "billing settings", err)
		return
	}
	s.getBilling(c)
}

// listLedger is the statement, newest first: ?limit (1–200, 50) and
// ?before=<entry id> for the next page.
func (s *Server) listLedger(c *gin.Context) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			problem(c, http.StatusUnprocessableEntity, "limit must be between 1 and 200", "limit")
			return
		}
		limit = n
	}
	entries, err := billing.Entries(c, s.DB, principal(c).AccountID, c.Query("before"), limit)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		problem(c, http.StatusUnprocessableEntity, "before names no entry of this account", "before")
		return
	}
	if err != nil {
		s.internalError(c, "ledger", err)
		return
	}
	next := ""
	if len(entries) == limit {
		next = entries[len(entries)-1].ID
	}
	if entries == nil {
		entries = []billing.Entry{}
	}
	c.JSON(http.StatusOK, ledgerPage{Entries: entries, NextBefore: next})
}

func (s *Server) listRecharges(c *gin.Context) {
	var out []billing.Recharge
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("created_at DESC").Limit(100).Find(&out).Error; err != nil {
		s.internalError(c, "recharges", err)
		return
	}
	if out == nil {
		out = []billing.Recharge{}
	}
	for i := range out {
		out[i].QRCodeBase64 = "" // kilobytes each: GET /billing/recharges/:id has it
	}
	c.JSON(http.StatusOK, rechargeList{Recharges: out})
}

func (s *Server) getRecharge(c *gin.Context) {
	r, err := billing.GetRecharge(c, s.DB, principal(c).AccountID, c.Param("id"))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		problem(c, http.StatusNotFound, "no such recharge", "id")
		return
	}
	if err != nil {
		s.internalError(c, "recharge", err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type rechargeRequest struct {
	AmountCents   int64  `json:"amount_cents"`
	PayerEmail    string `json:"payer_email"`
	PayerDocument string `json:"payer_document"`
}

// createRecharge stores the recharge and starts its workflow, which
// creates the Pix charge; the screen follows it until the QR code is there.
func (s *Server) createRecharge(c *gin.Context) {
	if s.Pix == nil {
		problem(c, http.StatusConflict, "recharges by Pix are off: the operator configured no Mercado Pago account (CHATSPOT_MERCADOPAGO_ACCESS_TOKEN)", "")
		return
	}
	var req rechargeRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	r, err := billing.NewRecharge(c, s.DB, s.Pix.Name(), billing.RechargeRequest{AccountID: p.AccountID, UserID: p.UserID,
		AmountCents: req.AmountCents, PayerEmail: req.PayerEmail, PayerDocument: req.PayerDocument}, time.Now())
	var fe *billing.FieldError
	if errors.As(err, &fe) {
		problem(c, http.StatusUnprocessableEntity, fe.Reason, fe.Field)
		return
	}
	if err != nil {
		s.internalError(c, "recharge", err)
		return
	}
	_ = s.audit(c, s.DB.WithContext(c), "billing.recharge_created", r.ID, billing.BRL(r.AmountCents))
	opts := client.StartWorkflowOptions{ID: workflows.RechargeWorkflowID(r.ID), TaskQueue: s.Inbox.Queue()}
	if _, err := s.Temporal.ExecuteWorkflow(c, opts, workflows.Recharge, workflows.RechargeInput{AccountID: p.AccountID, RechargeID: r.ID}); err != nil {
		r, _ = billing.Close(c, s.DB, r, billing.RechargeFailed, "the recharge could not start; try again")
		s.Logger.Error("recharge not started", "recharge", r.ID, "error", err)
		problem(c, http.StatusServiceUnavailable, "the recharge could not start; try again", "")
		return
	}
	c.JSON(http.StatusCreated, r)
}

// mercadoPagoHook takes Mercado Pago's payment notifications: verified by
// their x-signature, they only wake the recharge, which reads the payment
// back before crediting anything. A notification of a payment we do not
// know is answered 200 (Mercado Pago would retry it for days).
func (s *Server) mercadoPagoHook(c *gin.Context) {
	if s.Pix == nil {
		problem(c, http.StatusNotFound, "recharges by Pix are off", "")
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		problem(c, http.StatusBadRequest, "unreadable body", "")
		return
	}
	n, err := s.Pix.Verify(c.Request, body)
	if errors.Is(err, billing.ErrBadSignature) {
		problem(c, http.StatusUnauthorized, err.Error(), "x-signature")
		return
	}
	if err != nil {
		problem(c, http.StatusBadRequest, err.Error(), "data.id")
		return
	}
	if n.PaymentID == "" {
		c.Status(http.StatusOK) // not about a payment
		return
	}
	r, err := billing.ByPayment(c, s.DB, s.Pix.Name(), n.PaymentID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		c.Status(http.StatusOK)
		return
	}
	if err != nil {
		s.internalError(c, "payment notification", err)
		return
	}
	err = s.Temporal.SignalWorkflow(c, workflows.RechargeWorkflowID(r.ID), "", workflows.SignalPaymentNotified, n.PaymentID)
	var gone *serviceerror.NotFound
	if err != nil && !errors.As(err, &gone) {
		s.internalError(c, "payment notification", err) // 5xx: Mercado Pago tries again
		return
	}
	c.Status(http.StatusOK)
}

type quoteRequest struct {
	Text string `json:"text"`
}

// ledgerPage is a page of the statement; next_before names the entry to
// continue before ("" at the end).
type ledgerPage struct {
	Entries    []billing.Entry `json:"entries"`
	NextBefore string          `json:"next_before"`
}

// rechargeList lists recent recharges, newest first, without their QR
// images.
type rechargeList struct {
	Recharges []billing.Recharge `json:"recharges"`
}

// QuoteView is what a text would cost to send in a conversation: on a
// metered channel (SMS) its segments, encoding and cost.
type QuoteView struct {
	Metered      bool   `json:"metered"`
	Units        int    `json:"units"`
	Encoding     string `json:"encoding"`   // gsm7 or ucs2
	Characters   int    `json:"characters"` // as the provider counts them
	UnitCents    int64  `json:"unit_cents"`
	Cents        int64  `json:"cents"`
	BalanceCents int64  `json:"balance_cents"`
}

// quote prices a text in a conversation as the composer's agent types:
// segments, encoding and cost on metered channels (SMS), and the balance.
func (s *Server) quote(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	var req quoteRequest
	if !bindJSON(c, &req) {
		return
	}
	var ch store.Channel
	if err := s.DB.WithContext(c).Select("id, kind, settings").Take(&ch, "id = ?", conv.ChannelID).Error; err != nil {
		s.internalError(c, "quote", err)
		return
	}
	a, _ := s.channels().Adapter(ch.Kind)
	pricer, ok := a.(channels.Pricer)
	if !ok || !s.channels().Capabilities(ch.Kind).Metered {
		c.JSON(http.StatusOK, QuoteView{})
		return
	}
	bal, err := billing.Get(c, s.DB, conv.AccountID)
	if err != nil {
		s.internalError(c, "quote", err)
		return
	}
	price := pricer.Price(ch, req.Text)
	c.JSON(http.StatusOK, QuoteView{Metered: true, Units: price.Units, Encoding: price.Encoding, Characters: price.Characters,
		UnitCents: price.UnitCents, Cents: price.Cents(), BalanceCents: bal.BalanceCents})
}

// PaymentProblem is a 402: a send the prepaid balance cannot cover.
type PaymentProblem struct {
	Problem
	BalanceCents int64 `json:"balance_cents"`
	MissingCents int64 `json:"missing_cents"`
}

// insufficientBalance answers 402 when err is a send refused for want of
// balance, with the balance and the missing amount.
func insufficientBalance(c *gin.Context, err error) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != activities.ErrInsufficientBalance {
		return false
	}
	var d activities.InsufficientBalance
	_ = app.Details(&d)
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(http.StatusPaymentRequired, PaymentProblem{Problem: Problem{Type: "about:blank", Title: http.StatusText(http.StatusPaymentRequired),
		Status: http.StatusPaymentRequired, Detail: app.Message(), Field: "balance"}, BalanceCents: d.BalanceCents, MissingCents: d.MissingCents})
	return true
}
