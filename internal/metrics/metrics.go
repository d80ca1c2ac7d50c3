// Package metrics holds CHATSPOT's Prometheus metrics, registered in the
// default registry and served by Handler on the --metrics-addr listener of
// serve, worker and dev (a port of its own, not the public one).
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"
)

var (
	// HTTPRequests counts answered requests by route pattern (not the
	// path: ids would explode the series), method and status.
	HTTPRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "chatspot_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
	}, []string{"route", "method", "status"})
	// HTTPDuration is how long requests took, by route and method.
	HTTPDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chatspot_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
	}, []string{"route", "method"})
	// Inbound counts customers' messages stored (duplicates not), by
	// channel kind.
	Inbound = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "chatspot_inbound_messages_total", Help: "Inbound messages stored, by channel kind.",
	}, []string{"kind"})
	// Sends counts delivery attempts of agents' messages by channel kind
	// and outcome: sent, refused (the provider's final no), retried.
	Sends = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "chatspot_sends_total", Help: "Outbound delivery attempts, by channel kind and outcome (sent, refused, retried).",
	}, []string{"kind", "outcome"})
	// DeliveryLatency is the time from a message being stored to its
	// provider accepting it, by channel kind.
	DeliveryLatency = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chatspot_delivery_latency_seconds", Help: "From an outbound message stored to its provider accepting it, by channel kind.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
	}, []string{"kind"})
	// WebhookDeliveries counts attempts to deliver integrators' webhooks
	// by outcome: delivered, failed (this attempt).
	WebhookDeliveries = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "chatspot_webhook_deliveries_total", Help: "Webhook delivery attempts to integrators' endpoints, by outcome (delivered, failed).",
	}, []string{"outcome"})
)

// Handler serves the metrics in Prometheus' text format.
func Handler() http.Handler { return promhttp.Handler() }

// Serve serves /metrics on a listener of its own at addr ("" is none) and
// returns what stops it. A listener that cannot start is logged, not
// fatal: serving customers matters more than being scraped.
func Serve(addr string, db *gorm.DB, log *slog.Logger) (stop func()) {
	if addr == "" {
		return func() {}
	}
	RegisterChannelStates(db)
	mux := http.NewServeMux()
	mux.Handle("/metrics", Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "addr", addr, "error", err)
		}
	}()
	return func() { _ = srv.Close() }
}

// Observe records one answered HTTP request.
func Observe(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	HTTPRequests.WithLabelValues(route, method, http.StatusText(status)).Inc()
	HTTPDuration.WithLabelValues(route, method).Observe(took.Seconds())
}

// channelStates reports how many channels are in each state, by kind,
// read from the database at each scrape.
type channelStates struct {
	mu   sync.Mutex
	db   *gorm.DB
	desc *prometheus.Desc
}

var states = &channelStates{desc: prometheus.NewDesc("chatspot_channels",
	"Channels by kind and state (connected, disconnected, needs_reauth, banned, pending, inactive).", []string{"kind", "state"}, nil)}

var registerStates sync.Once

// RegisterChannelStates adds the channels-by-state gauge, read from db
// (the latest database given, for tests that open several).
func RegisterChannelStates(db *gorm.DB) {
	states.mu.Lock()
	states.db = db
	states.mu.Unlock()
	registerStates.Do(func() { prometheus.MustRegister(states) })
}

func (c *channelStates) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *channelStates) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	db := c.db
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var rows []struct {
		Kind   string
		Active bool
		Status string
		N      int64
	}
	if err := db.WithContext(ctx).Table("channels").Select("kind, active, status, COUNT(*) AS n").Group("kind, active, status").Scan(&rows).Error; err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	sums := map[[2]string]int64{}
	for _, r := range rows {
		state := r.Status
		switch {
		case !r.Active:
			state = "inactive"
		case state == "":
			state = "active" // kinds without a connection
		}
		sums[[2]string{r.Kind, state}] += r.N
	}
	for k, n := range sums {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}
