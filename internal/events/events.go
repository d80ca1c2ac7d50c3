// Package events is the realtime path to agents' screens: writes append
// events to a log table in their own transaction, and a bus wakes the
// streams up to read it. Because the log is the source and the bus only a
// wake-up, a stream that reconnects with its last event id misses nothing,
// and a lost wake-up only delays an event until the next poll.
package events

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// Kinds of event.
const (
	MessageCreated       = "message.created"
	MessageStatusChanged = "message.status_changed"
	ConversationUpdated  = "conversation.updated"
)

// Append writes an event in tx. On PostgreSQL a transaction-scoped lock
// makes events commit in id order, so a reader that has seen id N never
// later finds an N-1 committed behind it.
func Append(tx *gorm.DB, accountID, kind string, conv *store.Conversation, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if tx.Dialector.Name() == "postgres" {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(7233081)").Error; err != nil {
			return err
		}
	}
	ev := store.Event{AccountID: accountID, Kind: kind, Payload: string(data), CreatedAt: time.Now().UTC()}
	if conv != nil {
		ev.ConversationID, ev.AssigneeID, ev.TeamID = &conv.ID, conv.AssigneeID, conv.TeamID
	}
	return tx.Create(&ev).Error
}

// After reads up to limit events of the account with ids above afterID.
func After(ctx context.Context, db *gorm.DB, accountID string, afterID int64, limit int) ([]store.Event, error) {
	var out []store.Event
	err := db.WithContext(ctx).Where("account_id = ? AND id > ?", accountID, afterID).Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// LastID is the newest event id of the account, where a fresh stream
// starts.
func LastID(ctx context.Context, db *gorm.DB, accountID string) (int64, error) {
	var id *int64
	err := db.WithContext(ctx).Model(&store.Event{}).Where("account_id = ?", accountID).Select("MAX(id)").Scan(&id).Error
	if id == nil {
		return 0, err
	}
	return *id, err
}

// Bus wakes up the streams of an account after its events committed.
type Bus interface {
	Notify(accountID string)
	// Subscribe returns a channel that receives a value after Notify for
	// the account; call cancel when done.
	Subscribe(accountID string) (wake <-chan struct{}, cancel func())
}

// MemoryBus is the bus of a single process (`chatspot dev`).
type MemoryBus struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]bool
}

// Notify wakes every subscriber of the account without blocking.
func (b *MemoryBus) Notify(accountID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[accountID] {
		select {
		case ch <- struct{}{}:
		default: // already has a pending wake-up
		}
	}
}

// Subscribe registers a subscriber for the account.
func (b *MemoryBus) Subscribe(accountID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[string]map[chan struct{}]bool{}
	}
	if b.subs[accountID] == nil {
		b.subs[accountID] = map[chan struct{}]bool{}
	}
	b.subs[accountID][ch] = true
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[accountID], ch)
		b.mu.Unlock()
	}
}
