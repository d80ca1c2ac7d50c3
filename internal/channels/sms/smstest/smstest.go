// Package smstest is a local server speaking Zenvia's API v2 for SMS
// (sends, subscriptions, the MESSAGE and MESSAGE_STATUS events posted to
// them with their headers) and Twilio's Programmable Messaging API
// (Messages.json, the account, IncomingPhoneNumbers, and the signed form
// posts of inbound messages and status callbacks).
package smstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatspot/chatspot/internal/channels/sms"
)

// Server is the fake Zenvia and Twilio, on one host.
type Server struct {
	*httptest.Server
	ZenviaToken                string
	TwilioSID, TwilioToken     string
	TwilioNumber, TwilioNumSID string
	// Rewrite maps a registered webhook URL to where the test's app
	// listens; the request is signed with the URL it is posted to, as
	// Twilio signs the URL it calls.
	Rewrite func(string) string
	// Segments, when set, is the num_segments Twilio answers (else the
	// standard count).
	Segments int

	mu       sync.Mutex
	subs     map[string]subscription
	nextID   int
	sent     []Sent
	smsURL   string
	callback map[string]string // Twilio message sid → its StatusCallback
	refuse   string            // the next send is refused with this
}

type subscription struct {
	EventType string `json:"eventType"`
	Webhook   struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"webhook"`
	Criteria map[string]string `json:"criteria"`
	Status   string            `json:"status"`
}

// Sent is an SMS the app sent.
type Sent struct {
	Provider, ID, From, To, Text string
}

// New starts the server.
func New() *Server {
	s := &Server{ZenviaToken: "zenvia-token", TwilioSID: "AC0123456789abcdef0123456789abcdef", TwilioToken: "twilio-auth-token",
		TwilioNumber: "+5511955550000", TwilioNumSID: "PN0123456789abcdef0123456789abcdef", subs: map[string]subscription{}, callback: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Sent are the SMS sent so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Subscriptions are Zenvia's subscriptions by event type.
func (s *Server) Subscriptions() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, sub := range s.subs {
		out[sub.EventType] = sub.Webhook.URL
	}
	return out
}

// SMSURL is the Twilio number's inbound URL.
func (s *Server) SMSURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.smsURL
}

// RefuseNext makes the next send fail with a provider's refusal.
func (s *Server) RefuseNext(reason string) {
	s.mu.Lock()
	s.refuse = reason
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		s.zenvia(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/2010-04-01/Accounts/") {
		s.twilio(w, r)
		return
	}
	http.NotFound(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) zenvia(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-API-TOKEN") != s.ZenviaToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "UNAUTHORIZED", "message": "Invalid API token"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/subscriptions":
		list := []any{}
		for id, sub := range s.subs {
			list = append(list, map[string]any{"id": id, "eventType": sub.EventType, "webhook": sub.Webhook, "criteria": sub.Criteria, "status": sub.Status})
		}
		writeJSON(w, http.StatusOK, list)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/subscriptions":
		var sub subscription
		if err := json.NewDecoder(r.Body).Decode(&sub); err != nil || sub.Webhook.URL == "" || sub.Criteria["channel"] == "" ||
			(sub.EventType != "MESSAGE" && sub.EventType != "MESSAGE_STATUS") {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": "VALIDATION_ERROR", "message": "Validation error",
				"details": []map[string]string{{"code": "INVALID", "path": "webhook", "message": "eventType, webhook.url and criteria.channel are required"}}})
			return
		}
		s.nextID++
		id := fmt.Sprintf("sub-%d", s.nextID)
		s.subs[id] = sub
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "eventType": sub.EventType, "webhook": sub.Webhook, "criteria": sub.Criteria, "status": "ACTIVE"})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v2/subscriptions/"):
		id := strings.TrimPrefix(r.URL.Path, "/v2/subscriptions/")
		if _, ok := s.subs[id]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"code": "NOT_FOUND", "message": "Subscription not found"})
			return
		}
		delete(s.subs, id)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/channels/sms/messages":
		var m struct {
			From, To string
			Contents []struct{ Type, Text, EncodingStrategy string }
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.From == "" || strings.HasPrefix(m.To, "+") || len(m.Contents) != 1 || m.Contents[0].Type != "text" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": "VALIDATION_ERROR", "message": "Validation error",
				"details": []map[string]string{{"code": "INVALID", "path": "to", "message": "from, to (digits only) and one text content are required"}}})
			return
		}
		if s.refuse != "" {
			reason := s.refuse
			s.refuse = ""
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": "VALIDATION_ERROR", "message": reason})
			return
		}
		s.nextID++
		id := fmt.Sprintf("zv-%08d", s.nextID)
		s.sent = append(s.sent, Sent{Provider: "zenvia", ID: id, From: m.From, To: m.To, Text: m.Contents[0].Text})
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "from": m.From, "to": m.To, "direction": "OUT", "channel": "sms",
			"contents": m.Contents, "timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "NOT_FOUND", "message": "Not found"})
	}
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (s *Server) twilio(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.TwilioSID || pass != s.TwilioToken {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	base := "/2010-04-01/Accounts/" + s.TwilioSID
	path := strings.TrimPrefix(r.URL.Path, base)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && path == ".json":
		writeJSON(w, http.StatusOK, map[string]any{"sid": s.TwilioSID, "friendly_name": "CHATSPOT test", "status": "active"})
	case r.Method == http.MethodGet && path == "/IncomingPhoneNumbers.json":
		list := []any{}
		if want := r.URL.Query().Get("PhoneNumber"); want == "" || want == s.TwilioNumber {
			list = append(list, map[string]any{"sid": s.TwilioNumSID, "phone_number": s.TwilioNumber, "sms_url": s.smsURL})
		}
		writeJSON(w, http.StatusOK, map[string]any{"incoming_phone_numbers": list})
	case r.Method == http.MethodPost && path == "/IncomingPhoneNumbers/"+s.TwilioNumSID+".json":
		_ = r.ParseForm()
		if _, ok := r.PostForm["SmsUrl"]; ok {
			s.smsURL = r.PostForm.Get("SmsUrl")
		}
		writeJSON(w, http.StatusOK, map[string]any{"sid": s.TwilioNumSID, "phone_number": s.TwilioNumber, "sms_url": s.smsURL})
	case r.Method == http.MethodPost && path == "/Messages.json":
		_ = r.ParseForm()
		to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
		if !strings.HasPrefix(to, "+") {
			twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("Invalid 'To' Phone Number: %s", to))
			return
		}
		if from != s.TwilioNumber {
			twilioError(w, http.StatusBadRequest, 21606, "The From phone number is not a valid, SMS-capable inbound phone number for your account")
			return
		}
		if s.refuse != "" {
			reason := s.refuse
			s.refuse = ""
			twilioError(w, http.StatusBadRequest, 21610, reason)
			return
		}
		s.nextID++
		sid := fmt.Sprintf("SM%032d", s.nextID)
		segs, _, _ := sms.Count(body, sms.Standard)
		if s.Segments > 0 {
			segs = s.Segments
		}
		s.sent = append(s.sent, Sent{Provider: "twilio", ID: sid, From: from, To: to, Text: body})
		s.callback[sid] = r.PostForm.Get("StatusCallback")
		writeJSON(w, http.StatusCreated, map[string]any{"sid": sid, "account_sid": s.TwilioSID, "to": to, "from": from, "body": body,
			"status": "queued", "num_segments": strconv.Itoa(segs), "num_media": "0", "price": nil, "error_code": nil, "error_message": nil,
			"direction": "outbound-api", "api_version": "2010-04-01"})
	default:
		twilioError(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

// ZenviaInbound posts a MESSAGE event (a customer's SMS) to the MESSAGE
// subscription, with its headers; it answers the app's status.
func (s *Server) ZenviaInbound(id, from, to, text, header string) (int, error) {
	ev := map[string]any{"id": "ev-" + id, "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": "MESSAGE", "subscriptionId": "",
		"channel": "sms", "direction": "IN", "message": map[string]any{"id": id, "from": from, "to": to, "direction": "IN", "channel": "sms",
			"contents": []map[string]string{{"type": "text", "text": text}}, "visitor": map[string]string{"name": ""}}}
	return s.zenviaPost("MESSAGE", ev, header)
}

// ZenviaStatus posts a MESSAGE_STATUS event for a sent message.
func (s *Server) ZenviaStatus(messageID, code, description, header string) (int, error) {
	ev := map[string]any{"id": "ev-st-" + messageID + code, "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": "MESSAGE_STATUS",
		"subscriptionId": "", "channel": "sms", "messageId": messageID, "contentIndex": 0,
		"messageStatus": map[string]any{"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "code": code, "description": description,
			"causes": []map[string]string{}}}
	return s.zenviaPost("MESSAGE_STATUS", ev, header)
}

// zenviaPost posts to the subscription of the event type with its
// headers; header "" keeps them, anything else replaces the secret.
func (s *Server) zenviaPost(eventType string, ev map[string]any, header string) (int, error) {
	s.mu.Lock()
	var sub *subscription
	for _, v := range s.subs {
		if v.EventType == eventType {
			v := v
			sub = &v
		}
	}
	s.mu.Unlock()
	if sub == nil {
		return 0, fmt.Errorf("no %s subscription", eventType)
	}
	body, _ := json.Marshal(ev)
	req, err := http.NewRequest(http.MethodPost, s.rewrite(sub.Webhook.URL), strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range sub.Webhook.Headers {
		req.Header.Set(k, v)
	}
	if header != "" {
		req.Header.Set(sms.ZenviaSecretHeader, header)
	}
	return do(req)
}

// TwilioInbound posts an inbound SMS to the number's SmsUrl, signed with
// the auth token (token "" signs with a wrong one).
func (s *Server) TwilioInbound(sid, from, text string, token string) (int, error) {
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {s.TwilioSID}, "From": {from},
		"To": {s.TwilioNumber}, "Body": {text}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	return s.twilioPost(s.SMSURL(), form, token)
}

// TwilioStatus posts a status callback for a sent message.
func (s *Server) TwilioStatus(sid, status, errorCode string) (int, error) {
	s.mu.Lock()
	cb := s.callback[sid]
	s.mu.Unlock()
	if cb == "" {
		return 0, fmt.Errorf("message %s named no StatusCallback", sid)
	}
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {s.TwilioSID}, "From": {s.TwilioNumber}, "MessageStatus": {status},
		"SmsStatus": {status}, "ApiVersion": {"2010-04-01"}}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return s.twilioPost(cb, form, s.TwilioToken)
}

func (s *Server) twilioPost(target string, form url.Values, token string) (int, error) {
	if target == "" {
		return 0, fmt.Errorf("no URL registered")
	}
	target = s.rewrite(target)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token == "" {
		token = base64.StdEncoding.EncodeToString([]byte("wrong"))
	}
	req.Header.Set(sms.TwilioSignatureHeader, sms.TwilioSignature(token, target, form))
	return do(req)
}

func (s *Server) rewrite(u string) string {
	if s.Rewrite != nil {
		return s.Rewrite(u)
	}
	return u
}

func do(req *http.Request) (int, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
