package whatsappcloud_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud/graphtest"
	"github.com/chatspot/chatspot/internal/store"
)

const (
	phoneID   = "106540352242922"
	wabaID    = "102290129340398"
	token     = "EAAJB-test-token"
	appSecret = "0123456789abcdef0123456789abcdef"
)

func channel() store.Channel {
	s := channels.Settings{"phone_number_id": phoneID, "waba_id": wabaID, "access_token": token, "app_secret": appSecret, "verify_token": "cs_verify"}
	return store.Channel{ID: "ch1", Kind: channels.KindWhatsAppOfficial, Settings: s.JSON(), Active: true}
}

func receive(t *testing.T, name string) channels.Batch {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, reply, err := whatsappcloud.Adapter{}.Receive(context.Background(), channel(), channels.Request{Method: http.MethodPost,
		Header: http.Header{meta.HeaderSignature: {meta.Sign(appSecret, body)}}, Body: body})
	if err != nil || reply != nil {
		t.Fatalf("%s: %v %v", name, reply, err)
	}
	return b
}

// Meta's example payloads for every message type parse as documented.
func TestMessagesParse(t *testing.T) {
	cases := []struct {
		file, id, text, replyTo string
		media                   *channels.Media
	}{
		{file: "text.json", id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", text: "Does it come in another color?"},
		{file: "image.json", id: "wamid.image1", text: "This is the one", media: &channels.Media{Ref: "1003383421387256", Kind: channels.MediaImage, Name: "image.jpg", ContentType: "image/jpeg"}},
		{file: "voice.json", id: "wamid.audio1", media: &channels.Media{Ref: "1003383421387257", Kind: channels.MediaVoice, Name: "audio.ogg", ContentType: "audio/ogg; codecs=opus"}},
		{file: "video.json", id: "wamid.video1", text: "unboxing", media: &channels.Media{Ref: "1003383421387258", Kind: channels.MediaVideo, Name: "video.mp4", ContentType: "video/mp4"}},
		{file: "document.json", id: "wamid.doc1", text: "Pedido", media: &channels.Media{Ref: "1003383421387259", Kind: channels.MediaDocument, Name: "pedido-4411.pdf", ContentType: "application/pdf"}},
		{file: "sticker.json", id: "wamid.sticker1", media: &channels.Media{Ref: "1003383421387260", Kind: channels.MediaSticker, Name: "sticker.webp", ContentType: "image/webp"}},
		{file: "location.json", id: "wamid.loc1", text: "📍 Main Campus 1 Hacker Way, Menlo Park, CA 94025 https://maps.google.com/?q=37.483307,-122.148981"},
		{file: "contacts.json", id: "wamid.contacts1", text: "👤 Barbara J. Johnson +1 (940) 555-1234"},
		{file: "reaction.json", id: "wamid.reaction1", text: "😀", replyTo: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1QjJGRjI1RDY0RkE4Nzg4QzcA"},
		{file: "button.json", id: "wamid.button1", text: "Unsubscribe", replyTo: "wamid.template1"},
		{file: "button_reply.json", id: "wamid.breply1", text: "Cancel", replyTo: "wamid.interactive1"},
		{file: "list_reply.json", id: "wamid.lreply1", text: "Priority Mail Express Next Day to 2 Days", replyTo: "wamid.interactive2"},
		{file: "reply.json", id: "wamid.reply1", text: "Yes, this one", replyTo: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIyNTgwQUU1NDY5OUQ4OUNFRkQA"},
		{file: "referral.json", id: "wamid.ref1", text: "Can I get more info about this?\n\n[Anúncio: Chat with us https://fb.me/3cr4Wqqkv]"},
		{file: "order.json", id: "wamid.order1", text: "🛒 Pedido\n2 × di9ozbzfi4 (30.00 BRL)\nEntregar à tarde"},
	}
	for _, c := range cases {
		b := receive(t, c.file)
		if len(b.Messages) != 1 {
			t.Errorf("%s: %d messages", c.file, len(b.Messages))
			continue
		}
		m := b.Messages[0]
		if m.ExternalID != c.id || m.Text != c.text || m.ReplyTo != c.replyTo || m.At.Unix() != 1749416383 {
			t.Errorf("%s: %+v", c.file, m)
		}
		if m.Contact.ExternalID != "16505551234" || m.Contact.Name != "Sheena Nelson" || m.Contact.Phone != "+16505551234" {
			t.Errorf("%s: contact %+v", c.file, m.Contact)
		}
		switch {
		case c.media == nil && len(m.Media) > 0:
			t.Errorf("%s: media %+v", c.file, m.Media)
		case c.media != nil && (len(m.Media) != 1 || !reflect.DeepEqual(m.Media[0], *c.media)):
			t.Errorf("%s: media %+v, want %+v", c.file, m.Media, *c.media)
		}
	}
	if b := receive(t, "unsupported.json"); len(b.Messages) != 1 || !strings.Contains(b.Messages[0].Text, "não entrega") {
		t.Errorf("unsupported: %+v", b.Messages)
	}
	for _, f := range []string{"system.json", "other_number.json"} {
		if b := receive(t, f); len(b.Messages) != 0 {
			t.Errorf("%s: %+v", f, b.Messages)
		}
	}
}

// Statuses become receipts carrying our id, the pricing and Meta's error.
func TestStatusesParse(t *testing.T) {
	sent := receive(t, "status_sent.json").Receipts
	if len(sent) != 1 || sent[0].ExternalID != "wamid.out1" || sent[0].MessageID != "msg-1" || sent[0].Status != store.MessageSent {
		t.Errorf("sent: %+v", sent)
	}
	del := receive(t, "status_delivered.json").Receipts
	if len(del) != 1 || del[0].Status != store.MessageDelivered || del[0].Pricing == nil ||
		*del[0].Pricing != (channels.Pricing{Model: "PMP", Type: "free_customer_service", Category: "service"}) {
		t.Errorf("delivered: %+v", del)
	}
	if r := receive(t, "status_read.json").Receipts; len(r) != 1 || r[0].Status != store.MessageRead {
		t.Errorf("read: %+v", r)
	}
	failed := receive(t, "status_failed.json").Receipts
	if len(failed) != 1 || failed[0].Status != store.MessageFailed || !strings.Contains(failed[0].Reason, channels.WindowClosedReason) ||
		!strings.Contains(failed[0].Reason, "131047") {
		t.Errorf("failed: %+v", failed)
	}
}

// A wrong, missing or re-encoded body's signature is refused; the
// verification request answers the challenge only with the right token.
func TestSignatureAndVerification(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "text.json"))
	a := whatsappcloud.Adapter{}
	for name, h := range map[string]string{"missing": "", "wrong secret": meta.Sign("another-secret", body),
		"other body": meta.Sign(appSecret, append(body, ' ')), "no prefix": strings.TrimPrefix(meta.Sign(appSecret, body), "sha256=")} {
		_, _, err := a.Receive(context.Background(), channel(), channels.Request{Method: http.MethodPost, Header: http.Header{meta.HeaderSignature: {h}}, Body: body})
		var auth *channels.AuthError
		if !errors.As(err, &auth) {
			t.Errorf("%s signature: %v, want refused", name, err)
		}
	}
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {"cs_verify"}}
	_, reply, err := a.Receive(context.Background(), channel(), channels.Request{Method: http.MethodGet, Query: q})
	if err != nil || reply == nil || string(reply.Body) != "1158201444" || reply.Status != 200 {
		t.Errorf("verification: %v %v", reply, err)
	}
	q.Set("hub.verify_token", "guess")
	if _, _, err := a.Receive(context.Background(), channel(), channels.Request{Method: http.MethodGet, Query: q}); err == nil {
		t.Error("a wrong verify token was answered")
	}
}

