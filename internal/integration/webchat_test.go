package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/webchat"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

type widget struct {
	t      *testing.T
	base   string
	origin string
	token  string
}

func (w *widget) call(method, path string, body any) (int, map[string]any, http.Header) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, w.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if w.origin != "" {
		req.Header.Set("Origin", w.origin)
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out, res.Header
}

func newWebchat(t *testing.T, dialect string, mutate func(*webchat.Settings)) (*stack, store.Channel, *widget) {
	db := storetest.Open(t, dialect)
	s := newStack(t, db)
	f := storetest.Seed(t, db, "")
	settings := webchat.DefaultSettings()
	settings.AllowedOrigins = []string{"https://loja.example.com"}
	if mutate != nil {
		mutate(&settings)
	}
	raw, _ := json.Marshal(settings)
	ch := store.Channel{ID: store.NewID(), AccountID: f.Account.ID, Kind: channels.KindWebchat, Name: "Site", Settings: string(raw), Active: true}
	if err := db.Create(&ch).Error; err != nil {
		t.Fatal(err)
	}
	return s, ch, &widget{t: t, base: s.url + "/hooks/webchat/" + ch.ID, origin: "https://loja.example.com"}
}

func TestWebchatVisitorConversation(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testWebchat(t, dialect) })
	}
}

func testWebchat(t *testing.T, dialect string) {
	s, ch, w := newWebchat(t, dialect, nil)
	st, cfg, hdr := w.call(http.MethodGet, "/config", nil)
	if st != 200 || cfg["title"] == "" || hdr.Get("Access-Control-Allow-Origin") != w.origin || !strings.Contains(hdr.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Fatalf("config: %d %v CORS %q", st, cfg, hdr.Get("Access-Control-Allow-Origin"))
	}
	// The pre-chat form's name is required by default; a bad e-mail is named.
	if st, p, _ := w.call(http.MethodPost, "/visitors", map[string]string{"email": "maria@example.com"}); st != 422 || p["field"] != "name" {
		t.Errorf("missing name: %d %v", st, p)
	}
	if st, p, _ := w.call(http.MethodPost, "/visitors", map[string]string{"name": "Maria", "email": "não é e-mail"}); st != 422 || p["field"] != "email" {
		t.Errorf("bad e-mail: %d %v", st, p)
	}
	st, v, _ := w.call(http.MethodPost, "/visitors", map[string]string{"name": "Maria", "email": "maria@example.com", "phone": "+55 11 99999-0000"})
	if st != http.StatusCreated {
		t.Fatalf("start: %d %v", st, v)
	}
	w.token = v["visitor_token"].(string)

	st, m, _ := w.call(http.MethodPost, "/messages", map[string]string{"text": "Olá, quero um orçamento", "client_id": "c-1"})
	if st != http.StatusAccepted {
		t.Fatalf("send: %d %v", st, m)
	}
	// The widget retrying the same send stores it once.
	if _, again, _ := w.call(http.MethodPost, "/messages", map[string]string{"text": "Olá, quero um orçamento", "client_id": "c-1"}); again["id"] != m["id"] {
		t.Errorf("retried send created %v, want %v", again["id"], m["id"])
	}
	var msg store.Message
	s.db.Take(&msg, "id = ?", m["id"])
	conv := waitConversation(t, s.db, workflows.ConversationWorkflowID(ch.ID, msg.ContactID), 1)

	// The agent replies; the visitor's stream carries it, which marks it
	// delivered; the visitor reading it marks it read.
	stream := openVisitorStream(t, w)
	reply := agentSend(t, s, conv, "Claro! Qual produto?")
	got := nextVisitor(t, stream, func(m map[string]any) bool { return m["id"] == reply && m["direction"] == "outbound" })
	if got["body"] != "Claro! Qual produto?" {
		t.Errorf("visitor got %v", got)
	}
	eventually(t, 15*time.Second, func() error {
		var r store.Message
		s.db.Take(&r, "id = ?", reply)
		if r.Status != store.MessageDelivered && r.Status != store.MessageRead {
			return fmt.Errorf("reply status %s, want delivered", r.Status)
		}
		return nil
	})
	if st, _, _ := w.call(http.MethodPost, "/read", nil); st != http.StatusNoContent {
		t.Fatalf("read: %d", st)
	}
	var r store.Message
	s.db.Take(&r, "id = ?", reply)
	if r.Status != store.MessageRead {
		t.Errorf("after the visitor read it, status %s", r.Status)
	}
	// A note never reaches the visitor; after a reload the history has both
	// messages and no note.
	agentNote(t, s, conv, "cliente indeciso")
	_, hist, _ := w.call(http.MethodGet, "/messages", nil)
	items := hist["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("visitor history has %d messages, want 2: %v", len(items), items)
	}
	for _, it := range items {
		if strings.Contains(fmt.Sprint(it), "indeciso") {
			t.Error("a private note reached the visitor")
		}
	}
}

