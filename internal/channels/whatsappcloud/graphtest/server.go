// Package graphtest is a local server speaking the parts of Meta's Graph
// API the WhatsApp channel uses, in Meta's documented format: POST
// /{v}/{phone-number-id}/messages and /media, GET /{v}/{media-id} and the
// media URL it hands out, GET /{v}/{phone-number-id}, POST
// /{v}/{waba-id}/subscribed_apps; errors as {"error":{...}}.
package graphtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Sent is a message posted to the messages endpoint.
type Sent struct {
	Body map[string]any
	ID   string // the wamid answered
}

// Server is the fake Graph API for one number.
type Server struct {
	*httptest.Server
	Version, PhoneNumberID, WABAID, Token string

	mu         sync.Mutex
	sent       []Sent
	uploads    map[string][]byte // media id -> bytes we were sent
	files      map[string]file   // media id -> inbound file
	failNext   []int             // Meta error codes for the next sends
	subscribed map[string]any    // the last subscribed_apps body
	next       int
	reads      []string // message ids marked read
	templates  []Template
}

// Template is a template of the WABA, in the Graph API's shape.
type Template struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Language   string           `json:"language"`
	Category   string           `json:"category"`
	Status     string           `json:"status"`
	Reason     string           `json:"rejected_reason,omitempty"`
	Components []map[string]any `json:"components"`
}

// AddTemplate adds a template with a body (and its variables' count taken
// from it) in the given status.
func (s *Server) AddTemplate(name, language, category, status, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.templates = append(s.templates, Template{ID: fmt.Sprint(900000 + s.next), Name: name, Language: language, Category: category, Status: status,
		Components: []map[string]any{{"type": "BODY", "text": body}}})
}

// AddRawTemplate adds a template as Meta lists it (any components).
func (s *Server) AddRawTemplate(t Template) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates = append(s.templates, t)
}

// Templates is a copy of the WABA's templates.
func (s *Server) Templates() []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Template(nil), s.templates...)
}

// SetTemplateStatus changes a template's review status, as Meta's review
// does.
func (s *Server) SetTemplateStatus(name, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.templates {
		if s.templates[i].Name == name {
			s.templates[i].Status = status
		}
	}
}

var templateName = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

// listTemplates answers a page of templates, limit at a time, with an
// after cursor (the index of the next one) while more remain.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 25
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("after"))
	to := min(from+limit, len(s.templates))
	page := map[string]any{"data": s.templates[from:to]}
	if to < len(s.templates) {
		page["paging"] = map[string]any{"cursors": map[string]any{"before": fmt.Sprint(from), "after": fmt.Sprint(to)},
			"next": s.URL + r.URL.Path + "?after=" + fmt.Sprint(to)}
	}
	answer(w, page)
}

