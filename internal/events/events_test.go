package events_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"gorm.io/gorm"
)

func TestAppendAndReadInOrder(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.Open(t, dialect)
			start, err := events.Last(t.Context(), db, "acc")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if err := events.Append(db, "acc", events.MessageCreated, nil, map[string]int{"n": i}); err != nil {
					t.Fatal(err)
				}
			}
			events.Append(db, "other", events.MessageCreated, nil, map[string]int{"n": 99})
			got := readAfter(t, db, start, 3, 3)
			rest := readAfter(t, db, events.PositionOf(got[2]), 10, 2)
			if rest[0].ID <= got[2].ID || rest[1].Payload != `{"n":4}` {
				t.Fatalf("second page: %+v", rest)
			}
			if last, _ := events.Last(t.Context(), db, "acc"); last != events.PositionOf(rest[1]) {
				t.Errorf("last = %v, want %v", last, events.PositionOf(rest[1]))
			}
		})
	}
}

// heldBack sets up the PostgreSQL case both tests below need: an open
// transaction that appended "slow" (the lower id) and, after it, "fast"
// committed by another writer, which the open transaction did not block.
// It returns the position before both and the open transaction.
func heldBack(t *testing.T) (db *gorm.DB, start events.Position, slow *gorm.DB) {
	t.Helper()
	if storetest.PostgresDSN() == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	db = storetest.Open(t, "postgres")
	start, err := events.Last(t.Context(), db, "acc")
	if err != nil {
		t.Fatal(err)
	}
	slow = db.Begin()
	t.Cleanup(func() { slow.Rollback() })
	if err := events.Append(slow, "acc", events.MessageCreated, nil, "slow"); err != nil {
		t.Fatal(err)
	}
	if err := events.Append(db, "acc", events.MessageCreated, nil, "fast"); err != nil {
		t.Fatal(err)
	}
	return db, start, slow
}

// TestLateCommitIsNotSkipped: on PostgreSQL an event can get a lower id
// than one that commits before it. The reader must neither skip it nor
// hold every writer behind a lock: it waits until the older transaction
// ends, then reads both in commit-safe order.
func TestLateCommitIsNotSkipped(t *testing.T) {
	db, start, slow := heldBack(t)
	got, pending, err := events.After(t.Context(), db, "acc", start, 10)
	if err != nil || len(got) != 0 || !pending {
		t.Fatalf("while an older transaction runs: %d events, pending %v (%v); want none yet, pending", len(got), pending, err)
	}
	if err := slow.Commit().Error; err != nil {
		t.Fatal(err)
	}
	got = readAfter(t, db, start, 10, 2)
	if got[0].Payload != `"slow"` || got[1].Payload != `"fast"` {
		t.Fatalf("after commit: %+v; want slow then fast", got)
	}
	if got[0].ID >= got[1].ID {
		t.Fatalf("ids %d, %d: the test meant the late commit to have the lower id", got[0].ID, got[1].ID)
	}
}

// TestReaderDoesNotWaitForEver: a transaction left open holds a stream
// back only for the reader's MaxHold; then the stream goes on without it.
func TestReaderDoesNotWaitForEver(t *testing.T) {
	db, start, _ := heldBack(t)
	var bypassed int
	r := &events.Reader{DB: db, AccountID: "acc", MaxHold: 300 * time.Millisecond, Bypass: func(time.Duration) { bypassed++ }}
	if got, pending, err := r.Next(t.Context(), start, 10); err != nil || len(got) != 0 || !pending {
		t.Fatalf("at first: %d events, pending %v, %v; want held", len(got), pending, err)
	}
	time.Sleep(400 * time.Millisecond)
	got, pending, err := r.Next(t.Context(), start, 10)
	if err != nil || pending || len(got) != 1 || got[0].Payload != `"fast"` || bypassed != 1 {
		t.Fatalf("after MaxHold: %+v, pending %v, %v, bypassed %d; want the committed event once", got, pending, err, bypassed)
	}
}

// readAfter reads until want events are readable: on PostgreSQL a
// transaction of a test running alongside can hold them back a moment.
func readAfter(t *testing.T, db *gorm.DB, after events.Position, limit, want int) []store.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, pending, err := events.After(t.Context(), db, "acc", after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == want && !pending || time.Now().After(deadline) {
			if len(got) != want {
				t.Fatalf("%d events after %v, want %d", len(got), after, want)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPositionRoundTrip(t *testing.T) {
	for _, p := range []events.Position{{ID: 42}, {Tx: 7, ID: 3}, {}} {
		back, err := events.ParsePosition(p.String())
		if err != nil || back != p {
			t.Errorf("%v -> %q -> %v, %v", p, p.String(), back, err)
		}
	}
	for _, bad := range []string{"", "x", "-1", "1-", "1-2-3", "1--2"} {
		if _, err := events.ParsePosition(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
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

// Streams woken together share one query, and a read never gets the
// result of a query that began before it was asked for: the event whose
// commit woke a stream is in what the stream reads.
func TestSharedReadsMergeButSeeEarlierCommits(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := t.Context()
	start, err := events.Last(ctx, db, "acc")
	if err != nil {
		t.Fatal(err)
	}
	events.Append(db, "acc", events.MessageCreated, nil, "first")
	var queries atomic.Int32
	gate := make(chan struct{})
	// The first query of the log stops after reading its rows, so the
	// reads below arrive while it is still running.
	db.Callback().Query().After("gorm:query").Register("test:gate", func(tx *gorm.DB) {
		if tx.Statement.Table == "events" && queries.Add(1) == 1 {
			<-gate
		}
	})
	var shared events.SharedReads
	read := func(out *[]store.Event, wg *sync.WaitGroup) {
		defer wg.Done()
		r := &events.Reader{DB: db, AccountID: "acc", Shared: &shared}
		evs, _, err := r.Next(ctx, start, 10)
		if err != nil {
			t.Error(err)
		}
		*out = evs
	}
	var first []store.Event
	var wg sync.WaitGroup
	wg.Add(1)
	go read(&first, &wg)
	for queries.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	events.Append(db, "acc", events.MessageCreated, nil, "second")
	later := make([][]store.Event, 5)
	for i := range later {
		wg.Add(1)
		go read(&later[i], &wg)
	}
	time.Sleep(200 * time.Millisecond) // let them all arrive while the first query waits
	close(gate)
	wg.Wait()
	if len(first) != 1 {
		t.Errorf("the first read got %d events, want the one committed before it", len(first))
	}
	for i, evs := range later {
		if len(evs) != 2 || evs[1].Payload != `"second"` {
			t.Errorf("read %d got %+v, want both events: it asked after the second committed", i, evs)
		}
	}
	if n := queries.Load(); n > 3 {
		t.Errorf("%d queries for 6 reads of the same position, want them shared", n)
	}
}
