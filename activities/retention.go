package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// DefaultEventRetention is how long the agents' event log keeps events
// when the deployment does not say: a stream that reconnects within it
// misses nothing.
const DefaultEventRetention = 7 * 24 * time.Hour

// Retention prunes the agents' realtime event log. The log exists so a
// stream that reconnects misses nothing; it is not an audit trail, and
// without pruning it grows with every message forever.
type Retention struct {
	DB   *gorm.DB
	Keep time.Duration // events older than this go; zero: DefaultEventRetention
}

// pruneBatch bounds each delete so a large backlog never holds the
// database's write lock (SQLite) or a long transaction (PostgreSQL).
const pruneBatch = 5000

// PruneEvents deletes events older than the retention in batches and
// returns how many went. Event ids grow with time, so it finds the first
// event still kept and deletes the ids below it by primary key.
func (r *Retention) PruneEvents(ctx context.Context) (int64, error) {
	keep := r.Keep
	if keep <= 0 {
		keep = DefaultEventRetention
	}
	cutoff := time.Now().UTC().Add(-keep)
	db := r.DB.WithContext(ctx)
	var below int64
	var kept []int64
	if err := db.Model(&store.Event{}).Where("created_at >= ?", cutoff).Order("id").Limit(1).Pluck("id", &kept).Error; err != nil {
		return 0, err
	}
	if len(kept) > 0 {
		below = kept[0]
	} else if err := db.Model(&store.Event{}).Select("COALESCE(MAX(id), 0) + 1").Scan(&below).Error; err != nil {
		return 0, err
	}
	var total int64
	for {
		res := db.Exec("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ? ORDER BY id LIMIT ?)", below, pruneBatch)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		activity.RecordHeartbeat(ctx, total)
		if res.RowsAffected < pruneBatch {
			return total, nil
		}
	}
}
