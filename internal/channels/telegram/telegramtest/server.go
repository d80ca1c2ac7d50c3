// Package telegramtest is a local server speaking the Telegram Bot API's
// wire format, for tests: POST /bot<token>/<method> with JSON, form or
// multipart parameters, answers {"ok":true,"result":...} or
// {"ok":false,"error_code":...,"description":...,"parameters":{...}},
// getUpdates long polling with offsets, setWebhook / deleteWebhook, file
// downloads at /file/bot<token>/<path>.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sent is a message a bot sent through the server.
type Sent struct {
	Method     string // sendMessage, sendPhoto, sendDocument
	ChatID     string
	Text       string
	ReplyTo    int // reply_parameters.message_id
	Business   string
	FileName   string
	FileData   []byte
	MessageID  int
	ReceivedAt time.Time
}

// Server is the fake Bot API. Its zero configuration accepts one token.
type Server struct {
	*httptest.Server
	Token    string
	Username string

	mu         sync.Mutex
	updates    []json.RawMessage // queued for getUpdates
	nextUpdate int64
	confirmed  int64 // highest offset a getUpdates asked for
	webhook    string
	secret     string
	sent       []Sent
	files      map[string]file // file_id -> content
	nextMsg    int
	tooMany    map[string]int // method -> 429s still to answer
	blocked    map[string]bool
	calls      map[string]int
	wake       chan struct{}
}

type file struct {
	path string
	data []byte
}

// New starts a server for token.
func New(token, username string) *Server {
	s := &Server{Token: token, Username: username, files: map[string]file{}, tooMany: map[string]int{}, blocked: map[string]bool{},
		calls: map[string]int{}, wake: make(chan struct{}, 1), nextUpdate: 1000, nextMsg: 500}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Push queues an update for getUpdates; update_id is filled in. It
// returns the update's id.
func (s *Server) Push(update map[string]any) int64 {
	s.mu.Lock()
	s.nextUpdate++
	update["update_id"] = s.nextUpdate
	raw, _ := json.Marshal(update)
	s.updates = append(s.updates, raw)
	id := s.nextUpdate
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return id
}

// AddFile makes a file downloadable by its id.
func (s *Server) AddFile(id, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = file{path: path, data: data}
}

// TooManyRequests makes the next n calls of method answer 429 with
// retry_after 1.
func (s *Server) TooManyRequests(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tooMany[method] = n
}

// Block makes sends to chatID answer 403, as when the user blocked the bot.
func (s *Server) Block(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Sent returns what bots sent so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Webhook is the URL and secret token set, if any.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Calls is how often a method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Pending is how many updates getUpdates has not had confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, raw := range s.updates {
		var u struct {
			ID int64 `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &u)
		if u.ID >= s.confirmed {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/bot"+s.Token+"/") {
		path := strings.TrimPrefix(r.URL.Path, "/file/bot"+s.Token+"/")
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, f := range s.files {
			if f.path == path {
				_, _ = w.Write(f.data)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !ok || r.Method != http.MethodPost {
		fail(w, 404, "Not Found", 0)
		return
	}
	if token != s.Token {
		fail(w, 401, "Unauthorized", 0)
		return
	}
	params, files, err := readParams(r)
	if err != nil {
		fail(w, 400, "Bad Request: "+err.Error(), 0)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	if n := s.tooMany[method]; n > 0 {
		s.tooMany[method] = n - 1
		s.mu.Unlock()
		fail(w, 429, "Too Many Requests: retry after 1", 1)
		return
	}
	s.mu.Unlock()
	switch method {
	case "getMe":
		id, _, _ := strings.Cut(s.Token, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		ok200(w, map[string]any{"id": n, "is_bot": true, "first_name": "Loja", "username": s.Username})
	case "setWebhook":
		s.mu.Lock()
		s.webhook, s.secret = params["url"], params["secret_token"]
		s.mu.Unlock()
		ok200(w, true)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook, s.secret = "", ""
		s.mu.Unlock()
		ok200(w, true)
	case "getUpdates":
		s.getUpdates(w, r, params)
	case "sendMessage", "sendPhoto", "sendDocument":
		s.send(w, method, params, files)
	case "getFile":
		s.mu.Lock()
		f, found := s.files[params["file_id"]]
		s.mu.Unlock()
		if !found {
			fail(w, 400, "Bad Request: invalid file_id", 0)
			return
		}
		ok200(w, map[string]any{"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"], "file_size": len(f.data), "file_path": f.path})
	default:
		fail(w, 404, "Not Found: method not found", 0)
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]string) {
	s.mu.Lock()
	hooked := s.webhook != ""
	s.mu.Unlock()
	if hooked {
		fail(w, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
		return
	}
	offset, _ := strconv.ParseInt(params["offset"], 10, 64)
	timeout, _ := strconv.Atoi(params["timeout"])
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		s.confirmed = max(s.confirmed, offset)
		var out []json.RawMessage
		for _, raw := range s.updates {
			var u struct {
				ID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(raw, &u)
			if u.ID >= offset {
				out = append(out, raw)
			}
		}
		s.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			ok200(w, out)
			return
		}
		select {
		case <-s.wake:
		case <-deadline:
			ok200(w, []any{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) send(w http.ResponseWriter, method string, params map[string]string, files map[string]upload) {
	chat := params["chat_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		fail(w, 403, "Forbidden: bot was blocked by the user", 0)
		return
	}
	s.nextMsg++
	m := Sent{Method: method, ChatID: chat, Text: params["text"], Business: params["business_connection_id"], MessageID: s.nextMsg, ReceivedAt: time.Now()}
	if rp := params["reply_parameters"]; rp != "" {
		var p struct {
			MessageID int `json:"message_id"`
		}
		_ = json.Unmarshal([]byte(rp), &p)
		m.ReplyTo = p.MessageID
	}
	for _, key := range []string{"photo", "document"} {
		if f, ok := files[key]; ok {
			m.FileName, m.FileData = f.name, f.data
		}
	}
	if method != "sendMessage" && m.FileData == nil {
		fail(w, 400, "Bad Request: there is no file in the request", 0)
		return
	}
	s.sent = append(s.sent, m)
	id, _ := strconv.ParseInt(chat, 10, 64)
	ok200(w, map[string]any{"message_id": m.MessageID, "date": time.Now().Unix(), "chat": map[string]any{"id": id, "type": "private"}, "text": m.Text})
}

type upload struct {
	name string
	data []byte
}

// readParams reads a Bot API call's parameters: JSON, urlencoded form or
// multipart (files as uploads).
func readParams(r *http.Request) (map[string]string, map[string]upload, error) {
	params, files := map[string]string{}, map[string]upload{}
	ct, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.ContentLength == 0 && ct == "":
		return params, files, nil
	case ct == "application/json":
		var raw map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return nil, nil, err
		}
		for k, v := range raw {
			var str string
			if json.Unmarshal(v, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(v)
			}
		}
	case ct == "multipart/form-data":
		mr := multipart.NewReader(r.Body, mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, err
			}
			data, _ := io.ReadAll(part)
			if part.FileName() != "" {
				files[part.FormName()] = upload{name: part.FileName(), data: data}
				continue
			}
			params[part.FormName()] = string(data)
		}
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k := range r.PostForm {
			params[k] = r.PostForm.Get(k)
		}
	default:
		return nil, nil, fmt.Errorf("unsupported content type %q", ct)
	}
	return params, files, nil
}

func ok200(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, code int, desc string, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	_ = json.NewEncoder(w).Encode(body)
}
