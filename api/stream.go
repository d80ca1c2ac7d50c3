package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
)

// startSSE subscribes to the account's wake-ups and starts an event-stream
// response; call done when the stream ends.
func (s *Server) startSSE(c *gin.Context, accountID string) (wake <-chan struct{}, ticker *time.Ticker, done func()) {
	cancel := func() {}
	if s.Bus != nil {
		wake, cancel = s.Bus.Subscribe(accountID)
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	fmt.Fprint(c.Writer, "retry: 2000\n\n")
	c.Writer.Flush()
	ticker = time.NewTicker(streamPoll)
	return wake, ticker, func() { ticker.Stop(); cancel() }
}

// streamPoll is how often a stream reads the log without a wake-up, and
// sends a keep-alive; it also bounds the delay of a lost wake-up.
const streamPoll = 15 * time.Second

// streamRetry is how soon a stream reads again when committed events wait
// for an older transaction to end (PostgreSQL; see events.Position).
const streamRetry = 50 * time.Millisecond

// stream is the agents' Server-Sent Events feed. It replays the account's
// event log after the Last-Event-ID the browser sends on reconnect, so a
// dropped connection misses nothing, and it carries only events of the
// conversations the caller may see.
func (s *Server) stream(c *gin.Context) {
	p := principal(c)
	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "stream", err)
		return
	}
	var last events.Position
	resume := false
	for _, v := range []string{c.GetHeader("Last-Event-ID"), c.Query("last_event_id")} {
		if v == "" {
			continue
		}
		if last, err = events.ParsePosition(v); err != nil {
			problem(c, http.StatusBadRequest, "Last-Event-ID must be an event id the stream sent", "Last-Event-ID")
			return
		}
		resume = true
		break
	}
	if !resume {
		if last, err = events.Last(c, s.DB, p.AccountID); err != nil {
			s.internalError(c, "stream", err)
			return
		}
	}
	reader := &events.Reader{DB: s.DB, AccountID: p.AccountID, Shared: &s.streamReads, Bypass: func(held time.Duration) {
		s.Logger.Warn("stream reads past a PostgreSQL transaction that stays open; events it commits later show on reload only",
			"account", p.AccountID, "held", held.Round(time.Second))
	}}
	wake, ticker, done := s.startSSE(c, p.AccountID)
	defer done()
	for {
		var again <-chan time.Time
		for {
			batch, pending, err := reader.Next(c, last, 500)
			if err != nil {
				s.Logger.Warn("stream read", "error", err)
				return
			}
			for _, ev := range batch {
				last = events.PositionOf(ev)
				if !visibleEvent(p, sc, ev) {
					continue
				}
				fmt.Fprintf(c.Writer, "id: %s\nevent: %s\ndata: %s\n\n", last, ev.Kind, ev.Payload)
			}
			c.Writer.Flush()
			if pending {
				// Written, but behind a transaction still running: soon.
				again = time.After(streamRetry)
			}
			if pending || len(batch) < 500 {
				break
			}
		}
		select {
		case <-c.Request.Context().Done():
			return
		case <-wake:
		case <-again:
		case <-ticker.C:
			// An open agent tab keeps its session, and so its seat, alive.
			if p.SessionID != "" {
				_ = s.Sessions.Touch(c, p.SessionID)
			}
			fmt.Fprint(c.Writer, ": keep-alive\n\n")
			c.Writer.Flush()
		}
	}
}

// visibleEvent: a conversation's events follow the caller's view scope;
// the CRM's card events go to whoever may view the CRM.
func visibleEvent(p auth.Principal, sc scope, ev store.Event) bool {
	if ev.ConversationID == nil && strings.HasPrefix(ev.Kind, "card.") {
		return p.Perms.Has(auth.ViewCRM)
	}
	if strings.HasPrefix(ev.Kind, "billing.") {
		return p.Perms.Has(auth.ManageBilling)
	}
	return sc.sees(ev.AssigneeID, ev.TeamID)
}
