package inbox

import (
	"context"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// SweepDelay is how long a stored message may wait for its hand-over
// before the sweeper does it: longer than a busy burst's backlog, so the
// sweeper does not signal what the workflows are about to take anyway.
const SweepDelay = time.Minute

// sweepBatch bounds one sweep's work; the next sweep takes the rest.
const sweepBatch = 500

// SweepInbound is the activity of the InboundSweep workflow: it hands
// over to their workflows the inbound messages stored but not taken in
// after SweepDelay (Temporal was unreachable when they came, or the
// process died between commit and signal), and starts the fetch of files
// left pending. A message its workflow already has is recognised there
// and not taken twice.
func (ib *Inbox) SweepInbound(ctx context.Context) (int, error) {
	cutoff := time.Now().UTC().Add(-SweepDelay)
	var msgs []store.Message
	if err := ib.DB.WithContext(ctx).Where("direction = 'inbound' AND recorded_at IS NULL AND updated_at < ?", cutoff).
		Order("updated_at").Limit(sweepBatch).Find(&msgs).Error; err != nil {
		return 0, err
	}
	chs := map[string]store.Channel{}
	handed := 0
	for _, m := range msgs {
		ch, ok := chs[m.ChannelID]
		if !ok {
			if err := ib.DB.WithContext(ctx).Take(&ch, "id = ?", m.ChannelID).Error; err != nil {
				return handed, err
			}
			chs[m.ChannelID] = ch
		}
		if err := ib.signal(ctx, ch, m); err != nil {
			return handed, err
		}
		handed++
	}
	var media []store.InboundMedia
	if err := ib.DB.WithContext(ctx).Where("status = ? AND created_at < ?", store.MediaPending, cutoff).
		Order("created_at").Limit(sweepBatch).Find(&media).Error; err != nil {
		return handed, err
	}
	for _, m := range media {
		if err := ib.fetchMedia(ctx, m); err != nil {
			return handed, err
		}
	}
	if handed > 0 {
		ib.log().Info("inbound sweep handed messages to their conversations", "count", handed)
	}
	return handed, nil
}
