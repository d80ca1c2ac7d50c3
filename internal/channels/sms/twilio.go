package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/chatspot/chatspot/internal/channels"
)

// DefaultTwilioURL is Twilio's REST API host.
const DefaultTwilioURL = "https://api.twilio.com"

// TwilioSignatureHeader signs Twilio's webhooks.
const TwilioSignatureHeader = "X-Twilio-Signature"

// twilio speaks Twilio's Programmable Messaging REST API (2010-04-01):
// form posts with Basic auth (Account SID, Auth Token), JSON answers.
type twilio struct {
	base string
	http *http.Client
}

func (*twilio) limits() Limits { return Standard }

// twilioError is Twilio's error body.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
}

func (t *twilio) do(ctx context.Context, s channels.Settings, method, path string, form url.Values, out any) (int, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	u := strings.TrimRight(t.base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(s.String(keyAccount)) + path
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(s.String(keyAccount), s.String(keyToken))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	res, err := t.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		var e twilioError
		_ = json.Unmarshal(raw, &e)
		reason := e.Message
		if e.Code != 0 {
			reason = fmt.Sprintf("%d %s", e.Code, e.Message)
		}
		if reason == "" {
			reason = fmt.Sprintf("answered %d", res.StatusCode)
		}
		return res.StatusCode, statusError("Twilio", res.StatusCode, reason, retryAfter(res.Header))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("Twilio answered %d with unreadable JSON: %w", res.StatusCode, err)
		}
	}
	return res.StatusCode, nil
}

type twilioNumber struct {
	SID         string `json:"sid"`
	PhoneNumber string `json:"phone_number"`
	SMSURL      string `json:"sms_url"`
}

// check reads the account, then finds the channel's number in it (its
// sid is where inbound messages are pointed at us).
func (t *twilio) check(ctx context.Context, s channels.Settings) (string, channels.Settings, error) {
	var acc struct {
		FriendlyName string `json:"friendly_name"`
		Status       string `json:"status"`
	}
	if _, err := t.do(ctx, s, http.MethodGet, ".json", nil, &acc); err != nil {
		return "", nil, err
	}
	if acc.Status != "" && acc.Status != "active" {
		return "", nil, &channels.PermanentError{Reason: "the Twilio account is " + acc.Status}
	}
	var list struct {
		Numbers []twilioNumber `json:"incoming_phone_numbers"`
	}
	q := url.Values{"PhoneNumber": {s.String(keyFrom)}}
	if _, err := t.do(ctx, s, http.MethodGet, "/IncomingPhoneNumbers.json?"+q.Encode(), nil, &list); err != nil {
		return "", nil, err
	}
	for _, n := range list.Numbers {
		if n.PhoneNumber == s.String(keyFrom) {
			return fmt.Sprintf("Twilio account %s; number %s", acc.FriendlyName, n.PhoneNumber), channels.Settings{keyNumberSID: n.SID}, nil
		}
	}
	return "", nil, &channels.PermanentError{Reason: "the number " + s.String(keyFrom) + " is not in this Twilio account"}
}

func (t *twilio) send(ctx context.Context, s channels.Settings, to, text, hookURL string) (string, int, error) {
	form := url.Values{"To": {to}, "From": {s.String(keyFrom)}, "Body": {text}}
	if hookURL != "" {
		form.Set("StatusCallback", hookURL)
	}
	var out struct {
		SID         string `json:"sid"`
		Status      string `json:"status"`
		NumSegments string `json:"num_segments"`
		ErrorCode   *int   `json:"error_code"`
		ErrorMsg    string `json:"error_message"`
	}
	status, err := t.do(ctx, s, http.MethodPost, "/Messages.json", form, &out)
	if err != nil && status == 0 {
		return "", 0, sendError("Twilio", err)
	}
	if err != nil {
		return "", 0, err
	}
	if out.Status == "failed" {
		return "", 0, &channels.PermanentError{Reason: strings.TrimSpace(fmt.Sprintf("Twilio failed the message: %s", out.ErrorMsg))}
	}
	segs, _ := strconv.Atoi(out.NumSegments)
	return out.SID, segs, nil
}

