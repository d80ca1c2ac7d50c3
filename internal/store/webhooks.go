package store

import "time"

// WebhookEndpoint is an integrator's URL receiving the account's events.
type WebhookEndpoint struct {
	ID             string
	AccountID      string
	URL            string `gorm:"column:url"`
	Secret         string
	Events         string // comma-separated; "" = every event
	Enabled        bool
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookDelivery is one event for one endpoint; Seq orders an endpoint's
// deliveries, ID (the X-Chatspot-Delivery header) stays the same across
// retries.
type WebhookDelivery struct {
	Seq            int64 `gorm:"primaryKey;autoIncrement"`
	ID             string
	AccountID      string
	EndpointID     string
	EventID        string
	Event          string
	Payload        string
	Status         string // pending, delivered, failed
	Relayed        bool
	Attempts       int
	LastStatusCode int
	LastError      string
	LastDurationMs int
	DeliveredAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	ID         string
	DeliveryID string
	Attempt    int
	StatusCode int
	Error      string
	DurationMs int
	CreatedAt  time.Time
}
