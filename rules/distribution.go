package rules

import (
	"fmt"
	"sort"
)

// Distribution strategies.
const (
	RoundRobin = "round_robin"
	LeastBusy  = "least_busy"
	Sticky     = "sticky"
	Manual     = "manual"
)

// Strategies lists them for the rule editor.
var Strategies = []string{RoundRobin, LeastBusy, Sticky, Manual}

// Candidate is an agent a distribution rule may pick.
type Candidate struct {
	ID       string
	Status   string // online, away, offline
	Open     int    // open conversations assigned now
	Capacity int    // most open conversations at once
}

// Available reports whether the agent can take one more conversation.
func (c Candidate) Available() bool {
	return c.Status == "online" && c.Open < c.Capacity
}

// Decision is a strategy's choice and why, for the audit trail.
type Decision struct {
	AgentID string // "" when nobody is available: the conversation waits in the queue
	Reason  string
}

// Pick chooses an agent. lastAssigned is the target's previous round-robin
// choice; lastAgent is the contact's previous agent (for sticky). It is a
// pure function of its inputs, so a workflow can call it with everything
// passed in and replay it.
func Pick(strategy string, candidates []Candidate, lastAssigned, lastAgent string) Decision {
	sorted := append([]Candidate(nil), candidates...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	var avail []Candidate
	for _, c := range sorted {
		if c.Available() {
			avail = append(avail, c)
		}
	}
	switch strategy {
	case Manual:
		return Decision{Reason: "manual queue: agents pick conversations themselves"}
	case Sticky:
		for _, c := range avail {
			if c.ID == lastAgent {
				return Decision{AgentID: c.ID, Reason: "sticky: the contact's last agent is online with free capacity"}
			}
		}
		d := Pick(LeastBusy, candidates, lastAssigned, "")
		if d.AgentID != "" {
			d.Reason = "sticky: the contact's last agent is unavailable; " + d.Reason
		}
		return d
	}
	if len(avail) == 0 {
		return Decision{Reason: fmt.Sprintf("nobody available among %d agents (offline, away or at capacity): waiting in the queue", len(candidates))}
	}
	switch strategy {
	case LeastBusy:
		best := avail[0]
		for _, c := range avail[1:] {
			if c.Open < best.Open {
				best = c
			}
		}
		return Decision{AgentID: best.ID, Reason: fmt.Sprintf("least busy: %d of %d open conversations", best.Open, best.Capacity)}
	default: // round robin: the next available agent after the last one chosen
		for _, c := range avail {
			if c.ID > lastAssigned {
				return Decision{AgentID: c.ID, Reason: "round robin: next available agent after " + orNone(lastAssigned)}
			}
		}
		return Decision{AgentID: avail[0].ID, Reason: "round robin: wrapped around to the first available agent"}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Fallbacks are the other available candidates in the order the strategy
// would take them after chosen: the assignment tries them, in the same
// step, when chosen filled up meanwhile (many decisions at once pick the
// same agent).
func Fallbacks(strategy string, candidates []Candidate, chosen string) []string {
	var avail []Candidate
	for _, c := range candidates {
		if c.Available() && c.ID != chosen {
			avail = append(avail, c)
		}
	}
	switch strategy {
	case Manual:
		return nil
	case LeastBusy, Sticky:
		sort.Slice(avail, func(i, j int) bool {
			return avail[i].Open < avail[j].Open || avail[i].Open == avail[j].Open && avail[i].ID < avail[j].ID
		})
	default: // round robin: the rotation after chosen
		sort.Slice(avail, func(i, j int) bool {
			ai, aj := avail[i].ID > chosen, avail[j].ID > chosen
			if ai != aj {
				return ai
			}
			return avail[i].ID < avail[j].ID
		})
	}
	out := make([]string, len(avail))
	for i, c := range avail {
		out[i] = c.ID
	}
	return out
}
