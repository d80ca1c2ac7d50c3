package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
)

// Headers of a webhook delivery.
const (
	HeaderWebhookEvent     = "X-Chatspot-Event"
	HeaderWebhookDelivery  = "X-Chatspot-Delivery" // the same on every retry
	HeaderWebhookEventID   = "X-Chatspot-Event-Id"
	HeaderWebhookTimestamp = "X-Chatspot-Timestamp"
	HeaderWebhookSignature = "X-Chatspot-Signature" // sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">
)

// ErrEndpointGone stops the deliveries of a deleted endpoint.
const ErrEndpointGone = "EndpointGone"

// Endpoint states the endpoint workflow tells apart.
const (
	EndpointEnabled  = "enabled"
	EndpointDisabled = "disabled"
	EndpointGone     = "gone"
)

// Webhooks delivers the account webhooks.
type Webhooks struct {
	DB      *gorm.DB
	HTTP    *http.Client // nil: a client with a 10 s timeout
	Secrets *secrets.Box // opens the endpoints' signing secrets
}

// WebhookRef names a delivery.
type WebhookRef struct {
	AccountID, DeliveryID string
}

// EndpointRef names an endpoint.
type EndpointRef struct {
	AccountID, EndpointID string
}

// EndpointState answers whether the endpoint takes deliveries now.
func (w *Webhooks) EndpointState(ctx context.Context, in EndpointRef) (string, error) {
	var ep store.WebhookEndpoint
	err := w.DB.WithContext(ctx).Take(&ep, "id = ? AND account_id = ?", in.EndpointID, in.AccountID).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return EndpointGone, nil
	case err != nil:
		return "", err
	case !ep.Enabled:
		return EndpointDisabled, nil
	}
	return EndpointEnabled, nil
}

// DeliverWebhook posts the delivery, signed, and records the attempt. A
// 2xx answer delivers it; anything else is an error Temporal retries.
func (w *Webhooks) DeliverWebhook(ctx context.Context, in WebhookRef) error {
	var d store.WebhookDelivery
	if err := w.DB.WithContext(ctx).Take(&d, "id = ? AND account_id = ?", in.DeliveryID, in.AccountID).Error; err != nil {
		return err
	}
	if d.Status == "delivered" {
		return nil
	}
	var ep store.WebhookEndpoint
	if err := w.DB.WithContext(ctx).Take(&ep, "id = ?", d.EndpointID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return temporal.NewNonRetryableApplicationError("the endpoint was deleted", ErrEndpointGone, err)
		}
		return err
	}
	secret, err := w.Secrets.Open(ep.Secret)
	if err != nil {
		return err // a worker without the right key: retried until it has it
	}
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader([]byte(d.Payload)))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("bad endpoint URL: "+err.Error(), ErrEndpointGone, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "CHATSPOT-Webhooks/1")
	req.Header.Set(HeaderWebhookEvent, d.Event)
	req.Header.Set(HeaderWebhookDelivery, d.ID)
	req.Header.Set(HeaderWebhookEventID, d.EventID)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderWebhookSignature, apichannel.Sign(secret, ts, []byte(d.Payload)))
	client := w.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	start := time.Now()
	res, err := client.Do(req)
	took := int(time.Since(start).Milliseconds())
	code, failure := 0, ""
	if err != nil {
		failure = err.Error()
	} else {
		res.Body.Close()
		code = res.StatusCode
		if code < 200 || code > 299 {
			failure = fmt.Sprintf("the endpoint answered %d", code)
		}
	}
	attempt := int(activity.GetInfo(ctx).Attempt)
	now := time.Now().UTC()
	update := map[string]any{"attempts": attempt, "last_status_code": code, "last_error": failure, "last_duration_ms": took, "updated_at": now}
	if failure == "" {
		update["status"], update["delivered_at"] = "delivered", now
	}
	if err := w.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a := store.WebhookAttempt{ID: store.NewID(), DeliveryID: d.ID, Attempt: attempt, StatusCode: code, Error: failure, DurationMs: took, CreatedAt: now}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return tx.Model(&d).Updates(update).Error
	}); err != nil {
		return err
	}
	if failure != "" {
		metrics.WebhookDeliveries.WithLabelValues("failed").Inc()
		return errors.New(failure)
	}
	metrics.WebhookDeliveries.WithLabelValues("delivered").Inc()
	return nil
}

// FailWebhookInput marks a delivery failed for good.
type FailWebhookInput struct {
	AccountID, DeliveryID, Reason string
}

// FailWebhook records that a delivery ran out of retries and returns why
// its last attempt failed (or the reason given, without any attempt).
func (w *Webhooks) FailWebhook(ctx context.Context, in FailWebhookInput) (string, error) {
	var d store.WebhookDelivery
	if err := w.DB.WithContext(ctx).Take(&d, "id = ? AND account_id = ?", in.DeliveryID, in.AccountID).Error; err != nil {
		return "", err
	}
	reason := d.LastError
	if reason == "" {
		reason = in.Reason
	}
	err := w.DB.WithContext(ctx).Model(&d).Updates(map[string]any{"status": "failed", "last_error": reason, "updated_at": time.Now().UTC()}).Error
	return reason, err
}

// DisableInput turns an endpoint off with the reason shown to admins.
type DisableInput struct {
	AccountID, EndpointID, Reason string
}

// DisableEndpoint turns off an endpoint that kept failing.
func (w *Webhooks) DisableEndpoint(ctx context.Context, in DisableInput) error {
	return w.DB.WithContext(ctx).Model(&store.WebhookEndpoint{}).Where("id = ? AND account_id = ?", in.EndpointID, in.AccountID).
		Updates(map[string]any{"enabled": false, "disabled_reason": in.Reason, "updated_at": time.Now().UTC()}).Error
}
