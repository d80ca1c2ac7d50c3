package worker

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// Relay is the outbox relay of the account webhooks: it hands new
// deliveries to their endpoint's workflow (signal-with-start) and marks
// them relayed. A crash between the two only repeats a signal, which the
// workflow ignores (it keeps the highest seq it queued).
type Relay struct {
	DB        *gorm.DB
	Temporal  client.Client
	TaskQueue string
	Every     time.Duration // how often it looks; zero: 500 ms
	Logger    *slog.Logger
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	every := r.Every
	if every == 0 {
		every = 500 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil && r.Logger != nil {
			r.Logger.Warn("webhook relay", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once relays what is waiting and returns how many deliveries it handed on.
func (r *Relay) Once(ctx context.Context) (int, error) {
	var ds []store.WebhookDelivery
	if err := r.DB.WithContext(ctx).Select("seq, id, account_id, endpoint_id").Where("relayed = ?", false).Order("seq").Limit(500).Find(&ds).Error; err != nil {
		return 0, err
	}
	type batch struct {
		accountID string
		refs      []workflows.DeliveryRef
	}
	var order []string
	batches := map[string]*batch{}
	for _, d := range ds {
		b, ok := batches[d.EndpointID]
		if !ok {
			b = &batch{accountID: d.AccountID}
			batches[d.EndpointID] = b
			order = append(order, d.EndpointID)
		}
		b.refs = append(b.refs, workflows.DeliveryRef{ID: d.ID, Seq: d.Seq})
	}
	n := 0
	for _, ep := range order {
		b := batches[ep]
		_, err := r.Temporal.SignalWithStartWorkflow(ctx, workflows.WebhookEndpointWorkflowID(ep), workflows.SignalWebhookDeliveries, b.refs,
			client.StartWorkflowOptions{TaskQueue: r.TaskQueue}, workflows.WebhookEndpoint, workflows.WebhookEndpointInput{AccountID: b.accountID, EndpointID: ep})
		if err != nil {
			return n, err
		}
		seqs := make([]int64, len(b.refs))
		for i, ref := range b.refs {
			seqs[i] = ref.Seq
		}
		if err := r.DB.WithContext(ctx).Model(&store.WebhookDelivery{}).Where("seq IN ?", seqs).Update("relayed", true).Error; err != nil {
			return n, err
		}
		n += len(b.refs)
	}
	return n, nil
}
