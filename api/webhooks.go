package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/egress"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
	"github.com/chatspot/chatspot/workflows"
)

// WebhookEndpointView is an endpoint as admins see it; the secret is shown
// only when created or rotated.
type WebhookEndpointView struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabled_reason"`
	SecretHint     string    `json:"secret_hint"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Secret         string    `json:"secret,omitempty"`
}

func (s *Server) endpointView(ep store.WebhookEndpoint) WebhookEndpointView {
	hint := "…????" // sealed under another key: rotating the secret fixes it
	if secret, err := s.box.Open(ep.Secret); err == nil {
		hint = "…" + secret[max(0, len(secret)-4):]
	}
	return WebhookEndpointView{ID: ep.ID, URL: ep.URL, Events: store.SplitTags(ep.Events), Enabled: ep.Enabled, DisabledReason: ep.DisabledReason,
		SecretHint: hint, CreatedAt: ep.CreatedAt.UTC(), UpdatedAt: ep.UpdatedAt.UTC()}
}

// WebhookDeliveryView is a delivery in the log.
type WebhookDeliveryView struct {
	ID             string          `json:"id"`
	EndpointID     string          `json:"endpoint_id"`
	EventID        string          `json:"event_id"`
	Event          string          `json:"event"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	LastStatusCode int             `json:"last_status_code"`
	LastError      string          `json:"last_error"`
	LastDurationMs int             `json:"last_duration_ms"`
	Payload        json.RawMessage `json:"payload"`
	CreatedAt      time.Time       `json:"created_at"`
	DeliveredAt    *time.Time      `json:"delivered_at"`
}

func deliveryView(d store.WebhookDelivery) WebhookDeliveryView {
	return WebhookDeliveryView{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, Event: d.Event, Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, LastDurationMs: d.LastDurationMs, Payload: json.RawMessage(d.Payload),
		CreatedAt: d.CreatedAt.UTC(), DeliveredAt: utcPtr(d.DeliveredAt)}
}

func (s *Server) listWebhookEvents(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": webhooks.Events})
}

func (s *Server) listWebhooks(c *gin.Context) {
	var eps []store.WebhookEndpoint
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("created_at").Find(&eps).Error; err != nil {
		s.internalError(c, "webhooks", err)
		return
	}
	items := make([]WebhookEndpointView, 0, len(eps))
	for _, ep := range eps {
		items = append(items, s.endpointView(ep))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func newWebhookSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

func (s *Server) checkWebhookURL(c *gin.Context, raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if len(raw) > 2000 {
		problem(c, http.StatusUnprocessableEntity, "url: at most 2000 characters", "url")
		return "", false
	}
	if err := egress.CheckURL(raw, s.AllowPrivateURLs); err != nil {
		problem(c, http.StatusUnprocessableEntity, "url: "+err.Error(), "url")
		return "", false
	}
	return raw, true
}

func checkWebhookEvents(c *gin.Context, events []string) (string, bool) {
	for _, e := range events {
		if !slices.Contains(webhooks.Events, e) {
			problem(c, http.StatusUnprocessableEntity, "events: unknown event "+strconv.Quote(e)+"; GET /api/v1/webhook-events lists them", "events")
			return "", false
		}
	}
	return strings.Join(slices.Compact(slices.Sorted(slices.Values(events))), ","), true
}

// createWebhookRequest is the body createWebhook accepts.
type createWebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (s *Server) createWebhook(c *gin.Context) {
	var req createWebhookRequest
	if !bindJSON(c, &req) {
		return
	}
	u, ok := s.checkWebhookURL(c, req.URL)
	if !ok {
		return
	}
	evs, ok := checkWebhookEvents(c, req.Events)
	if !ok {
		return
	}
	p := principal(c)
	secret := newWebhookSecret()
	sealed, err := s.box.Seal(secret)
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	ep := store.WebhookEndpoint{ID: store.NewID(), AccountID: p.AccountID, URL: u, Secret: sealed, Events: evs, Enabled: true}
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&ep).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "webhook.created", ep.ID, ep.URL)
	})
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	webhooks.Forget(p.AccountID)
	v := s.endpointView(ep)
	v.Secret = secret
	c.JSON(http.StatusCreated, v)
}

