// Package mltest is a local server speaking the parts of Mercado Livre's
// API CHATSPOT calls, in its documented shapes: OAuth with PKCE and
// single-use rotating refresh tokens, users, questions (api_version=4),
// answers, items and missed feeds.
package mltest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is the fake Mercado Livre.
type Server struct {
	*httptest.Server
	AppID, Secret string
	SellerID      int64
	Nickname      string

	mu        sync.Mutex
	codes     map[string]string // code -> PKCE challenge
	access    map[string]bool
	refresh   map[string]bool // unused refresh tokens
	issued    int
	users     map[int64]string
	questions map[int64]map[string]any
	items     map[string]map[string]any
	missed    []map[string]any
	answers   []Answer
	refreshes int
}

// Answer is an answer CHATSPOT posted.
type Answer struct {
	QuestionID int64
	Text       string
}

// New starts the server for one seller and app.
func New(appID, secret string, sellerID int64, nickname string) *Server {
	s := &Server{AppID: appID, Secret: secret, SellerID: sellerID, Nickname: nickname,
		codes: map[string]string{}, access: map[string]bool{}, refresh: map[string]bool{},
		users: map[int64]string{sellerID: nickname}, questions: map[int64]map[string]any{}, items: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddCode makes a consent code valid for the PKCE challenge of its
// verifier (as the consent screen would have recorded it).
func (s *Server) AddCode(code, challenge string) {
	s.mu.Lock()
	s.codes[code] = challenge
	s.mu.Unlock()
}

// AddUser names a buyer.
func (s *Server) AddUser(id int64, nickname string) {
	s.mu.Lock()
	s.users[id] = nickname
	s.mu.Unlock()
}

// AddItem lists an item.
func (s *Server) AddItem(id, title string, price float64) {
	s.mu.Lock()
	s.items[id] = map[string]any{"id": id, "title": title, "price": price, "currency_id": "BRL",
		"thumbnail": "http://http2.mlstatic.com/D_" + id + "-I.jpg", "secure_thumbnail": "https://http2.mlstatic.com/D_" + id + "-I.jpg",
		"permalink": "https://produto.mercadolivre.com.br/" + id}
	s.mu.Unlock()
}

// Ask stores a buyer's question and answers the notification Mercado
// Livre would send of it.
func (s *Server) Ask(id int64, item string, buyer int64, text string) []byte {
	s.mu.Lock()
	s.questions[id] = map[string]any{"id": id, "item_id": item, "seller_id": s.SellerID, "status": "UNANSWERED", "text": text,
		"date_created": time.Now().Format("2006-01-02T15:04:05.000-07:00"), "deleted_from_listing": false, "hold": false,
		"suspected_spam": false, "answer": nil, "from": map[string]any{"id": buyer}}
	s.mu.Unlock()
	return s.Notification(id)
}

// Notification is a questions notification of a question.
func (s *Server) Notification(id int64) []byte {
	b, _ := json.Marshal(s.notification(id))
	return b
}

func (s *Server) notification(id int64) map[string]any {
	app, _ := strconv.ParseInt(s.AppID, 10, 64)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return map[string]any{"_id": fmt.Sprintf("n-%d-%d", id, time.Now().UnixNano()), "resource": fmt.Sprintf("/questions/%d", id), "user_id": s.SellerID,
		"topic": "questions", "application_id": app, "attempts": 1, "sent": now, "received": now}
}

// AnswerElsewhere answers a question as the seller would on Mercado
// Livre's own site.
func (s *Server) AnswerElsewhere(id int64, text string) {
	s.mu.Lock()
	s.answerLocked(id, text)
	s.mu.Unlock()
}

func (s *Server) answerLocked(id int64, text string) {
	q := s.questions[id]
	q["status"] = "ANSWERED"
	q["answer"] = map[string]any{"text": text, "status": "ACTIVE", "date_created": time.Now().Format("2006-01-02T15:04:05.000-07:00")}
}

// SetStatus changes a question's status (BANNED, DELETED...).
func (s *Server) SetStatus(id int64, status string) {
	s.mu.Lock()
	s.questions[id]["status"] = status
	s.mu.Unlock()
}

// Miss puts a question's notification in the missed feeds, as Mercado
// Livre does after giving up delivering it.
func (s *Server) Miss(id int64) {
	s.mu.Lock()
	s.missed = append(s.missed, s.notification(id))
	s.mu.Unlock()
}

// Answers are the answers posted so far.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// Refreshes counts the refresh-token grants accepted.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func mlError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"message": message, "error": code, "status": status, "cause": []any{}})
}

// tokensLocked issues an access token and a refresh token.
func (s *Server) tokensLocked() map[string]any {
	s.issued++
	access := fmt.Sprintf("APP_USR-%d-access", s.issued)
	refresh := fmt.Sprintf("TG-%d-refresh", s.issued)
	s.access[access] = true
	s.refresh[refresh] = true
	return map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 21600, "scope": "offline_access read write",
		"user_id": s.SellerID, "refresh_token": refresh}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/oauth/token" && r.Method == http.MethodPost {
		_ = r.ParseForm()
		f := r.PostForm
		if f.Get("client_id") != s.AppID || f.Get("client_secret") != s.Secret {
			mlError(w, http.StatusUnauthorized, "invalid_client", "invalid client_id or client_secret")
			return
		}
		switch f.Get("grant_type") {
		case "authorization_code":
			challenge, ok := s.codes[f.Get("code")]
			sum := sha256.Sum256([]byte(f.Get("code_verifier")))
			if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
				mlError(w, http.StatusBadRequest, "invalid_grant", "invalid authorization code or code_verifier")
				return
			}
			delete(s.codes, f.Get("code"))
			writeJSON(w, http.StatusOK, s.tokensLocked())
		case "refresh_token":
			if !s.refresh[f.Get("refresh_token")] {
				mlError(w, http.StatusBadRequest, "invalid_grant", "the refresh token was already used or is invalid")
				return
			}
			delete(s.refresh, f.Get("refresh_token")) // single use
			s.refreshes++
			writeJSON(w, http.StatusOK, s.tokensLocked())
		default:
			mlError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type not supported")
		}
		return
	}
	if !s.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		mlError(w, http.StatusUnauthorized, "invalid_token", "invalid access token")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/users/me":
		writeJSON(w, http.StatusOK, map[string]any{"id": s.SellerID, "nickname": s.Nickname, "site_id": "MLB"})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "users":
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		if name, ok := s.users[id]; ok {
			writeJSON(w, http.StatusOK, map[string]any{"id": id, "nickname": name})
			return
		}
		mlError(w, http.StatusNotFound, "not_found", "user not found")
	case r.Method == http.MethodGet && r.URL.Path == "/questions/search":
		var out []any
		for _, q := range s.questions {
			if q["status"] == r.URL.Query().Get("status") && fmt.Sprint(q["seller_id"]) == r.URL.Query().Get("seller_id") {
				out = append(out, q)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"total": len(out), "limit": 50, "questions": out})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "questions":
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		q, ok := s.questions[id]
		if !ok {
			mlError(w, http.StatusNotFound, "not_found", "question not found")
			return
		}
		writeJSON(w, http.StatusOK, q)
	case r.Method == http.MethodPost && r.URL.Path == "/answers":
		var in struct {
			QuestionID int64  `json:"question_id"`
			Text       string `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		q, ok := s.questions[in.QuestionID]
		switch {
		case !ok:
			mlError(w, http.StatusNotFound, "not_found", "question not found")
		case q["status"] != "UNANSWERED":
			mlError(w, http.StatusBadRequest, "not_unanswered_question", "the question is not unanswered")
		case len([]rune(in.Text)) > 2000 || strings.TrimSpace(in.Text) == "":
			mlError(w, http.StatusBadRequest, "invalid_text", "the answer must have 1 to 2000 characters")
		default:
			s.answerLocked(in.QuestionID, in.Text)
			s.answers = append(s.answers, Answer{QuestionID: in.QuestionID, Text: in.Text})
			writeJSON(w, http.StatusOK, q)
		}
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "items":
		if it, ok := s.items[parts[1]]; ok {
			writeJSON(w, http.StatusOK, it)
			return
		}
		mlError(w, http.StatusNotFound, "not_found", "item not found")
	case r.Method == http.MethodGet && r.URL.Path == "/missed_feeds":
		if r.URL.Query().Get("app_id") != s.AppID {
			mlError(w, http.StatusForbidden, "forbidden", "app mismatch")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"messages": s.missed})
	default:
		mlError(w, http.StatusNotFound, "not_found", "no such resource")
	}
}
