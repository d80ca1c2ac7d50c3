package events

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"
)

// SharedReads merges the identical log reads of an account's streams. A
// message wakes every agent's stream of the account at once, and streams
// that are up to date all ask for the events after the same position: 40
// agents online made 40 identical queries per message, which at 100
// messages/s took the agents' p99 from ~50 ms to ~300 ms.
//
// A read never returns a result whose query began before the read was
// asked for: a stream woken by a commit must see that commit. So a read
// that finds the same query already running does not join it; it joins
// the next one, which starts when the running one ends and is shared by
// every read that arrived meanwhile.
type SharedReads struct {
	mu   sync.Mutex
	keys map[readKey]*readState
}

type readKey struct {
	db        *gorm.DB
	accountID string
	after     Position
	limit     int
}

type readState struct {
	next *readCall // joinable: starts when the running query ends
}

type readCall struct {
	done chan struct{}
	rows []readyEvent
	err  error
}

// sharedReadTimeout bounds a query several streams wait for; it does not
// end with any one stream's request.
const sharedReadTimeout = 30 * time.Second

func (s *SharedReads) read(ctx context.Context, db *gorm.DB, accountID string, after Position, limit int) ([]readyEvent, error) {
	if s == nil {
		return read(ctx, db, accountID, after, limit)
	}
	k := readKey{db, accountID, after, limit}
	s.mu.Lock()
	if s.keys == nil {
		s.keys = map[readKey]*readState{}
	}
	st, running := s.keys[k]
	var call *readCall
	if !running {
		st = &readState{}
		s.keys[k] = st
		call = &readCall{done: make(chan struct{})}
		s.mu.Unlock()
		go s.run(k, st, call)
	} else {
		if st.next == nil {
			st.next = &readCall{done: make(chan struct{})}
		}
		call = st.next
		s.mu.Unlock()
	}
	select {
	case <-call.done:
		return call.rows, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run executes the key's queries one after another while reads keep
// arriving for it.
func (s *SharedReads) run(k readKey, st *readState, call *readCall) {
	for call != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedReadTimeout)
		call.rows, call.err = read(ctx, k.db, k.accountID, k.after, k.limit)
		cancel()
		close(call.done)
		s.mu.Lock()
		call, st.next = st.next, nil
		if call == nil {
			delete(s.keys, k)
		}
		s.mu.Unlock()
	}
}