// Sends: text as a reply carrying our id, a file uploaded then sent; the
// closed window, rate limits and a dead token map to what the engine does.
func TestSendAgainstTheGraphAPI(t *testing.T) {
	g := graphtest.New("v25.0", phoneID, wabaID, token)
	defer g.Close()
	a := whatsappcloud.Adapter{BaseURL: g.URL, Version: "v25.0"}
	pdf := []byte("%PDF-1.4 catálogo")
	out := channels.Outbound{MessageID: "msg-1", Channel: channel(), To: "5511999990001", Text: "Segue o catálogo", ReplyTo: "wamid.in1",
		Files: []channels.OutboundFile{{ID: "f1", Name: "catalogo.pdf", ContentType: "application/pdf"}},
		Open:  func(context.Context, string) ([]byte, error) { return pdf, nil }}
	id, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	sent := g.Sent()
	if len(sent) != 2 || id != sent[0].ID {
		t.Fatalf("sent %+v, id %s", sent, id)
	}
	text := sent[0].Body
	if text["type"] != "text" || text["to"] != "5511999990001" || text["biz_opaque_callback_data"] != "msg-1" ||
		text["text"].(map[string]any)["body"] != "Segue o catálogo" || text["context"].(map[string]any)["message_id"] != "wamid.in1" {
		t.Errorf("text: %v", text)
	}
	doc := sent[1].Body["document"].(map[string]any)
	if sent[1].Body["type"] != "document" || doc["filename"] != "catalogo.pdf" || string(g.Upload(doc["id"].(string))) != string(pdf) {
		t.Errorf("document: %v", sent[1].Body)
	}

	cases := []struct {
		code  int
		check func(error) bool
	}{
		{131047, func(err error) bool {
			var p *channels.PermanentError
			return errors.As(err, &p) && strings.HasPrefix(p.Reason, channels.WindowClosedReason)
		}},
		{130429, func(err error) bool { var r *channels.RetryAfterError; return errors.As(err, &r) }},
		{131056, func(err error) bool {
			var r *channels.RetryAfterError
			return errors.As(err, &r) && r.After.Seconds() >= 6
		}},
		{131026, func(err error) bool { var p *channels.PermanentError; return errors.As(err, &p) && !p.Reauth }},
		{131000, func(err error) bool {
			var p *channels.PermanentError
			var r *channels.RetryAfterError
			return err != nil && !errors.As(err, &p) && !errors.As(err, &r) // retried with backoff
		}},
	}
	for _, c := range cases {
		g.FailNext(c.code)
		_, err := a.Send(context.Background(), channels.Outbound{MessageID: "m", Channel: channel(), To: "5511999990001", Text: "oi"})
		if !c.check(err) {
			t.Errorf("error %d: %T %v", c.code, err, err)
		}
	}
	bad := channel()
	bad.Settings = strings.Replace(bad.Settings, token, "expired", 1)
	_, err = a.Send(context.Background(), channels.Outbound{MessageID: "m", Channel: bad, To: "5511999990001", Text: "oi"})
	var p *channels.PermanentError
	if !errors.As(err, &p) || !p.Reauth {
		t.Errorf("a dead token: %v, want a refusal asking for re-authorization", err)
	}
}

