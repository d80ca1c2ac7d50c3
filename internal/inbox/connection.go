package inbox

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// Connections runs channels' stateful connections (the
// ChannelConnection workflow's activity) and feeds what they receive to
// the inbox.
type Connections struct {
	Inbox    *Inbox
	Channels *channels.Registry
	Secrets  *secrets.Box
	Env      func(store.Channel) channels.Env
	// Queue is this worker's own task queue: recorded on channels whose
	// sends need the connection, while this worker holds it.
	Queue string
}

// heartbeatEvery keeps the connection's activity alive well inside its
// heartbeat timeout; a worker that stops heartbeating loses it.
const heartbeatEvery = 10 * time.Second

// RunConnection holds the channel's connection open until the attempt's
// time is nearly up (the workflow starts the next attempt), the channel no
// longer needs it (Done), or it fails (retried with backoff).
func (c *Connections) RunConnection(ctx context.Context, ref activities.ChannelRef) (workflows.ConnectionResult, error) {
	var ch store.Channel
	if err := c.Inbox.DB.WithContext(ctx).Take(&ch, "id = ? AND account_id = ?", ref.ChannelID, ref.AccountID).Error; err != nil {
		return workflows.ConnectionResult{Done: true}, nil // deleted
	}
	a, ok := c.Channels.Adapter(ch.Kind)
	conn, stateful := a.(channels.Connector)
	if !ok || !stateful || !ch.Active {
		return workflows.ConnectionResult{Done: true}, nil
	}
	stored := ch.Settings
	opened, err := c.Secrets.OpenJSON(ch.Settings)
	if err != nil {
		return workflows.ConnectionResult{}, err
	}
	ch.Settings = opened
	// End this attempt a little before its StartToClose, so the workflow
	// starts the next one instead of the server timing this one out.
	deadline := activity.GetInfo(ctx).Deadline
	dctx, stopDeadline := context.WithDeadline(ctx, deadline.Add(-time.Minute))
	defer stopDeadline()
	cctx, supersede := context.WithCancel(dctx)
	defer supersede()
	sink := &sink{inbox: c.Inbox, ch: ch}
	go func() {
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
				if c.superseded(cctx, ch.ID, stored, sink) {
					supersede()
				}
			}
		}
	}()
	if a.Kind().Capabilities.SendsOnConnection {
		release, err := c.hold(ctx, ch.ID)
		if err != nil {
			return workflows.ConnectionResult{}, err
		}
		defer release()
	}
	err = conn.Connect(cctx, c.env(ch), ch, sink)
	var perm *channels.PermanentError
	switch {
	case errors.As(err, &perm):
		return workflows.ConnectionResult{Done: true}, nil // the adapter recorded why
	case ctx.Err() != nil:
		return workflows.ConnectionResult{}, ctx.Err() // canceled, or this worker is stopping
	case err != nil:
		return workflows.ConnectionResult{}, err
	case cctx.Err() != nil:
		// The attempt's time is up, or the channel changed under it: go on
		// in a new attempt, which reads the channel again.
		return workflows.ConnectionResult{}, nil
	}
	return workflows.ConnectionResult{Done: true}, nil // nothing to hold open
}

// FetchResource reads the resource a notification named (the
// ResourceFetch workflow's activity) and ingests what it holds. The
// provider's refusal ends the fetch; a revoked token marks the channel.
func (c *Connections) FetchResource(ctx context.Context, ref activities.ResourceRef) error {
	var ch store.Channel
	if err := c.Inbox.DB.WithContext(ctx).Take(&ch, "id = ? AND account_id = ?", ref.ChannelID, ref.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted meanwhile
		}
		return err
	}
	a, _ := c.Channels.Adapter(ch.Kind)
	f, ok := a.(channels.ResourceFetcher)
	if !ok || !ch.Active {
		return nil
	}
	opened, err := c.Secrets.OpenJSON(ch.Settings)
	if err != nil {
		return err
	}
	ch.Settings = opened
	b, err := f.FetchResource(ctx, ch, ref.Ref)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		if perm.Reauth {
			_ = messaging.SetChannelStatus(ctx, c.Inbox.DB, c.Inbox.Bus, ch.ID, store.ChannelNeedsReauth, perm.Reason)
		}
		return temporal.NewNonRetryableApplicationError(perm.Reason, activities.ErrChannelRefused, err)
	}
	if err != nil {
		return err
	}
	_, err = c.Inbox.Receive(ctx, ch, b)
	return err
}

// superseded reports whether the channel changed under a running
// connection so that it must start over with the channel as it is now:
// deactivated, its settings changed (a new password), or activated again
// (the status is back to pending after this connection reported
// connected: a quick off and on that never reached it as a cancel).
func (c *Connections) superseded(ctx context.Context, channelID, stored string, s *sink) bool {
	var now store.Channel
	if err := c.Inbox.DB.WithContext(ctx).Select("active, status, settings").Take(&now, "id = ?", channelID).Error; err != nil {
		return false // unreachable database: keep the connection, the next check decides
	}
	return !now.Active || now.Settings != stored || (now.Status == store.ChannelPending && s.connected.Load())
}

// hold records this worker's queue as where the channel's sends go; the
// release clears it unless another worker has taken over meanwhile.
func (c *Connections) hold(ctx context.Context, channelID string) (release func(), err error) {
	db := c.Inbox.DB
	if err := db.WithContext(ctx).Model(&store.Channel{}).Where("id = ?", channelID).Update("connection_queue", c.Queue).Error; err != nil {
		return nil, err
	}
	return func() {
		// The attempt's context may be over: clear with a fresh one.
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.WithContext(rctx).Model(&store.Channel{}).Where("id = ? AND connection_queue = ?", channelID, c.Queue).Update("connection_queue", "")
	}, nil
}

func (c *Connections) env(ch store.Channel) channels.Env {
	if c.Env == nil {
		return channels.Env{}
	}
	return c.Env(ch)
}

// sink is what a connection delivers to.
type sink struct {
	inbox     *Inbox
	ch        store.Channel
	connected atomic.Bool // the connection reported connected
}

func (s *sink) Deliver(ctx context.Context, b channels.Batch) error {
	_, err := s.inbox.Receive(ctx, s.ch, b)
	return err
}

func (s *sink) Status(ctx context.Context, status, reason string) error {
	if status == store.ChannelConnected {
		s.connected.Store(true)
	}
	return messaging.SetChannelStatus(ctx, s.inbox.DB, s.inbox.Bus, s.ch.ID, status, reason)
}

func (s *sink) Cursor(ctx context.Context, name string) (string, error) {
	var c store.ChannelCursor
	err := s.inbox.DB.WithContext(ctx).Where("channel_id = ? AND name = ?", s.ch.ID, name).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return c.Value, err
}

func (s *sink) SaveCursor(ctx context.Context, name, value string) error {
	c := store.ChannelCursor{ChannelID: s.ch.ID, Name: name, Value: value, UpdatedAt: time.Now().UTC()}
	return s.inbox.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel_id"}, {Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&c).Error
}
