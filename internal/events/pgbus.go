package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// channelName is the PostgreSQL NOTIFY channel; the payload is the account
// id.
const channelName = "chatspot_events"

// PGBus carries wake-ups between processes with PostgreSQL LISTEN/NOTIFY,
// for `serve` and `worker` running apart. Local subscribers hang off a
// MemoryBus fed by one listening connection.
type PGBus struct {
	dsn    string
	local  MemoryBus
	notify chan string
	log    *slog.Logger
}

// NewPGBus starts listening; it reconnects until ctx ends.
func NewPGBus(ctx context.Context, dsn string, log *slog.Logger) *PGBus {
	b := &PGBus{dsn: dsn, notify: make(chan string, 1024), log: log}
	go b.listen(ctx)
	go b.send(ctx)
	return b
}

// Notify sends the wake-up through PostgreSQL, so every process's streams
// of the account read the log. It never blocks the caller: if the queue is
// full the streams still catch up at their next poll.
func (b *PGBus) Notify(accountID string) {
	select {
	case b.notify <- accountID:
	default:
	}
}

// Subscribe registers a local subscriber.
func (b *PGBus) Subscribe(accountID string) (<-chan struct{}, func()) {
	return b.local.Subscribe(accountID)
}

func (b *PGBus) listen(ctx context.Context) {
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, b.dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+channelName)
			for err == nil {
				var n *pgconn.Notification
				if n, err = conn.WaitForNotification(ctx); err == nil {
					b.local.Notify(n.Payload)
				}
			}
			conn.Close(context.Background())
		}
		if ctx.Err() == nil {
			b.log.Warn("event bus: listening connection lost, retrying", "error", err)
			time.Sleep(time.Second)
		}
	}
}

func (b *PGBus) send(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case acc := <-b.notify:
			if conn == nil {
				c, err := pgx.Connect(ctx, b.dsn)
				if err != nil {
					b.log.Warn("event bus: cannot notify", "error", err)
					continue
				}
				conn = c
			}
			if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", channelName, acc); err != nil {
				conn.Close(context.Background())
				conn = nil
			}
		}
	}
}
