// Package metatest is a local server speaking the parts of Meta's APIs
// the Messenger and Instagram channels use, in Meta's documented format:
// the Graph API's page endpoints (GET /{v}/{page}, POST and DELETE
// /{v}/{page}/subscribed_apps, POST /{v}/{page}/messages as JSON or
// multipart with filedata, GET /{v}/{psid}) and the Instagram Graph API's
// (GET /{v}/me, /{v}/me/subscribed_apps, POST /{v}/me/messages to an id
// or a comment_id, POST /{v}/{comment}/replies, POST /{v}/{comment}?hide,
// DELETE /{v}/{comment}, GET /{v}/{media}, and Instagram Login's token
// endpoints). Errors come as {"error":{...}}; a wrong token is code 190.
package metatest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Sent is a message the Send API took.
type Sent struct {
	Path      string         // the endpoint: "<page>/messages" or "me/messages"
	Recipient map[string]any // {"id"} or {"comment_id"}
	Message   map[string]any // {"text"} or {"attachment"}
	Type      string         // messaging_type
	Tag       string
	File      []byte // an uploaded filedata, or the bytes fetched from an attachment URL
	ID        string // the message id answered
}

// Reply is a public reply to a comment.
type Reply struct {
	CommentID, Message, ID string
}

// Server is the fake API for one page and one Instagram account.
type Server struct {
	*httptest.Server
	Version            string
	PageID, PageName   string
	IGUserID, Username string
	AppID, AppSecret   string
	// Fetch fetches attachment URLs (CHATSPOT's file links); nil is
	// http.DefaultClient.
	Fetch *http.Client

	mu         sync.Mutex
	tokens     map[string]bool // tokens that work
	sent       []Sent
	replies    []Reply
	hidden     map[string]bool
	deleted    []string
	subscribed map[string]string // "page"/"me" -> subscribed_fields; "" after DELETE
	seen       []string          // recipients marked seen
	failNext   []Error
	profiles   map[string]map[string]string // scoped id -> fields
	media      map[string]map[string]string // media id -> fields
	codes      map[string]string            // OAuth code -> short-lived token
	refreshed  int
	next       int
	pageToken  string // what /me/accounts answers as the page's token
}

// Error is a Graph API error to answer.
type Error struct {
	Status, Code, Subcode int
	Message               string
}

// New starts a server for a page and an Instagram account, with the
// tokens that work.
func New(version string, tokens ...string) *Server {
	s := &Server{Version: version, PageID: "104885415392751", PageName: "Loja da Ana", IGUserID: "17841400000000001", Username: "lojadaana",
		AppID: "1517776481860111", tokens: map[string]bool{}, hidden: map[string]bool{}, subscribed: map[string]string{},
		profiles: map[string]map[string]string{}, media: map[string]map[string]string{}, codes: map[string]string{}}
	for _, t := range tokens {
		s.tokens[t] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AllowToken makes a token work (a new one after a refresh, say).
func (s *Server) AllowToken(t string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t] = ok
}

// AddProfile is a person's profile as the Graph API answers it.
func (s *Server) AddProfile(id string, fields map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[id] = fields
}

// AddMedia is a post of the account.
func (s *Server) AddMedia(id string, fields map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = fields
}

// AddCode is an OAuth code the authorize screen handed out, exchanged for
// short-lived token.
func (s *Server) AddCode(code, shortToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = shortToken
}

// SetPageToken is the page token /me/accounts answers to the person who
// logged in with Facebook.
func (s *Server) SetPageToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageToken = token
}

// FailNext makes the next calls of the Send API (and comment endpoints)
// fail with these errors, in order.
func (s *Server) FailNext(errs ...Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, errs...)
}

// Sent is a copy of what the Send API took.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Replies are the public replies posted.
func (s *Server) Replies() []Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reply(nil), s.replies...)
}

// Hidden tells whether a comment is hidden; Deleted lists deleted ones.
func (s *Server) Hidden(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hidden[id]
}

// Deleted lists the comments deleted.
func (s *Server) Deleted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.deleted...)
}

// Subscribed is the subscribed_fields of "page" or "me" ("" when
// unsubscribed, absent when never).
func (s *Server) Subscribed(who string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.subscribed[who]
	return v, ok
}

// Seen lists the recipients marked seen.
func (s *Server) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// Refreshed counts the long-lived token refreshes.
func (s *Server) Refreshed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshed
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e Error) {
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{"message": e.Message, "type": "OAuthException", "code": e.Code,
		"error_subcode": e.Subcode, "fbtrace_id": "AbCdEf"}})
}

