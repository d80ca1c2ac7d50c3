package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// integrator is a local server speaking the API channel's outbound
// format; it checks signatures and keeps one delivery per Idempotency-Key.
type integrator struct {
	mu        sync.Mutex
	calls     int
	delivered map[string]apichannel.OutboundPayload
	hold      chan struct{} // when set, requests wait on it before answering
	answer    string        // when set, the id answered for every message
	url       string
}

func newIntegrator(t *testing.T, secret string) *integrator {
	in := &integrator{delivered: map[string]apichannel.OutboundPayload{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(apichannel.HeaderTimestamp), 10, 64)
		if r.Header.Get(apichannel.HeaderSignature) != apichannel.Sign(secret, ts, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		in.mu.Lock()
		in.calls++
		hold, answer := in.hold, in.answer
		in.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		var p apichannel.OutboundPayload
		_ = json.Unmarshal(body, &p)
		in.mu.Lock()
		in.delivered[r.Header.Get("Idempotency-Key")] = p
		in.mu.Unlock()
		if answer == "" {
			answer = "ext-" + p.MessageID
		}
		fmt.Fprintf(w, `{"id":%q}`, answer)
	}))
	t.Cleanup(srv.Close)
	in.url = srv.URL
	return in
}

func (in *integrator) snapshot() (int, map[string]apichannel.OutboundPayload) {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := map[string]apichannel.OutboundPayload{}
	for k, v := range in.delivered {
		out[k] = v
	}
	return in.calls, out
}

// configureOutbound points the channel's outbound webhook at the
// integrator, with the secret sealed as the API stores it: the worker must
// open it to sign.
func configureOutbound(t *testing.T, a *apiChannel, url, secret string) {
	box, err := secrets.New(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := apichannel.ParseSettings(a.f.Channel.Settings)
	settings.OutboundURL = url
	if settings.OutboundSecret, err = box.Seal(secret); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(settings)
	if err := a.db.Model(&a.f.Channel).Update("settings", string(raw)).Error; err != nil {
		t.Fatal(err)
	}
}

// agent is a browser logged in as a user.
type agent struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func login(t *testing.T, base, email string) *agent {
	jar, _ := cookiejar.New(nil)
	ag := &agent{t: t, base: base, http: &http.Client{Jar: jar}}
	body, _ := json.Marshal(map[string]string{"email": email, "password": "correct-horse-42"})
	res, err := ag.http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d", email, res.StatusCode)
	}
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == "chatspot_csrf" {
			ag.csrf = c.Value
		}
	}
	return ag
}

func (ag *agent) call(method, path string, body any, header map[string]string) (int, map[string]any) {
	ag.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ag.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", ag.csrf)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := ag.http.Do(req)
	if err != nil {
		ag.t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID   string // the log position, opaque to clients
	Kind string
	Data map[string]any
}

// openStream connects to the agent stream and delivers its events on a
// channel until the test ends.
func (ag *agent) openStream(lastEventID string) <-chan sseEvent {
	ctx, cancel := context.WithCancel(context.Background())
	ag.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ag.base+"/api/v1/stream", nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	res, err := ag.http.Do(req)
	if err != nil {
		ag.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		ag.t.Fatalf("stream: %d", res.StatusCode)
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			case line == "" && ev.Kind != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// next waits for the next event matching match.
func next(t *testing.T, events <-chan sseEvent, what string, match func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev := <-events:
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s on the stream", what)
		}
	}
}

func kind(k string, field, value string) func(sseEvent) bool {
	return func(ev sseEvent) bool { return ev.Kind == k && (field == "" || fmt.Sprint(ev.Data[field]) == value) }
}

func TestAgentConversationLiveOverHTTP(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testAgentConversation(t, dialect) })
	}
}

