// Package olxtest is a local server speaking OLX's documented chat API:
// the OAuth code exchange, webhook registration and removal, and sending
// in a chat; and the payloads OLX posts to the registered webhook.
package olxtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Server is the fake OLX (auth and apps hosts in one).
type Server struct {
	*httptest.Server
	ClientID, Secret string

	mu      sync.Mutex
	codes   map[string]bool
	tokens  map[string]bool
	webhook string
	chats   map[string]bool
	sent    []Sent
}

// Sent is a message CHATSPOT sent in a chat.
type Sent struct {
	ChatID, MessageID, Text string
}

// New starts the server.
func New(clientID, secret string) *Server {
	s := &Server{ClientID: clientID, Secret: secret, codes: map[string]bool{}, tokens: map[string]bool{}, chats: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddCode makes a consent code valid once.
func (s *Server) AddCode(code string) {
	s.mu.Lock()
	s.codes[code] = true
	s.mu.Unlock()
}

// Webhook is the URL registered, "" when none.
func (s *Server) Webhook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Sent are the messages sent so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Message is what OLX posts for a chat message; the chat becomes one the
// send endpoint knows.
func (s *Server) Message(chatID, listID, messageID, origin, text string) []byte {
	s.mu.Lock()
	s.chats[chatID] = true
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"chatId": chatID, "message": text, "senderType": origin, "email": "bia@exemplo.com.br", "name": "Bia",
		"phone": "11987654321", "messageTimestamp": time.Now().UTC().Format(time.RFC3339), "messageId": messageID, "origin": origin, "listId": listID})
	return b
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/oauth/token" && r.Method == http.MethodPost {
		_ = r.ParseForm()
		if r.PostForm.Get("client_id") != s.ClientID || r.PostForm.Get("client_secret") != s.Secret || !s.codes[r.PostForm.Get("code")] {
			reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "invalid code"})
			return
		}
		delete(s.codes, r.PostForm.Get("code"))
		s.tokens["olx-token-1"] = true
		reply(w, http.StatusOK, map[string]any{"access_token": "olx-token-1", "token_type": "Bearer"})
		return
	}
	if !s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		reply(w, http.StatusUnauthorized, map[string]any{"message": "invalid token"})
		return
	}
	switch {
	case r.URL.Path == "/autoservice/v1/chat" && r.Method == http.MethodPost:
		var in struct {
			Webhook string `json:"webhook"`
		}
		if json.NewDecoder(r.Body).Decode(&in) != nil || !strings.HasPrefix(in.Webhook, "https://") {
			reply(w, http.StatusBadRequest, map[string]any{"message": "webhook must be an https URL"})
			return
		}
		s.webhook = in.Webhook
		reply(w, http.StatusCreated, map[string]any{"webhook": in.Webhook})
	case r.URL.Path == "/autoservice/v1/chat" && r.Method == http.MethodDelete:
		s.webhook = ""
		w.WriteHeader(http.StatusOK)
	case r.URL.Path == "/autoservice/v1/chat/send" && r.Method == http.MethodPost:
		var in struct {
			TextMessage string `json:"textMessage"`
			MessageID   string `json:"messageId"`
			ChatID      string `json:"chatId"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		if !s.chats[in.ChatID] {
			reply(w, http.StatusBadRequest, map[string]any{"message": "chat not found"})
			return
		}
		s.sent = append(s.sent, Sent{ChatID: in.ChatID, MessageID: in.MessageID, Text: in.TextMessage})
		reply(w, http.StatusOK, map[string]any{"status": "sent"})
	default:
		reply(w, http.StatusNotFound, map[string]any{"message": "not found"})
	}
}