func (s *Server) webhookOf(c *gin.Context) (store.WebhookEndpoint, bool) {
	var ep store.WebhookEndpoint
	if err := s.DB.WithContext(c).Take(&ep, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such webhook endpoint", "id")
		return ep, false
	}
	return ep, true
}

// updateWebhookRequest is the body updateWebhook accepts.
type updateWebhookRequest struct {
	URL     *string   `json:"url"`
	Events  *[]string `json:"events"`
	Enabled *bool     `json:"enabled"`
}

// updateWebhook edits the URL and events, and turns the endpoint off or
// back on; turned on, it resumes its queue where it stopped.
func (s *Server) updateWebhook(c *gin.Context) {
	ep, ok := s.webhookOf(c)
	if !ok {
		return
	}
	var req updateWebhookRequest
	if !bindJSON(c, &req) {
		return
	}
	fields := map[string]any{"updated_at": time.Now().UTC()}
	if req.URL != nil {
		u, ok := s.checkWebhookURL(c, *req.URL)
		if !ok {
			return
		}
		fields["url"] = u
	}
	if req.Events != nil {
		evs, ok := checkWebhookEvents(c, *req.Events)
		if !ok {
			return
		}
		fields["events"] = evs
	}
	if req.Enabled != nil {
		fields["enabled"] = *req.Enabled
		if *req.Enabled {
			fields["disabled_reason"] = ""
		}
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ep).Updates(fields).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "webhook.updated", ep.ID, ep.URL)
	})
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	webhooks.Forget(ep.AccountID)
	if req.Enabled != nil && *req.Enabled {
		s.resumeWebhook(c, ep)
	}
	s.DB.WithContext(c).Take(&ep, "id = ?", ep.ID)
	c.JSON(http.StatusOK, s.endpointView(ep))
}

// resumeWebhook wakes the endpoint's queue after it was enabled again.
func (s *Server) resumeWebhook(ctx context.Context, ep store.WebhookEndpoint) {
	_, err := s.Temporal.SignalWithStartWorkflow(ctx, workflows.WebhookEndpointWorkflowID(ep.ID), workflows.SignalWebhookResume, nil,
		client.StartWorkflowOptions{TaskQueue: s.Inbox.Queue()}, workflows.WebhookEndpoint, workflows.WebhookEndpointInput{AccountID: ep.AccountID, EndpointID: ep.ID})
	if err != nil {
		s.Logger.Warn("resume webhook", "endpoint", ep.ID, "error", err)
	}
}

func (s *Server) deleteWebhook(c *gin.Context) {
	ep, ok := s.webhookOf(c)
	if !ok {
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		deliveries := tx.Model(&store.WebhookDelivery{}).Select("id").Where("endpoint_id = ?", ep.ID)
		if err := tx.Where("delivery_id IN (?)", deliveries).Delete(&store.WebhookAttempt{}).Error; err != nil {
			return err
		}
		if err := tx.Where("endpoint_id = ?", ep.ID).Delete(&store.WebhookDelivery{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&ep).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "webhook.deleted", ep.ID, ep.URL)
	})
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	webhooks.Forget(ep.AccountID)
	// Its queue ends by itself at the next delivery; end an idle one now.
	_ = s.Temporal.TerminateWorkflow(c, workflows.WebhookEndpointWorkflowID(ep.ID), "", "endpoint deleted")
	c.Status(http.StatusNoContent)
}

func (s *Server) rotateWebhookSecret(c *gin.Context) {
	ep, ok := s.webhookOf(c)
	if !ok {
		return
	}
	secret := newWebhookSecret()
	sealed, err := s.box.Seal(secret)
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ep).Updates(map[string]any{"secret": sealed, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "webhook.secret_rotated", ep.ID, ep.URL)
	})
	if err != nil {
		s.internalError(c, "webhook", err)
		return
	}
	c.JSON(http.StatusOK, rotatedSecret{Secret: secret})
}