func testAgentConversation(t *testing.T, dialect string) {
	a := newAPIChannel(t, dialect)
	prov := newIntegrator(t, "hook-secret")
	configureOutbound(t, a, prov.url, "hook-secret")
	profiles := a.f.Profiles
	mk := func(name, profile string) store.User {
		u, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: name + "@" + dialect + ".example.com", Name: name, Password: "correct-horse-42", ProfileID: profile})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ana := mk("ana", profiles[auth.ProfileAdmin].ID)
	narrow := store.Profile{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Só os meus", Permissions: "conversations:view:assigned,conversations:reply"}
	a.db.Create(&narrow)
	bruno := mk("bruno", narrow.ID)

	admin := login(t, a.url, ana.Email)
	own := login(t, a.url, bruno.Email)
	adminStream := admin.openStream("")
	ownStream := own.openStream("")

	// Another account's administrator sees none of it.
	other := newAPIChannelOn(t, a)
	outsider := mk2(t, a, other, "zoe@"+dialect+".example.com")
	outsiderStream := login(t, a.url, outsider.Email).openStream("")

	// A customer writes: the agent's stream carries it before any reply.
	r := a.post(t, a.token, msgJSON("c1", "5511977776666", "Vocês entregam em Campinas?"))
	if r.status != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", r.status, r.body)
	}
	inbound := next(t, adminStream, "inbound message.created", kind("message.created", "body", "Vocês entregam em Campinas?"))
	conv := waitConversation(t, a.db, "conversation/"+a.f.Channel.ID+"/"+r.body["contact_id"].(string), 1)

	// The agent replies with an idempotency key; a repeat of the request
	// returns the same message.
	path := "/api/v1/conversations/" + conv.ID + "/messages"
	st, msg := admin.call(http.MethodPost, path, map[string]any{"body": "Entregamos sim!"}, map[string]string{"Idempotency-Key": "reply-1"})
	if st != http.StatusCreated || msg["status"] != "queued" && msg["status"] != "sent" {
		t.Fatalf("send: %d %v", st, msg)
	}
	st2, again := admin.call(http.MethodPost, path, map[string]any{"body": "Entregamos sim!"}, map[string]string{"Idempotency-Key": "reply-1"})
	if st2 != http.StatusCreated || again["id"] != msg["id"] {
		t.Fatalf("repeated send: %d %v, want the same message %v", st2, again, msg["id"])
	}
	// Concurrent duplicates of one request (an integrator's retries) send once.
	var wg sync.WaitGroup
	ids := make([]any, 5)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, m := admin.call(http.MethodPost, path, map[string]any{"body": "Frete grátis!"}, map[string]string{"Idempotency-Key": "dup-key"})
			ids[i] = m["id"]
		}()
	}
	wg.Wait()
	var dups int64
	a.db.Model(&store.Message{}).Where("conversation_id = ? AND body = ?", conv.ID, "Frete grátis!").Count(&dups)
	if dups != 1 || ids[0] == nil || ids[0] != ids[1] || ids[1] != ids[4] {
		t.Errorf("5 concurrent requests with one Idempotency-Key stored %d messages, answered ids %v", dups, ids)
	}
	next(t, adminStream, "outbound message.created", kind("message.created", "id", msg["id"].(string)))
	next(t, adminStream, "status sent", func(ev sseEvent) bool {
		return ev.Kind == "message.status_changed" && ev.Data["id"] == msg["id"] && ev.Data["status"] == "sent"
	})
	eventually(t, 15*time.Second, func() error {
		calls, got := prov.snapshot()
		if len(got) != 2 || calls != 2 || got[msg["id"].(string)].Text != "Entregamos sim!" || got[msg["id"].(string)].To != "5511977776666" {
			return fmt.Errorf("integrator has %d calls, deliveries %+v", calls, got)
		}
		return nil
	})

	// A note is stored and streamed but never delivered.
	if st, _ := admin.call(http.MethodPost, path, map[string]any{"body": "cliente VIP", "kind": "note"}, nil); st != http.StatusCreated {
		t.Fatalf("note: %d", st)
	}
	next(t, adminStream, "note", kind("message.created", "kind", "note"))

	// The narrow agent saw nothing of an unassigned ticket; once it is
	// assigned to them, they see what follows.
	if st, v := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/assign", map[string]any{"user_id": bruno.ID}, nil); st != http.StatusOK || v["assignee"] == nil {
		t.Fatalf("assign: %d %v", st, v)
	}
	a.post(t, a.token, msgJSON("c2", "5511977776666", "Obrigado!"))
	var before []sseEvent
	next(t, ownStream, "the customer's message after assignment", func(ev sseEvent) bool {
		before = append(before, ev)
		return ev.Kind == "message.created" && ev.Data["body"] == "Obrigado!"
	})
	for _, ev := range before {
		if b := ev.Data["body"]; b == "Vocês entregam em Campinas?" || b == "Entregamos sim!" || b == "cliente VIP" {
			t.Errorf("the narrow agent saw %q from before the ticket was theirs", b)
		}
	}
	for _, check := range []struct {
		name string
		path string
	}{{"list", "/api/v1/conversations"}, {"conversation", "/api/v1/conversations/" + conv.ID}} {
		if st, _ := own.call(http.MethodGet, check.path, nil, nil); st != http.StatusOK {
			t.Errorf("assigned agent %s: %d", check.name, st)
		}
	}

	// Reconnecting with Last-Event-ID replays everything after it.
	replay := admin.openStream(inbound.ID)
	next(t, replay, "replayed reply", kind("message.created", "id", msg["id"].(string)))

	// Closing, then writing again: a new ticket, and the history endpoint
	// shows both tickets' messages.
	if st, v := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/close", nil, nil); st != http.StatusOK || v["status"] != "closed" {
		t.Fatalf("close: %d %v", st, v)
	}
	a.tc.GetWorkflow(context.Background(), conv.WorkflowID, conv.RunID).Get(context.Background(), nil)
	saveHistory(t, a.tc, conv.WorkflowID, conv.RunID, "conversation_agent_v2.json")
	if st, _ := admin.call(http.MethodPost, path, map[string]any{"body": "depois de fechar"}, nil); st != http.StatusConflict {
		t.Errorf("send to a closed ticket: %d, want 409", st)
	}
	st, hist := admin.call(http.MethodGet, "/api/v1/contacts/"+conv.ContactID+"/messages", nil, nil)
	if st != http.StatusOK || len(hist["items"].([]any)) != 5 {
		t.Errorf("contact history: %d %d items, want the 5 messages", st, len(hist["items"].([]any)))
	}
	select {
	case ev := <-outsiderStream:
		t.Errorf("another account's stream got %s %v", ev.Kind, ev.Data)
	default:
	}
}

