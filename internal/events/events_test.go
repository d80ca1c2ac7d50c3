package events_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

func TestAppendAndReadInOrder(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.Open(t, dialect)
			start, err := events.LastID(t.Context(), db, "acc")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if err := events.Append(db, "acc", events.MessageCreated, nil, map[string]int{"n": i}); err != nil {
					t.Fatal(err)
				}
			}
			events.Append(db, "other", events.MessageCreated, nil, map[string]int{"n": 99})
			got, err := events.After(t.Context(), db, "acc", start, 3)
			if err != nil || len(got) != 3 {
				t.Fatalf("first page: %d events, %v", len(got), err)
			}
			rest, _ := events.After(t.Context(), db, "acc", got[2].ID, 10)
			if len(rest) != 2 || rest[0].ID <= got[2].ID || rest[1].Payload != `{"n":4}` {
				t.Fatalf("second page: %+v", rest)
			}
		})
	}
}

func TestMemoryBusWakesSubscribersOfTheAccount(t *testing.T) {
	var bus events.MemoryBus
	mine, cancel := bus.Subscribe("a")
	defer cancel()
	theirs, cancel2 := bus.Subscribe("b")
	defer cancel2()
	bus.Notify("a")
	bus.Notify("a") // coalesced, never blocks
	select {
	case <-mine:
	default:
		t.Fatal("subscriber of a not woken")
	}
	select {
	case <-theirs:
		t.Fatal("subscriber of b woken by a's event")
	default:
	}
}

// TestPGBusCrossesProcesses: a notification sent by one bus (a worker)
// wakes a subscriber of another (a serve process) through PostgreSQL.
func TestPGBusCrossesProcesses(t *testing.T) {
	dsn := storetest.PostgresDSN()
	if dsn == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	serve, worker := events.NewPGBus(ctx, dsn, log), events.NewPGBus(ctx, dsn, log)
	account := store.NewID()
	wake, unsubscribe := serve.Subscribe(account)
	defer unsubscribe()
	deadline := time.After(20 * time.Second)
	for {
		worker.Notify(account) // repeated until the listener is connected
		select {
		case <-wake:
			return
		case <-deadline:
			t.Fatal("no wake-up crossed PostgreSQL")
		case <-time.After(200 * time.Millisecond):
		}
	}
}