// createTemplate takes a template for review, refusing what Meta refuses:
// a bad name or category, a body without the examples its variables need,
// a name already used in that language.
func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) {
	var t Template
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil || !templateName.MatchString(t.Name) || t.Language == "" {
		metaError(w, 100)
		return
	}
	if t.Category != "MARKETING" && t.Category != "UTILITY" && t.Category != "AUTHENTICATION" {
		metaError(w, 100)
		return
	}
	var body map[string]any
	for _, c := range t.Components {
		if c["type"] == "BODY" {
			body = c
		}
	}
	if body == nil || (strings.Contains(fmt.Sprint(body["text"]), "{{") && body["example"] == nil) {
		metaError(w, 100)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.templates {
		if e.Name == t.Name && e.Language == t.Language {
			metaError(w, 100)
			return
		}
	}
	s.next++
	t.ID, t.Status = fmt.Sprint(900000+s.next), "PENDING"
	s.templates = append(s.templates, t)
	answer(w, map[string]any{"id": t.ID, "status": t.Status, "category": t.Category})
}

// templateRefusal is the error code Meta answers a template send with:
// unknown or unapproved in that language, or the wrong number of body
// parameters; 0 when it is fine.
func (s *Server) templateRefusal(body map[string]any) int {
	tpl, _ := body["template"].(map[string]any)
	lang, _ := tpl["language"].(map[string]any)
	for _, t := range s.templates {
		if t.Name != tpl["name"] || t.Language != lang["code"] || t.Status != "APPROVED" {
			continue
		}
		want := strings.Count(fmt.Sprint(t.Components[0]["text"]), "{{")
		got := 0
		if comps, ok := tpl["components"].([]any); ok && len(comps) > 0 {
			params, _ := comps[0].(map[string]any)["parameters"].([]any)
			got = len(params)
		}
		if got != want {
			return 132000
		}
		return 0
	}
	return 132001
}

type file struct {
	mime string
	data []byte
}

// New starts a server.
func New(version, phoneNumberID, wabaID, token string) *Server {
	s := &Server{Version: version, PhoneNumberID: phoneNumberID, WABAID: wabaID, Token: token,
		uploads: map[string][]byte{}, files: map[string]file{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddMedia makes an inbound file downloadable by its media id.
func (s *Server) AddMedia(id, mimeType string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = file{mime: mimeType, data: data}
}

// FailNext makes the next sends answer Meta's error codes, in order.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// Sent returns the messages posted so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Reads are the message ids marked read, in order.
func (s *Server) Reads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reads...)
}

// Upload returns the bytes of an uploaded media id.
func (s *Server) Upload(id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads[id]
}

// Subscribed is the last body posted to subscribed_apps (nil: none).
func (s *Server) Subscribed() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribed
}

// errors Meta answers, by code.
var errorsByCode = map[int]struct {
	status  int
	message string
	details string
}{
	131047: {400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	130429: {400, "Rate limit hit", "Cloud API message throughput has been reached."},
	131056: {400, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."},
	131026: {400, "Message Undeliverable", "Unable to deliver message."},
	190:    {401, "Error validating access token: Session has expired", ""},
	131000: {500, "Something went wrong", "Message failed to send due to an unknown error."},
	132000: {400, "Number of parameters does not match the expected number of params", "body: number of localizable_params (1) does not match the expected number of params (2)"},
	132001: {404, "Template name does not exist in the translation", "template name (x) does not exist in pt_BR"},
	100:    {400, "Invalid parameter", ""},
}

func metaError(w http.ResponseWriter, code int) {
	e := errorsByCode[code]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": e.message, "type": "OAuthException", "code": code,
		"error_data": map[string]any{"messaging_product": "whatsapp", "details": e.details}, "fbtrace_id": "AbCdEf"}})
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		metaError(w, 190)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/download/"); ok {
		s.mu.Lock()
		f, found := s.files[id]
		s.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.mime)
		_, _ = w.Write(f.data)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/"+s.Version+"/")
	if !ok {
		http.Error(w, `{"error":{"message":"Unknown path components","code":2500}}`, http.StatusBadRequest)
		return
	}
	switch {
	case r.Method == http.MethodPost && path == s.PhoneNumberID+"/messages":
		s.message(w, r)
	case r.Method == http.MethodPost && path == s.PhoneNumberID+"/media":
		s.upload(w, r)
	case r.Method == http.MethodGet && path == s.PhoneNumberID:
		answer(w, map[string]any{"display_phone_number": "+55 11 4000-1234", "verified_name": "Loja Exemplo", "quality_rating": "GREEN", "id": s.PhoneNumberID})
	case r.Method == http.MethodGet && path == s.WABAID+"/message_templates":
		s.listTemplates(w, r)
	case r.Method == http.MethodPost && path == s.WABAID+"/message_templates":
		s.createTemplate(w, r)
	case r.Method == http.MethodPost && path == s.WABAID+"/subscribed_apps":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body == nil {
			body = map[string]any{}
		}
		s.mu.Lock()
		s.subscribed = body
		s.mu.Unlock()
		answer(w, map[string]any{"success": true})
	case r.Method == http.MethodGet:
		s.mu.Lock()
		f, found := s.files[path]
		s.mu.Unlock()
		if !found {
			w.WriteHeader(http.StatusBadRequest)
			answer(w, map[string]any{"error": map[string]any{"message": "Unsupported get request.", "code": 100}})
			return
		}
		answer(w, map[string]any{"url": s.URL + "/download/" + path, "mime_type": f.mime, "sha256": "x", "file_size": len(f.data), "id": path, "messaging_product": "whatsapp"})
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["messaging_product"] != "whatsapp" {
		w.WriteHeader(http.StatusBadRequest)
		answer(w, map[string]any{"error": map[string]any{"message": "(#100) Invalid parameter", "code": 100}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if body["status"] == "read" {
		id, _ := body["message_id"].(string)
		if !strings.HasPrefix(id, "wamid.") {
			w.WriteHeader(http.StatusBadRequest)
			answer(w, map[string]any{"error": map[string]any{"message": "(#100) Invalid parameter", "code": 100}})
			return
		}
		s.reads = append(s.reads, id)
		answer(w, map[string]any{"success": true})
		return
	}
	if body["type"] == "template" {
		if code := s.templateRefusal(body); code != 0 {
			metaError(w, code)
			return
		}
	}
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		metaError(w, code)
		return
	}
	s.next++
	id := fmt.Sprintf("wamid.HBgNNTUxMTk5OTk5MDAwMRUCABEYEj%04d", s.next)
	s.sent = append(s.sent, Sent{Body: body, ID: id})
	answer(w, map[string]any{"messaging_product": "whatsapp", "contacts": []any{map[string]any{"input": body["to"], "wa_id": body["to"]}},
		"messages": []any{map[string]any{"id": id, "message_status": "accepted"}}})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(r.Body, params["boundary"])
	var data []byte
	product := ""
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(p)
		switch p.FormName() {
		case "file":
			data = b
		case "messaging_product":
			product = string(b)
		}
	}
	if data == nil || product != "whatsapp" {
		w.WriteHeader(http.StatusBadRequest)
		answer(w, map[string]any{"error": map[string]any{"message": "(#100) The parameter file is required.", "code": 100}})
		return
	}
	s.mu.Lock()
	s.next++
	id := fmt.Sprintf("%d", 1000000000000+s.next)
	s.uploads[id] = data
	s.mu.Unlock()
	answer(w, map[string]any{"id": id})
}