func (s *Server) token(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	return r.URL.Query().Get("access_token")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	// Instagram Login's token endpoints carry no version.
	switch path {
	case "oauth/access_token":
		s.exchangeCode(w, r)
		return
	case "access_token", "refresh_access_token":
		s.longLived(w, r, path)
		return
	}
	rest, ok := strings.CutPrefix(path, s.Version+"/")
	if !ok {
		writeError(w, Error{Code: 2500, Message: "Unknown path components: /" + path})
		return
	}
	if rest == "oauth/access_token" { // Facebook Login's code and token exchange
		s.facebookToken(w, r)
		return
	}
	s.mu.Lock()
	valid := s.tokens[s.token(r)]
	s.mu.Unlock()
	if !valid {
		writeError(w, Error{Status: http.StatusUnauthorized, Code: 190, Message: "Error validating access token: Session has expired"})
		return
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 2 && parts[1] == "messages":
		s.send(w, r, rest)
	case rest == "me/accounts":
		s.mu.Lock()
		page := s.pageToken
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{map[string]any{"id": s.PageID, "name": s.PageName, "access_token": page,
			"category": "Loja", "tasks": []string{"MESSAGING", "MODERATE"}}}})
	case len(parts) == 2 && parts[1] == "subscribed_apps":
		who := "page"
		if parts[0] == "me" {
			who = "me"
		}
		s.mu.Lock()
		if r.Method == http.MethodDelete {
			s.subscribed[who] = ""
		} else {
			s.subscribed[who] = r.URL.Query().Get("subscribed_fields")
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	case len(parts) == 2 && parts[1] == "replies" && r.Method == http.MethodPost:
		if s.fail(w) {
			return
		}
		s.mu.Lock()
		s.next++
		rep := Reply{CommentID: parts[0], Message: r.URL.Query().Get("message"), ID: fmt.Sprint(17900000000000000 + s.next)}
		s.replies = append(s.replies, rep)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"id": rep.ID})
	case len(parts) == 1 && r.Method == http.MethodPost && r.URL.Query().Has("hide"):
		if s.fail(w) {
			return
		}
		s.mu.Lock()
		s.hidden[parts[0]] = r.URL.Query().Get("hide") == "true"
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	case len(parts) == 1 && r.Method == http.MethodDelete:
		if s.fail(w) {
			return
		}
		s.mu.Lock()
		s.deleted = append(s.deleted, parts[0])
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	case len(parts) == 1 && r.Method == http.MethodGet:
		s.object(w, parts[0])
	default:
		writeError(w, Error{Code: 100, Message: "Unsupported request: " + r.Method + " /" + path})
	}
}

func (s *Server) fail(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) == 0 {
		return false
	}
	e := s.failNext[0]
	s.failNext = s.failNext[1:]
	writeError(w, e)
	return true
}

func (s *Server) object(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case id == s.PageID:
		writeJSON(w, http.StatusOK, map[string]any{"id": s.PageID, "name": s.PageName})
	case id == "me":
		writeJSON(w, http.StatusOK, map[string]any{"user_id": s.IGUserID, "id": "9000000001", "username": s.Username})
	case s.profiles[id] != nil:
		writeJSON(w, http.StatusOK, s.profiles[id])
	case s.media[id] != nil:
		writeJSON(w, http.StatusOK, s.media[id])
	default:
		writeError(w, Error{Code: 100, Subcode: 33, Message: "Object with ID '" + id + "' does not exist"})
	}
}