// pingWebhook queues a "ping" event for this endpoint only.
func (s *Server) pingWebhook(c *gin.Context) {
	ep, ok := s.webhookOf(c)
	if !ok {
		return
	}
	var d store.WebhookDelivery
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var err error
		d, err = webhooks.EnqueueTo(tx, ep, webhooks.NewEnvelope(ep.AccountID, webhooks.Ping, gin.H{"endpoint_id": ep.ID}))
		return err
	})
	if err != nil {
		s.internalError(c, "ping", err)
		return
	}
	c.JSON(http.StatusAccepted, deliveryView(d))
}

// listWebhookDeliveries is an endpoint's delivery log, newest first.
func (s *Server) listWebhookDeliveries(c *gin.Context) {
	ep, ok := s.webhookOf(c)
	if !ok {
		return
	}
	q := s.DB.WithContext(c).Where("endpoint_id = ?", ep.ID)
	if st := c.Query("status"); st != "" {
		if !slices.Contains([]string{"pending", "delivered", "failed"}, st) {
			problem(c, http.StatusBadRequest, "status: pending, delivered or failed", "status")
			return
		}
		q = q.Where("status = ?", st)
	}
	if cur := c.Query("cursor"); cur != "" {
		seq, err := strconv.ParseInt(cur, 10, 64)
		if err != nil {
			problem(c, http.StatusBadRequest, "cursor: the next_cursor of a previous page", "cursor")
			return
		}
		q = q.Where("seq < ?", seq)
	}
	const page = 50
	var ds []store.WebhookDelivery
	if err := q.Order("seq DESC").Limit(page + 1).Find(&ds).Error; err != nil {
		s.internalError(c, "deliveries", err)
		return
	}
	next := ""
	if len(ds) > page {
		ds = ds[:page]
		next = strconv.FormatInt(ds[page-1].Seq, 10)
	}
	items := make([]WebhookDeliveryView, 0, len(ds))
	for _, d := range ds {
		items = append(items, deliveryView(d))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

func (s *Server) deliveryOf(c *gin.Context) (store.WebhookDelivery, bool) {
	var d store.WebhookDelivery
	if err := s.DB.WithContext(c).Take(&d, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such delivery", "id")
		return d, false
	}
	return d, true
}

func (s *Server) getWebhookDelivery(c *gin.Context) {
	d, ok := s.deliveryOf(c)
	if !ok {
		return
	}
	var attempts []store.WebhookAttempt
	if err := s.DB.WithContext(c).Where("delivery_id = ?", d.ID).Order("attempt, created_at").Find(&attempts).Error; err != nil {
		s.internalError(c, "delivery", err)
		return
	}
	log := make([]WebhookAttemptView, 0, len(attempts))
	for _, a := range attempts {
		log = append(log, WebhookAttemptView{Attempt: a.Attempt, StatusCode: a.StatusCode, Error: a.Error, DurationMs: a.DurationMs, At: a.CreatedAt.UTC()})
	}
	c.JSON(http.StatusOK, WebhookDeliveryDetail{deliveryView(d), log})
}

// WebhookDeliveryDetail is a delivery with every attempt made.
type WebhookDeliveryDetail struct {
	WebhookDeliveryView
	AttemptsLog []WebhookAttemptView `json:"attempts_log"`
}

// WebhookAttemptView is one try of a delivery.
type WebhookAttemptView struct {
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"` // 0: no answer (Error says why)
	Error      string    `json:"error"`
	DurationMs int       `json:"duration_ms"`
	At         time.Time `json:"at"`
}

// rotatedSecret shows a new signing secret, once.
type rotatedSecret struct {
	Secret string `json:"secret"`
}

// replayWebhookDelivery sends a delivery's event again: the same event id
// and body under a new delivery id, after what is already queued.
func (s *Server) replayWebhookDelivery(c *gin.Context) {
	d, ok := s.deliveryOf(c)
	if !ok {
		return
	}
	var again store.WebhookDelivery
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var err error
		again, err = webhooks.Redeliver(tx, d)
		return err
	})
	if err != nil {
		s.internalError(c, "replay", err)
		return
	}
	c.JSON(http.StatusCreated, deliveryView(again))
}
