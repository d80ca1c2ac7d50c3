package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/ai"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// gemini is a local server speaking the Gemini REST generateContent format.
type gemini struct {
	mu     sync.Mutex
	paths  []string
	bodies []string
	reply  func(w http.ResponseWriter) // what to answer
	calls  int
}

func newGemini(t *testing.T) (*gemini, string) {
	g := &gemini{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.calls++
		g.paths = append(g.paths, r.URL.Path)
		g.bodies = append(g.bodies, string(body))
		reply := g.reply
		g.mu.Unlock()
		if r.Header.Get("x-goog-api-key") != "test-key" {
			http.Error(w, `{"error":{"code":401,"message":"API key not valid","status":"UNAUTHENTICATED"}}`, http.StatusUnauthorized)
			return
		}
		reply(w)
	}))
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func candidate(text string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"candidates": []any{map[string]any{
			"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}, "finishReason": "STOP"}}})
	}
}

func failing(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":{"code":%d,"message":"try later","status":"UNAVAILABLE"}}`, code)
	}
}

func TestAIAssistSuggestsThroughGemini(t *testing.T) {
	g, url := newGemini(t)
	g.reply = candidate("Olá, Maria! O frete para Campinas é grátis acima de R$ 150,00.")
	assistant, err := ai.New(t.Context(), ai.Config{APIKey: "test-key", Model: "gemini-test", BaseURL: url, Timeout: 2 * time.Second, Redact: true})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, "sqlite")
	s := newStackAI(t, db, assistant, 5)
	token, f := seedAPIChannel(t, db)
	a := &apiChannel{stack: s, f: f, token: token}
	db.Model(&store.Account{}).Where("id = ?", f.Account.ID).Update("modules", "api,ai")
	u, _ := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "ia@example.com", Name: "Ana", Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAgent].ID})
	ag := login(t, a.url, u.Email)
	r := a.post(t, a.token, msgJSON("q1", "5511933332222", "Qual o frete para Campinas? Meu CPF é 123.456.789-09"))
	conv := waitConversation(t, db, workflows.ConversationWorkflowID(f.Channel.ID, r.body["contact_id"].(string)), 1)
	path := "/api/v1/conversations/" + conv.ID + "/assist"

	st, res := ag.call(http.MethodPost, path, map[string]any{"operation": "suggest_reply", "draft": ""}, nil)
	if st != http.StatusOK || !strings.Contains(res["suggestion"].(string), "Campinas") {
		t.Fatalf("suggest_reply: %d %v", st, res)
	}
	g.mu.Lock()
	if !strings.HasSuffix(g.paths[0], "/models/gemini-test:generateContent") {
		t.Errorf("request path %q does not name the model", g.paths[0])
	}
	body := g.bodies[0]
	g.mu.Unlock()
	if !strings.Contains(body, "Qual o frete para Campinas") || strings.Contains(body, "123.456.789-09") || !strings.Contains(body, "[CPF]") {
		t.Errorf("the request must carry the conversation, with the CPF redacted: %s", body)
	}
	// Nothing was sent to the customer.
	var out int64
	db.Model(&store.Message{}).Where("direction = ?", store.DirectionOutbound).Count(&out)
	if out != 0 {
		t.Errorf("AI Assist sent %d messages by itself", out)
	}

	cases := []struct {
		name   string
		reply  func(http.ResponseWriter)
		body   map[string]any
		status int
		want   string
	}{
		{"provider overloaded", failing(http.StatusTooManyRequests), map[string]any{"operation": "rewrite", "draft": "oi td bem"}, http.StatusBadGateway, "busy"},
		{"provider error", failing(http.StatusInternalServerError), map[string]any{"operation": "fix", "draft": "oi td bem"}, http.StatusBadGateway, "failed"},
		{"provider too slow", func(w http.ResponseWriter) { time.Sleep(3 * time.Second) }, map[string]any{"operation": "expand", "draft": "prazo"}, http.StatusBadGateway, "in time"},
		{"unknown operation", candidate("x"), map[string]any{"operation": "poem", "draft": "x"}, http.StatusUnprocessableEntity, "operation"},
		{"draft too long", candidate("x"), map[string]any{"operation": "rewrite", "draft": strings.Repeat("a", ai.MaxDraft+1)}, http.StatusUnprocessableEntity, "draft"},
	}
	for _, c := range cases {
		g.mu.Lock()
		g.reply = c.reply
		g.mu.Unlock()
		st, res := ag.call(http.MethodPost, path, c.body, nil)
		if st != c.status || !strings.Contains(strings.ToLower(res["detail"].(string)), c.want) {
			t.Errorf("%s: %d %v, want %d mentioning %q", c.name, st, res, c.status, c.want)
		}
	}
	// The cap (5 a month here) counts requests, not retries, and not those
	// refused before reaching the provider: 4 so far.
	g.mu.Lock()
	g.reply = candidate("ok")
	g.mu.Unlock()
	if st, _ := ag.call(http.MethodPost, path, map[string]any{"operation": "rewrite", "draft": "oi"}, nil); st != http.StatusOK {
		t.Errorf("5th request of 5: %d", st)
	}
	if st, res := ag.call(http.MethodPost, path, map[string]any{"operation": "rewrite", "draft": "oi"}, nil); st != http.StatusTooManyRequests || !strings.Contains(res["detail"].(string), "quota reached") {
		t.Errorf("over the monthly cap: %d %v", st, res)
	}
	db.Model(&store.Account{}).Where("id = ?", f.Account.ID).Update("modules", "api")
	if st, res := ag.call(http.MethodPost, path, map[string]any{"operation": "rewrite", "draft": "oi"}, nil); st != http.StatusForbidden || !strings.Contains(res["detail"].(string), "not enabled") {
		t.Errorf("module off: %d %v", st, res)
	}
}

func TestAIAssistNotConfigured(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	u, _ := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "semia@example.com", Name: "Bia", Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAgent].ID})
	ag := login(t, a.url, u.Email)
	r := a.post(t, a.token, msgJSON("n1", "5511922221111", "Oi"))
	conv := waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string)), 1)
	st, res := ag.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/assist", map[string]any{"operation": "suggest_reply"}, nil)
	if st != http.StatusServiceUnavailable || res["detail"] != "AI Assist is not configured" {
		t.Errorf("not configured: %d %v", st, res)
	}
}
