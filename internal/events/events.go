// Package events is the realtime path to agents' screens: writes append
// events to a log table in their own transaction, and a bus wakes the
// streams up to read it. Because the log is the source and the bus only a
// wake-up, a stream that reconnects with its last position misses nothing,
// and a lost wake-up only delays an event until the next poll.
package events

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	MessageUpdated       = "message.updated"  // the full view again: an edit, a file fetched
	ChannelUpdated       = "channel.updated"  // a channel's health or activation progress
	TemplateUpdated      = "template.updated" // a message template created, synced or reviewed
	// BillingUpdated: the prepaid balance moved or a recharge changed
	// ({balance_cents, recharge}); BillingLowBalance: it fell below the
	// account's alert threshold. Seen by those who manage billing.
	BillingUpdated    = "billing.updated"
	BillingLowBalance = "billing.low_balance"
)

// Position is a place in the log. Events are read in (Tx, ID) order: Tx is
// the PostgreSQL transaction that wrote the event (0 on SQLite, whose one
// writer at a time makes ids follow commit order, and for events written
// before positions existed).
//
// PostgreSQL hands out ids when rows are inserted, not when they commit,
// so an event with a lower id can become visible after one with a higher
// id. A reader that went by id alone would skip it; a global lock taken
// until commit would serialise every write of every account behind it. A
// reader here takes only events of transactions older than the oldest
// one still running (the snapshot's xmin): those are all finished, and
// every event not yet visible belongs to a transaction at or after xmin,
// so it sorts after everything read so far.
type Position struct {
	Tx int64
	ID int64
}

// String is the position as streams send it in the SSE id field.
func (p Position) String() string {
	if p.Tx == 0 {
		return strconv.FormatInt(p.ID, 10)
	}
	return strconv.FormatInt(p.Tx, 10) + "-" + strconv.FormatInt(p.ID, 10)
}

// ParsePosition reads what String wrote; a bare number is an event id of
// the time before positions (and SQLite's form).
func ParsePosition(s string) (Position, error) {
	tx, id, found := strings.Cut(s, "-")
	if !found {
		tx, id = "0", s
	}
	var p Position
	var err1, err2 error
	p.Tx, err1 = strconv.ParseInt(tx, 10, 64)
	p.ID, err2 = strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || p.Tx < 0 || p.ID < 0 {
		return Position{}, fmt.Errorf("%q is not an event position", s)
	}
	return p, nil
}

// PositionOf is where ev is in the log.
func PositionOf(ev store.Event) Position { return Position{Tx: ev.TxID, ID: ev.ID} }

// Append writes an event in tx. On PostgreSQL the row records the id of
// the transaction inserting it, which orders the event for readers (see
// Position); the same statement takes it, so it is right whether or not tx
// is a transaction.
func Append(tx *gorm.DB, accountID, kind string, conv *store.Conversation, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	var convID, assignee, team *string
	if conv != nil {
		convID, assignee, team = &conv.ID, conv.AssigneeID, conv.TeamID
	}
	txID := "0"
	if tx.Dialector.Name() == "postgres" {
		txID = "pg_current_xact_id()::text::bigint"
	}
	return tx.Exec(`INSERT INTO events (account_id, kind, conversation_id, assignee_id, team_id, payload, created_at, tx_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, `+txID+`)`, accountID, kind, convID, assignee, team, string(data), time.Now().UTC()).Error
}

// readyColumn tells, per row, whether its transaction is older than every
// running one (see Position); on SQLite every committed row is.
func readyColumn(db *gorm.DB) string {
	if db.Dialector.Name() == "postgres" {
		return "tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
	}
	return "1 = 1"
}

type readyEvent struct {
	store.Event
	Ready bool
}

// After reads up to limit events of the account after the position, in
// log order. pending reports committed events that cannot be read yet
// because an older transaction is still running; read again shortly.
func After(ctx context.Context, db *gorm.DB, accountID string, after Position, limit int) (evs []store.Event, pending bool, err error) {
	rows, err := read(ctx, db, accountID, after, limit)
	evs, held := ready(rows)
	return evs, held, err
}

func read(ctx context.Context, db *gorm.DB, accountID string, after Position, limit int) ([]readyEvent, error) {
	var rows []readyEvent
	err := db.WithContext(ctx).Model(&store.Event{}).Select("*, "+readyColumn(db)+" AS ready").
		Where("account_id = ? AND (tx_id, id) > (?, ?)", accountID, after.Tx, after.ID).
		Order("tx_id, id").Limit(limit).Find(&rows).Error
	return rows, err
}

// ready returns the rows before the first one that is not ready yet, and
// whether there was such a row.
func ready(rows []readyEvent) (evs []store.Event, held bool) {
	for _, r := range rows {
		if !r.Ready {
			return evs, true
		}
		evs = append(evs, r.Event)
	}
	return evs, false
}

// MaxHold is how long a Reader waits for a transaction that stays open
// (an operator's forgotten psql session, say) before reading past it.
const MaxHold = 10 * time.Second

// Reader reads one stream's way through an account's log. It waits for
// older transactions like After, but not for ever: once events have been
// held back for MaxHold it reads past the open transaction until that
// one ends. Events the open transaction commits afterwards reach agents'
// screens when they reload, not live.
type Reader struct {
	DB        *gorm.DB
	AccountID string
	MaxHold   time.Duration // 0: MaxHold
	// Bypass, if set, is called when the reader starts reading past an
	// open transaction.
	Bypass func(heldFor time.Duration)
	// Shared, if set, merges this reader's queries with other streams'
	// identical ones; the rows it returns are shared and never modified.
	Shared *SharedReads

	heldSince time.Time
	bypass    bool
}

// Next reads up to limit events after the position; pending as in After.
func (r *Reader) Next(ctx context.Context, after Position, limit int) (evs []store.Event, pending bool, err error) {
	rows, err := r.Shared.read(ctx, r.DB, r.AccountID, after, limit)
	if err != nil {
		return nil, false, err
	}
	evs, held := ready(rows)
	if !held {
		r.heldSince, r.bypass = time.Time{}, false
		return evs, false, nil
	}
	if r.heldSince.IsZero() {
		r.heldSince = time.Now()
	}
	if !r.bypass && time.Since(r.heldSince) >= cmp.Or(r.MaxHold, MaxHold) {
		r.bypass = true
		if r.Bypass != nil {
			r.Bypass(time.Since(r.heldSince))
		}
	}
	if !r.bypass {
		return evs, true, nil
	}
	all := make([]store.Event, len(rows))
	for i, row := range rows {
		all[i] = row.Event
	}
	return all, false, nil
}

// Last is the position of the account's newest readable event, where a
// fresh stream starts.
func Last(ctx context.Context, db *gorm.DB, accountID string) (Position, error) {
	var evs []store.Event
	err := db.WithContext(ctx).Select("tx_id, id").Where("account_id = ? AND "+readyColumn(db), accountID).
		Order("tx_id DESC, id DESC").Limit(1).Find(&evs).Error
	if err != nil || len(evs) == 0 {
		return Position{}, err
	}
	return PositionOf(evs[0]), nil
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
