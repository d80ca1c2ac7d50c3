package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCompileReportsLineAndColumn(t *testing.T) {
	cases := []struct {
		event, cond string
		line, col   int
		msg         string
	}{
		{MessageCreated, `message.text contains "preço" and`, 1, 33, "unexpected"},
		{MessageCreated, "conversation.priority == \"high\"\n  and message.txt == \"oi\"", 2, 15, "txt"},
		{ConversationClosed, `message.text == "x"`, 1, 1, "message"}, // closed conversations have no message
		{MessageCreated, `conversation.unread + "x"`, 1, 22, "mismatched"},
		{MessageCreated, `contact.name`, 1, 1, "bool"}, // must be a condition
	}
	for _, c := range cases {
		_, err := Compile(c.event, c.cond)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%q: got %v, want a CompileError", c.cond, err)
			continue
		}
		if ce.Line != c.line || !strings.Contains(strings.ToLower(ce.Message), strings.ToLower(c.msg)) {
			t.Errorf("%q: line %d column %d %q, want line %d and a message mentioning %q", c.cond, ce.Line, ce.Column, ce.Message, c.line, c.msg)
		}
		if ce.Column < 1 {
			t.Errorf("%q: column %d", c.cond, ce.Column)
		}
	}
	if _, err := Compile("message.deleted", "true"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown event: %v", err)
	}
}

func TestConditionsSeeTheirEventAndTheAccountsClock(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	hours := Hours{Location: sp, Days: map[time.Weekday][2]string{time.Monday: {"09:00", "18:00"}}}
	mondayMorning := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC) // 10:00 in São Paulo
	sunday := time.Date(2026, 11, 29, 13, 0, 0, 0, time.UTC)
	cond := `message.direction == "inbound" && "vip" in contact.tags && lower(message.text) contains "preço" && inBusinessHours() && weekday() == "mon" && hour() == 10`
	prog, err := Compile(MessageCreated, cond)
	if err != nil {
		t.Fatal(err)
	}
	env := MessageEnv{
		Contact: Contact{Tags: []string{"vip"}},
		Message: Message{Text: "Qual o PREÇO?", Direction: "inbound"},
		Clock:   NewClock(mondayMorning, hours),
	}
	if ok, err := Match(prog, env); err != nil || !ok {
		t.Errorf("Monday 10:00 in São Paulo: match %v, err %v", ok, err)
	}
	env.Clock = NewClock(sunday, hours)
	if ok, _ := Match(prog, env); ok {
		t.Error("matched on a Sunday, outside business hours")
	}
	empty, _ := Compile(ConversationCreated, "  ")
	if ok, _ := Match(empty, ConversationEnv{Clock: NewClock(sunday, hours)}); !ok {
		t.Error("an empty condition should always match")
	}
}

func TestCacheCompilesEachVersionOnce(t *testing.T) {
	var c Cache
	p1, _ := c.Get("r1", 1, MessageCreated, "true")
	p2, _ := c.Get("r1", 1, MessageCreated, "false") // same version: cached program
	p3, _ := c.Get("r1", 2, MessageCreated, "false")
	if p1 != p2 || p1 == p3 {
		t.Error("cache did not key programs by rule version")
	}
}

func FuzzCompile(f *testing.F) {
	for _, seed := range []string{`true`, `message.text contains "oi"`, `conversation.unread > 3 and not conversation.assigned`,
		`"vip" in contact.tags`, `inBusinessHours() || hour() < 8`, `((`, `message.text matches "[a-"`, "", `1/0 == 1`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cond string) {
		prog, err := Compile(MessageCreated, cond)
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Line < 1 || ce.Column < 1 {
				t.Fatalf("%q: error without a position: %v", cond, err)
			}
			return
		}
		// A compiled condition must evaluate without panicking.
		_, _ = Match(prog, MessageEnv{Clock: NewClock(time.Unix(0, 0), Hours{})})
	})
}

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	agents := []Candidate{{ID: "a", Status: "online", Capacity: 1000}, {ID: "b", Status: "online", Capacity: 1000},
		{ID: "c", Status: "online", Capacity: 1000}, {ID: "d", Status: "away", Capacity: 1000}}
	counts := map[string]int{}
	last := ""
	for range 300 {
		d := Pick(RoundRobin, agents, last, "")
		counts[d.AgentID]++
		last = d.AgentID
	}
	if counts["a"] != 100 || counts["b"] != 100 || counts["c"] != 100 || counts["d"] != 0 {
		t.Errorf("round robin over 300 assignments: %v, want 100 each and none for the away agent", counts)
	}
}

func TestLeastBusyNeverExceedsCapacity(t *testing.T) {
	agents := []Candidate{{ID: "a", Status: "online", Capacity: 2}, {ID: "b", Status: "online", Capacity: 3}, {ID: "c", Status: "offline", Capacity: 9}}
	assigned := 0
	for range 10 {
		d := Pick(LeastBusy, agents, "", "")
		if d.AgentID == "" {
			if !strings.Contains(d.Reason, "queue") {
				t.Errorf("no agent but the reason does not say it waits: %q", d.Reason)
			}
			break
		}
		for i := range agents {
			if agents[i].ID == d.AgentID {
				agents[i].Open++
				if agents[i].Open > agents[i].Capacity {
					t.Fatalf("%s over capacity", d.AgentID)
				}
			}
		}
		assigned++
	}
	if assigned != 5 {
		t.Errorf("assigned %d conversations, want 5 (2 + 3 capacity; the offline agent takes none)", assigned)
	}
}

func TestStickyPrefersTheContactsLastAgent(t *testing.T) {
	agents := []Candidate{{ID: "a", Status: "online", Capacity: 5}, {ID: "b", Status: "online", Open: 3, Capacity: 5}}
	if d := Pick(Sticky, agents, "", "b"); d.AgentID != "b" {
		t.Errorf("sticky picked %s, want the last agent b", d.AgentID)
	}
	agents[1].Status = "offline"
	if d := Pick(Sticky, agents, "", "b"); d.AgentID != "a" || !strings.Contains(d.Reason, "unavailable") {
		t.Errorf("sticky with the last agent offline: %+v", d)
	}
	if d := Pick(Manual, agents, "", ""); d.AgentID != "" {
		t.Errorf("manual queue assigned %s", d.AgentID)
	}
}

func TestBusinessHoursEdges(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	hours := Hours{Location: sp, Days: map[time.Weekday][2]string{time.Monday: {"09:00", "18:00"}, time.Tuesday: {"00:00", "23:59"}}}
	for _, c := range []struct {
		local string // São Paulo time
		open  bool
	}{
		{"2026-11-30 08:59:59", false},
		{"2026-11-30 09:00:00", true},
		{"2026-11-30 17:59:59", true},
		{"2026-11-30 18:00:00", false}, // closing time is closed
		{"2026-12-01 00:00:00", true},
		{"2026-12-01 23:59:30", true}, // closing at 23:59 is open until midnight
	} {
		at, _ := time.ParseInLocation(time.DateTime, c.local, sp)
		if got := NewClock(at, hours).InBusinessHours(); got != c.open {
			t.Errorf("%s: inBusinessHours() = %v, want %v", c.local, got, c.open)
		}
	}
}