// subscribe points the number's inbound messages at the channel's hook
// (statuses come to the StatusCallback each send names).
func (t *twilio) subscribe(ctx context.Context, s channels.Settings, hookURL string) (channels.Settings, error) {
	sid := s.String(keyNumberSID)
	if sid == "" {
		return nil, &channels.PermanentError{Reason: "the number's Twilio sid is unknown: run the check again"}
	}
	_, err := t.do(ctx, s, http.MethodPost, "/IncomingPhoneNumbers/"+url.PathEscape(sid)+".json", url.Values{"SmsUrl": {hookURL}, "SmsMethod": {"POST"}}, nil)
	return nil, err
}

// unsubscribe clears the number's inbound URL.
func (t *twilio) unsubscribe(ctx context.Context, s channels.Settings) error {
	sid := s.String(keyNumberSID)
	if sid == "" {
		return nil
	}
	status, err := t.do(ctx, s, http.MethodPost, "/IncomingPhoneNumbers/"+url.PathEscape(sid)+".json", url.Values{"SmsUrl": {""}}, nil)
	if status == http.StatusNotFound {
		return nil
	}
	return err
}

// TwilioSignature is X-Twilio-Signature for a POST to fullURL with form:
// base64(HMAC-SHA1(auth token, URL + each parameter's name and value,
// sorted by name)).
func TwilioSignature(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		vals := append([]string(nil), form[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// twimlEmpty answers an inbound message with no reply of Twilio's own
// (Twilio reads the answer as TwiML; Zenvia ignores it).
var twimlEmpty = channels.Reply{Status: http.StatusOK, ContentType: "text/xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)}

func (t *twilio) receive(s channels.Settings, r channels.Request) (channels.Batch, *channels.Reply, error) {
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "not a Twilio form post: " + err.Error()}
	}
	want := TwilioSignature(s.String(keyToken), r.URL, form)
	if !hmac.Equal([]byte(r.Header.Get(TwilioSignatureHeader)), []byte(want)) {
		return channels.Batch{}, nil, &channels.AuthError{Reason: "missing or wrong " + TwilioSignatureHeader, Field: TwilioSignatureHeader}
	}
	if form.Get("AccountSid") != "" && form.Get("AccountSid") != s.String(keyAccount) {
		return channels.Batch{}, nil, &channels.AuthError{Reason: "the request is for another Twilio account"}
	}
	var b channels.Batch
	sid := form.Get("MessageSid")
	if sid == "" {
		sid = form.Get("SmsSid")
	}
	if status := form.Get("MessageStatus"); status != "" {
		rc := channels.Receipt{ExternalID: sid}
		switch status {
		case "sent":
			rc.Status = "sent"
		case "delivered":
			rc.Status = "delivered"
		case "read":
			rc.Status = "read"
		case "failed", "undelivered":
			rc.Status = "failed"
			rc.Reason = strings.TrimSpace("Twilio " + status + " " + form.Get("ErrorCode"))
		default:
			return b, nil, nil // queued, sending, accepted: nothing new
		}
		if sid != "" {
			b.Receipts = append(b.Receipts, rc)
		}
		return b, nil, nil
	}
	if sid == "" {
		return b, nil, &channels.MalformedError{Field: "MessageSid", Reason: "MessageSid is missing"}
	}
	if !ours(s, form.Get("To")) {
		return b, nil, nil
	}
	from, ok := E164(form.Get("From"))
	if !ok {
		return b, nil, &channels.MalformedError{Field: "From", Reason: "From is not a phone number"}
	}
	b.Messages = append(b.Messages, channels.Inbound{ExternalID: sid, Contact: channels.InboundContact{ExternalID: from, Phone: from},
		Text: form.Get("Body")})
	return b, nil, nil
}