// send takes a Send API message: JSON, or multipart with filedata. An
// attachment by URL is fetched, as Meta does, so a link that does not
// work fails the send.
func (s *Server) send(w http.ResponseWriter, r *http.Request, path string) {
	var m Sent
	m.Path = path
	var action string
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			switch p.FormName() {
			case "recipient":
				_ = json.Unmarshal(data, &m.Recipient)
			case "message":
				_ = json.Unmarshal(data, &m.Message)
			case "messaging_type":
				m.Type = string(data)
			case "tag":
				m.Tag = string(data)
			case "filedata":
				m.File = data
			}
		}
	} else {
		var body struct {
			Recipient    map[string]any `json:"recipient"`
			Message      map[string]any `json:"message"`
			Type         string         `json:"messaging_type"`
			Tag          string         `json:"tag"`
			SenderAction string         `json:"sender_action"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, Error{Code: 100, Message: "(#100) Invalid JSON"})
			return
		}
		m.Recipient, m.Message, m.Type, m.Tag, action = body.Recipient, body.Message, body.Type, body.Tag, body.SenderAction
	}
	if action == "mark_seen" {
		s.mu.Lock()
		s.seen = append(s.seen, fmt.Sprint(m.Recipient["id"]))
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": m.Recipient["id"]})
		return
	}
	if m.Recipient == nil || m.Message == nil {
		writeError(w, Error{Code: 100, Message: "(#100) The parameter recipient is required"})
		return
	}
	if s.fail(w) {
		return
	}
	if att, ok := m.Message["attachment"].(map[string]any); ok {
		payload, _ := att["payload"].(map[string]any)
		if url, _ := payload["url"].(string); url != "" {
			fetch := s.Fetch
			if fetch == nil {
				fetch = http.DefaultClient
			}
			res, err := fetch.Get(url)
			if err != nil || res.StatusCode != http.StatusOK {
				writeError(w, Error{Code: 100, Subcode: 2018008, Message: "(#100) Failed to fetch the file from the url"})
				return
			}
			m.File, _ = io.ReadAll(res.Body)
			res.Body.Close()
		} else if m.File == nil {
			writeError(w, Error{Code: 100, Message: "(#100) Upload attachment failure"})
			return
		}
	}
	s.mu.Lock()
	s.next++
	m.ID = fmt.Sprintf("m_%d", s.next)
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"recipient_id": m.Recipient["id"], "message_id": m.ID})
}

// exchangeCode is POST https://api.instagram.com/oauth/access_token (form:
// client_id, client_secret, grant_type=authorization_code, redirect_uri,
// code) answering a short-lived token.
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	short, ok := s.codes[r.PostForm.Get("code")]
	delete(s.codes, r.PostForm.Get("code"))
	s.mu.Unlock()
	switch {
	case r.Method != http.MethodPost || r.PostForm.Get("grant_type") != "authorization_code":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error_type": "OAuthException", "code": 400, "error_message": "Invalid grant_type"})
	case r.PostForm.Get("client_id") != s.AppID || r.PostForm.Get("client_secret") != s.AppSecret:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error_type": "OAuthException", "code": 400, "error_message": "Invalid client_secret"})
	case !ok || r.PostForm.Get("redirect_uri") == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error_type": "OAuthException", "code": 400, "error_message": "This authorization code has been used"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{map[string]any{"access_token": short, "user_id": s.IGUserID,
			"permissions": "instagram_business_basic,instagram_business_manage_messages,instagram_business_manage_comments"}}})
	}
}

// longLived answers GET /access_token?grant_type=ig_exchange_token
// (short-lived to long-lived) and GET
// /refresh_access_token?grant_type=ig_refresh_token: a new token valid
// 60 days.
func (s *Server) longLived(w http.ResponseWriter, r *http.Request, path string) {
	q := r.URL.Query()
	want := map[string]string{"access_token": "ig_exchange_token", "refresh_access_token": "ig_refresh_token"}[path]
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("grant_type") != want || !s.tokens[q.Get("access_token")] && !s.isShort(q.Get("access_token")) {
		writeError(w, Error{Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"})
		return
	}
	if path == "access_token" && q.Get("client_secret") != s.AppSecret {
		writeError(w, Error{Code: 101, Message: "Error validating client secret"})
		return
	}
	s.next++
	token := fmt.Sprintf("IGAA-long-%d", s.next)
	s.tokens[token] = true
	if path == "refresh_access_token" {
		s.refreshed++
		delete(s.tokens, q.Get("access_token"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 5183944})
}

// facebookToken answers GET /{v}/oauth/access_token: a code (with
// client_id, client_secret, redirect_uri) for a person's token, or
// grant_type=fb_exchange_token for a long-lived one.
func (s *Server) facebookToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.AppID || q.Get("client_secret") != s.AppSecret {
		writeError(w, Error{Code: 1, Message: "Error validating client secret."})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var token string
	if q.Get("grant_type") == "fb_exchange_token" {
		if !s.tokens[q.Get("fb_exchange_token")] {
			writeError(w, Error{Code: 190, Message: "Invalid OAuth access token."})
			return
		}
		token = "EAAG-user-long"
	} else {
		user, ok := s.codes[q.Get("code")]
		delete(s.codes, q.Get("code"))
		if !ok || q.Get("redirect_uri") == "" {
			writeError(w, Error{Code: 100, Subcode: 36009, Message: "This authorization code has been used."})
			return
		}
		token = user
	}
	s.tokens[token] = true
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 5183944})
}

func (s *Server) isShort(token string) bool { return strings.HasPrefix(token, "IGAA-short") }