func TestWebchatRefusesBadInput(t *testing.T) {
	s, ch, w := newWebchat(t, "sqlite", func(st *webchat.Settings) {
		st.PreChat.Phone = webchat.Hidden
	})
	s.srv.VisitorRate = api.Rate{Burst: 3, Every: time.Hour}
	other := &widget{t: t, base: w.base, origin: "https://evil.example.net"}
	if st, p, _ := other.call(http.MethodGet, "/config", nil); st != http.StatusForbidden || p["field"] != "Origin" {
		t.Errorf("foreign site: %d %v", st, p)
	}
	if st, p, _ := w.call(http.MethodPost, "/visitors", map[string]string{"name": "A", "phone": "11999990000"}); st != 422 || p["field"] != "phone" {
		t.Errorf("hidden field sent: %d %v", st, p)
	}
	_, v, _ := w.call(http.MethodPost, "/visitors", map[string]string{"name": "Ana"})
	w.token = v["visitor_token"].(string)
	if st, p, _ := w.call(http.MethodPost, "/messages", map[string]string{"text": strings.Repeat("a", 2001)}); st != 422 || p["field"] != "text" {
		t.Errorf("oversized text: %d %v", st, p)
	}
	if st, _, _ := w.call(http.MethodPost, "/messages", map[string]any{"text": 42}); st != 400 {
		t.Errorf("malformed text: %d", st)
	}
	forged := &widget{t: t, base: w.base, origin: w.origin, token: w.token[:len(w.token)-2] + "xx"}
	if st, _, _ := forged.call(http.MethodGet, "/messages", nil); st != http.StatusUnauthorized {
		t.Errorf("forged token: %d", st)
	}
	otherChannel := webchat.SignToken(testSecretKey, "another-channel", "v_x", time.Now())
	if st, _, _ := (&widget{t: t, base: w.base, origin: w.origin, token: otherChannel}).call(http.MethodGet, "/messages", nil); st != http.StatusUnauthorized {
		t.Errorf("token of another channel: %d", st)
	}
	var codes []int
	for i := range 5 {
		st, _, hdr := w.call(http.MethodPost, "/messages", map[string]string{"text": fmt.Sprintf("oi %d", i)})
		codes = append(codes, st)
		if st == http.StatusTooManyRequests && hdr.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	// Every request counts against the burst of 3, the refused ones above too.
	accepted := 0
	for _, c := range codes {
		if c == http.StatusAccepted {
			accepted++
		}
	}
	if codes[len(codes)-1] != http.StatusTooManyRequests || accepted > 3 {
		t.Errorf("statuses %v: a visitor over the burst of 3 must get 429", codes)
	}
	var n int64
	s.db.Model(&store.Message{}).Where("channel_id = ?", ch.ID).Count(&n)
	if int(n) != accepted {
		t.Errorf("%d messages stored, want the %d accepted ones", n, accepted)
	}
	// After the secret key is rotated, the visitor's token, signed with the
	// old key, holds while the old key is listed as previous.
	s.srv.SecretKey, s.srv.PreviousSecretKeys = []byte(strings.Repeat("n", 40)), [][]byte{testSecretKey}
	defer func() { s.srv.SecretKey, s.srv.PreviousSecretKeys = testSecretKey, nil }()
	if st, _, _ := w.call(http.MethodGet, "/messages", nil); st != http.StatusOK {
		t.Errorf("a token signed before the rotation: %d", st)
	}
	s.srv.PreviousSecretKeys = nil
	if st, _, _ := w.call(http.MethodGet, "/messages", nil); st != http.StatusUnauthorized {
		t.Errorf("the old key no longer listed: %d, want 401", st)
	}
}

func TestWebchatOutsideBusinessHoursTakesContactForm(t *testing.T) {
	s, ch, w := newWebchat(t, "sqlite", func(st *webchat.Settings) {
		st.BusinessHours = &webchat.BusinessHours{Timezone: "America/Sao_Paulo", Days: map[string][2]string{}} // closed every day
	})
	_, cfg, _ := w.call(http.MethodGet, "/config", nil)
	if cfg["online"] != false || cfg["offline_message"] == "" {
		t.Fatalf("config outside hours: %v", cfg)
	}
	st, res, _ := w.call(http.MethodPost, "/contact-form", map[string]string{"name": "Rui", "email": "rui@example.com", "message": "Me liguem amanhã"})
	if st != http.StatusAccepted {
		t.Fatalf("contact form: %d %v", st, res)
	}
	var m store.Message
	s.db.Take(&m, "id = ?", res["message_id"])
	if m.Body != "Me liguem amanhã" || m.ChannelID != ch.ID {
		t.Errorf("stored %+v", m)
	}
	waitConversation(t, s.db, workflows.ConversationWorkflowID(ch.ID, m.ContactID), 1)
}

func openVisitorStream(t *testing.T, w *widget) <-chan map[string]any {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.base+"/stream?token="+w.token, nil)
	req.Header.Set("Origin", w.origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("visitor stream: %v %v", err, res)
	}
	out := make(chan map[string]any, 50)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				var m map[string]any
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m) == nil {
					out <- m
				}
			}
		}
	}()
	return out
}

func nextVisitor(t *testing.T, ch <-chan map[string]any, match func(map[string]any) bool) map[string]any {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case m := <-ch:
			if match(m) {
				return m
			}
		case <-timeout:
			t.Fatal("visitor stream: nothing matching arrived")
		}
	}
}

func agentSend(t *testing.T, s *stack, conv store.Conversation, body string) string {
	return agentUpdate(t, s, conv, workflows.SendRequest{Body: body, IdempotencyKey: "agent-" + body})
}

func agentNote(t *testing.T, s *stack, conv store.Conversation, body string) string {
	return agentUpdate(t, s, conv, workflows.SendRequest{Body: body, Note: true, IdempotencyKey: "note-" + body})
}

func agentUpdate(t *testing.T, s *stack, conv store.Conversation, req workflows.SendRequest) string {
	t.Helper()
	h, err := s.tc.UpdateWorkflow(context.Background(), updateOpts(conv, req))
	if err != nil {
		t.Fatal(err)
	}
	var r workflows.SendResult
	if err := h.Get(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	return r.MessageID
}