// newAPIChannelOn makes a second tenant on the same database and server.
func newAPIChannelOn(t *testing.T, a *apiChannel) storetest.Fixture {
	_, f := seedAPIChannel(t, a.db)
	return f
}

func mk2(t *testing.T, a *apiChannel, f storetest.Fixture, email string) store.User {
	u, err := auth.CreateUser(t.Context(), a.db, f.Account.ID, auth.NewUser{Email: email, Name: "Zoe", Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMergeDuplicateContacts(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	// The same person writes on a second API channel of the account.
	token2, settings2 := apichannel.NewToken()
	raw, _ := json.Marshal(settings2)
	ch2 := store.Channel{ID: store.NewID(), AccountID: a.f.Account.ID, Kind: "api", Name: "API 2", Settings: string(raw), Active: true}
	a.db.Create(&ch2)
	b := &apiChannel{stack: a.stack, f: a.f, token: token2}
	b.f.Channel = ch2
	admin, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "merge@example.com", Name: "Ana", Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	ag := login(t, a.url, admin.Email)

	r1 := a.post(t, a.token, msgJSON("m1", "5511900000001", "Oi pelo canal 1"))
	r2 := b.post(t, b.token, msgJSON("m2", "maria-no-canal-2", "Oi pelo canal 2"))
	target, dup := r1.body["contact_id"].(string), r2.body["contact_id"].(string)
	waitConversation(t, a.db, "conversation/"+a.f.Channel.ID+"/"+target, 1)
	dupConv := waitConversation(t, a.db, "conversation/"+ch2.ID+"/"+dup, 1)

	if st, p := ag.call(http.MethodPost, "/api/v1/contacts/"+target+"/merge", map[string]string{"duplicate_id": dup}, nil); st != http.StatusConflict {
		t.Fatalf("merge with an open duplicate ticket: %d %v, want 409", st, p)
	}
	if st, _ := ag.call(http.MethodPost, "/api/v1/conversations/"+dupConv.ID+"/close", nil, nil); st != http.StatusOK {
		t.Fatalf("close: %d", st)
	}
	st, merged := ag.call(http.MethodPost, "/api/v1/contacts/"+target+"/merge", map[string]string{"duplicate_id": dup}, nil)
	if st != http.StatusOK || len(merged["identities"].([]any)) != 2 {
		t.Fatalf("merge: %d %v, want both channel identities on the contact", st, merged)
	}
	st, hist := ag.call(http.MethodGet, "/api/v1/contacts/"+target+"/messages", nil, nil)
	if st != http.StatusOK || len(hist["items"].([]any)) != 2 {
		t.Errorf("merged history: %d %v, want both messages", st, hist)
	}
	if st, _ := ag.call(http.MethodGet, "/api/v1/contacts/"+dup+"/messages", nil, nil); st != http.StatusNotFound {
		t.Errorf("the duplicate still answers: %d", st)
	}
	// Writing again on channel 2 now reaches the merged contact.
	r3 := b.post(t, b.token, msgJSON("m3", "maria-no-canal-2", "Voltei"))
	if r3.body["contact_id"] != target {
		t.Errorf("a new message from the duplicate's identity went to %v, want %s", r3.body["contact_id"], target)
	}
	waitConversation(t, a.db, "conversation/"+ch2.ID+"/"+target, 1)
}