func TestFetchMediaAndActivation(t *testing.T) {
	g := graphtest.New("v25.0", phoneID, wabaID, token)
	defer g.Close()
	a := whatsappcloud.Adapter{BaseURL: g.URL, Version: "v25.0"}
	g.AddMedia("1003383421387256", "image/jpeg", []byte("\xff\xd8\xff\xe0jpeg"))
	f, err := a.FetchMedia(context.Background(), channel(), channels.Media{Ref: "1003383421387256", Name: "image.jpg", ContentType: "image/jpeg"})
	if err != nil || string(f.Data) != "\xff\xd8\xff\xe0jpeg" {
		t.Fatalf("%+v %v", f, err)
	}
	res, err := a.RunStep(context.Background(), channels.Env{}, channel(), whatsappcloud.StepVerifyNumber)
	if err != nil || res.Set["display_phone_number"] != "+55 11 4000-1234" || !strings.Contains(res.Detail, "Loja Exemplo") {
		t.Errorf("verify number: %+v %v", res, err)
	}
	env := channels.Env{PublicURL: "https://chatspot.example.com", HookURL: "https://chatspot.example.com/hooks/whatsapp_official/ch1"}
	if _, err := a.RunStep(context.Background(), env, channel(), whatsappcloud.StepSubscribeWABA); err != nil {
		t.Fatal(err)
	}
	if sub := g.Subscribed(); sub["override_callback_uri"] != env.HookURL || sub["verify_token"] != "cs_verify" {
		t.Errorf("subscribed_apps: %v", sub)
	}
	s, err := a.Validate(channels.Settings{"phone_number_id": " " + phoneID + " ", "waba_id": wabaID})
	if err != nil || s.String("phone_number_id") != phoneID || !strings.HasPrefix(s.String("verify_token"), "cs_") {
		t.Errorf("validate: %v %v", s, err)
	}
	if _, err := a.Validate(channels.Settings{"phone_number_id": "+55 11 4000", "waba_id": wabaID}); err == nil {
		t.Error("a phone number instead of its id was accepted")
	}
}
