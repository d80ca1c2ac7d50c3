package sms

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Twilio's published example of X-Twilio-Signature.
func TestTwilioSignatureDocumentedVector(t *testing.T) {
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"}, "From": {"+14158675309"}, "To": {"+18005551212"}}
	if got := TwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", form); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Fatalf("signature %s", got)
	}
}

func channel(t *testing.T, s channels.Settings) store.Channel {
	t.Helper()
	a := &Adapter{}
	v, err := a.Validate(s)
	if err != nil {
		t.Fatal(err)
	}
	return store.Channel{ID: "ch1", Kind: channels.KindSMS, Settings: v.JSON()}
}

func TestValidate(t *testing.T) {
	a := &Adapter{}
	for _, c := range []struct {
		settings channels.Settings
		field    string
	}{
		{channels.Settings{"provider": "nexmo", "from": "+5511999990000", "token": "x"}, "settings.provider"},
		{channels.Settings{"provider": "twilio", "from": "CHATSPOT", "account_sid": "AC1", "token": "x"}, "settings.from"},
		{channels.Settings{"provider": "twilio", "from": "+5511999990000", "account_sid": "XX1", "token": "x"}, "settings.account_sid"},
		{channels.Settings{"provider": "zenvia", "from": "+5511999990000"}, "settings.token"},
	} {
		_, err := a.Validate(c.settings)
		var fe *channels.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%v: %v, want a refusal of %s", c.settings, err, c.field)
		}
	}
	s, err := a.Validate(channels.Settings{"provider": "zenvia", "from": "(11) 99999-0000", "token": "x"})
	if err != nil || s.String("from") != "+5511999990000" {
		t.Errorf("a Brazilian number without its country code: %v %v", s, err)
	}
	for in, want := range map[string]string{"5511987654321": "+5511987654321", "011 98765-4321": "+5511987654321", "+1 415 867 5309": "+14158675309"} {
		if got, ok := E164(in); !ok || got != want {
			t.Errorf("E164(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := E164("12345"); ok {
		t.Error("12345 is no phone number")
	}
	s, err = a.Validate(channels.Settings{"provider": "twilio", "from": "+55 (11) 99999-0000", "account_sid": "AC1", "token": "x"})
	if err != nil || s.String("from") != "+5511999990000" || len(s.String(keyWebhookSecret)) != 64 {
		t.Errorf("normalised %v %v", s, err)
	}
}

func TestZenviaEvents(t *testing.T) {
	ch := channel(t, channels.Settings{"provider": "zenvia", "from": "CHATSPOT", "token": "tok"})
	s, _ := channels.ParseSettings(ch.Settings)
	a := &Adapter{}
	body, _ := os.ReadFile("testdata/zenvia-message.json")
	req := channels.Request{Method: http.MethodPost, Header: http.Header{}, Body: body}
	if _, _, err := a.Receive(context.Background(), ch, req); !isAuth(err) {
		t.Fatalf("no secret header: %v", err)
	}
	req.Header.Set(ZenviaSecretHeader, s.String(keyWebhookSecret))
	b, _, err := a.Receive(context.Background(), ch, req)
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("%v %+v", err, b)
	}
	m := b.Messages[0]
	if m.ExternalID != "7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d" || m.Contact.ExternalID != "+5511987654321" || m.Text != "Quero cancelar meu pedido" {
		t.Errorf("message %+v", m)
	}
	body, _ = os.ReadFile("testdata/zenvia-status.json")
	req.Body = body
	b, _, err = a.Receive(context.Background(), ch, req)
	if err != nil || len(b.Receipts) != 1 {
		t.Fatalf("%v %+v", err, b)
	}
	r := b.Receipts[0]
	if r.ExternalID != "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d" || r.Status != store.MessageFailed || !strings.Contains(r.Reason, "UNKNOWN_SUBSCRIBER") {
		t.Errorf("receipt %+v", r)
	}
	// Another sender of the same Zenvia account is not this channel's.
	other := strings.Replace(string(mustRead(t, "testdata/zenvia-message.json")), `"to": "CHATSPOT"`, `"to": "OUTRALOJA"`, 1)
	req.Body = []byte(other)
	if b, _, err := a.Receive(context.Background(), ch, req); err != nil || len(b.Messages) != 0 {
		t.Errorf("another sender's message taken: %v %+v", err, b)
	}
}

func TestTwilioWebhooks(t *testing.T) {
	ch := channel(t, channels.Settings{"provider": "twilio", "from": "+5511955550000", "account_sid": "AC1", "token": "auth"})
	a := &Adapter{}
	hook := "https://chatspot.example.com/hooks/sms/ch1"
	inbound := url.Values{"MessageSid": {"SM1"}, "AccountSid": {"AC1"}, "From": {"+5511987654321"}, "To": {"+5511955550000"}, "Body": {"Oi"}, "NumMedia": {"0"}}
	req := func(form url.Values, sig string) channels.Request {
		return channels.Request{Method: http.MethodPost, Header: http.Header{TwilioSignatureHeader: {sig}}, Body: []byte(form.Encode()), URL: hook}
	}
	if _, _, err := a.Receive(context.Background(), ch, req(inbound, TwilioSignature("wrong", hook, inbound))); !isAuth(err) {
		t.Fatalf("wrong signature: %v", err)
	}
	b, _, err := a.Receive(context.Background(), ch, req(inbound, TwilioSignature("auth", hook, inbound)))
	if err != nil || len(b.Messages) != 1 || b.Messages[0].Contact.ExternalID != "+5511987654321" || b.Messages[0].Text != "Oi" {
		t.Fatalf("%v %+v", err, b)
	}
	status := url.Values{"MessageSid": {"SM2"}, "AccountSid": {"AC1"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}}
	b, _, err = a.Receive(context.Background(), ch, req(status, TwilioSignature("auth", hook, status)))
	if err != nil || len(b.Receipts) != 1 || b.Receipts[0].Status != store.MessageFailed || !strings.Contains(b.Receipts[0].Reason, "30003") {
		t.Fatalf("%v %+v", err, b)
	}
	if got := a.Respond(nil); got.ContentType != "text/xml" || !strings.Contains(string(got.Body), "<Response>") {
		t.Errorf("answer %+v", got)
	}
}

func TestPriceCountsAsTheProviderDoes(t *testing.T) {
	a := &Adapter{SegmentCents: 9}
	text := strings.Repeat("a", 305)
	zen := channel(t, channels.Settings{"provider": "zenvia", "from": "CHATSPOT", "token": "x"})
	tw := channel(t, channels.Settings{"provider": "twilio", "from": "+5511955550000", "account_sid": "AC1", "token": "x"})
	if p := a.Price(zen, text); p.Units != 3 || p.Cents() != 27 {
		t.Errorf("zenvia %+v", p)
	}
	if p := a.Price(tw, text); p.Units != 2 || p.Cents() != 18 {
		t.Errorf("twilio %+v", p)
	}
}

func isAuth(err error) bool {
	var ae *channels.AuthError
	return errors.As(err, &ae)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
