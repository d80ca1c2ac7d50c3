package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/telegram"
	"github.com/chatspot/chatspot/internal/channels/telegram/telegramtest"
	"github.com/chatspot/chatspot/internal/store"
)

const token = "7000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

func channel(settings channels.Settings) store.Channel {
	return store.Channel{ID: "ch1", Kind: channels.KindTelegram, Settings: settings.JSON(), Active: true}
}

func receive(t *testing.T, name string) channels.Batch {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	ch := channel(channels.Settings{"bot_token": token, "webhook_secret": "s3cr3t-token_1"})
	b, reply, err := telegram.Adapter{}.Receive(context.Background(), ch, channels.Request{
		Method: http.MethodPost, Header: http.Header{telegram.HeaderSecret: {"s3cr3t-token_1"}}, Body: body})
	if err != nil || reply != nil {
		t.Fatalf("%s: reply %v, error %v", name, reply, err)
	}
	return b
}

// Each documented update shape parses to the message an agent should see.
func TestUpdatesParseToInboundMessages(t *testing.T) {
	cases := []struct {
		file, id, text, thread, replyTo string
		media                           *channels.Media
		edit                            bool
	}{
		{file: "text.json", id: "1111111:1365", text: "Olá, vocês entregam em Campinas?"},
		{file: "photo.json", id: "1111111:1366", text: "Este modelo",
			media: &channels.Media{Ref: "AgACAgEAAxkBAAIBlarge", Kind: channels.MediaImage, Name: "photo.jpg", ContentType: "image/jpeg", Size: 65013}},
		{file: "document.json", id: "1111111:1367",
			media: &channels.Media{Ref: "BQACAgEAAxkBAAIBdoc", Kind: channels.MediaDocument, Name: "pedido-4411.pdf", ContentType: "application/pdf", Size: 48211}},
		{file: "voice.json", id: "1111111:1368",
			media: &channels.Media{Ref: "AwACAgEAAxkBAAIBvoice", Kind: channels.MediaVoice, Name: "voice.ogg", ContentType: "audio/ogg", Size: 9823}},
		{file: "video.json", id: "1111111:1369",
			media: &channels.Media{Ref: "BAACAgEAAxkBAAIBvideo", Kind: channels.MediaVideo, Name: "unboxing.mp4", ContentType: "video/mp4", Size: 1843201}},
		{file: "sticker.json", id: "1111111:1370", text: "👍",
			media: &channels.Media{Ref: "CAACAgIAAxkBAAIBsticker", Kind: channels.MediaSticker, Name: "sticker.webp", ContentType: "image/webp", Size: 22014}},
		{file: "location.json", id: "1111111:1371", text: "📍 https://maps.google.com/?q=-22.905560,-47.060830"},
		{file: "contact.json", id: "1111111:1372", text: "👤 João Souza +5519987654321"},
		{file: "reply.json", id: "1111111:1373", text: "Pode ser, fecha!", replyTo: "1111111:501"},
		{file: "edited.json", id: "1111111:1365", text: "Olá, vocês entregam em Campinas e Valinhos?", edit: true},
		{file: "business.json", id: "3333333:88", text: "Oi, ainda tem o sofá?", thread: "business:bc-Aq1w2e3r4"},
	}
	for _, c := range cases {
		b := receive(t, c.file)
		if len(b.Messages) != 1 {
			t.Errorf("%s: %d messages", c.file, len(b.Messages))
			continue
		}
		m := b.Messages[0]
		if m.ExternalID != c.id || m.Text != c.text || m.ThreadKey != c.thread || m.ReplyTo != c.replyTo || m.Edit != c.edit || m.ChannelID != "ch1" {
			t.Errorf("%s: %+v", c.file, m)
		}
		if m.At.IsZero() || m.Contact.ExternalID == "" || m.Contact.Name == "" {
			t.Errorf("%s: sender or time missing: %+v", c.file, m)
		}
		switch {
		case c.media == nil && len(m.Media) > 0:
			t.Errorf("%s: unexpected media %+v", c.file, m.Media)
		case c.media != nil && (len(m.Media) != 1 || !reflect.DeepEqual(m.Media[0], *c.media)):
			t.Errorf("%s: media %+v, want %+v", c.file, m.Media, *c.media)
		}
	}
	if m := receive(t, "text.json").Messages[0]; m.Contact.ExternalID != "1111111" || m.Contact.Name != "Maria Silva" {
		t.Errorf("sender: %+v", m.Contact)
	}
}

// Groups, the business owner's own messages and service messages are not
// customer messages.
func TestNonCustomerUpdatesAreIgnored(t *testing.T) {
	for _, f := range []string{"group.json", "business_owner.json", "service.json"} {
		if b := receive(t, f); len(b.Messages) != 0 {
			t.Errorf("%s: %+v", f, b.Messages)
		}
	}
}

// A missing or wrong secret token is refused, whatever the body.
func TestWebhookSecretIsRequired(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "text.json"))
	ch := channel(channels.Settings{"bot_token": token, "webhook_secret": "s3cr3t-token_1"})
	for _, h := range []http.Header{{}, {telegram.HeaderSecret: {"s3cr3t-token_2"}}, {telegram.HeaderSecret: {""}}} {
		_, _, err := telegram.Adapter{}.Receive(context.Background(), ch, channels.Request{Method: http.MethodPost, Header: h, Body: body})
		var auth *channels.AuthError
		if !errors.As(err, &auth) {
			t.Errorf("header %v: %v, want refused", h, err)
		}
	}
	// A channel in polling mode has no secret: every webhook call is refused.
	polling := channel(channels.Settings{"bot_token": token})
	_, _, err := telegram.Adapter{}.Receive(context.Background(), polling, channels.Request{Method: http.MethodPost, Header: http.Header{telegram.HeaderSecret: {""}}, Body: body})
	if err == nil {
		t.Error("a channel without a webhook secret accepted a call")
	}
}

func TestTokenIsValidated(t *testing.T) {
	a := telegram.Adapter{}
	for _, bad := range []string{"", "abc", "123:short", "not a token at all 123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"} {
		if _, err := a.Validate(channels.Settings{"bot_token": bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s, err := a.Validate(channels.Settings{"bot_token": " " + token + " ", "bot_id": "7000001", "bot_username": "loja_bot"})
	if err != nil || s.String("bot_token") != token || s.String("bot_username") != "loja_bot" {
		t.Errorf("valid token: %v %v", s, err)
	}
	// Another bot's token forgets the old bot's name.
	s, _ = a.Validate(channels.Settings{"bot_token": "8000002:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "bot_id": "7000001", "bot_username": "loja_bot"})
	if s.String("bot_username") != "" {
		t.Errorf("new bot kept the old name: %v", s)
	}
}

// Sending: text as a reply, a photo and a document uploaded as multipart,
// 429 as a wait, 403 as a refusal naming the block.
func TestSendAgainstTheBotAPI(t *testing.T) {
	srv := telegramtest.New(token, "loja_bot")
	defer srv.Close()
	a := telegram.Adapter{APIURL: srv.URL}
	ch := channel(channels.Settings{"bot_token": token})
	files := map[string][]byte{"f1": []byte("\x89PNG\r\n\x1a\nfake"), "f2": []byte("%PDF-1.4 fake")}
	out := channels.Outbound{MessageID: "m1", Channel: ch, To: "1111111", Text: "Segue o catálogo", ReplyTo: "1111111:1373",
		Files: []channels.OutboundFile{{ID: "f1", Name: "foto.png", ContentType: "image/png"}, {ID: "f2", Name: "catalogo.pdf", ContentType: "application/pdf"}},
		Open:  func(_ context.Context, id string) ([]byte, error) { return files[id], nil }}
	id, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 3 || id != "1111111:"+strconv.Itoa(sent[0].MessageID) {
		t.Fatalf("sent %+v, id %s", sent, id)
	}
	if sent[0].Method != "sendMessage" || sent[0].Text != "Segue o catálogo" || sent[0].ReplyTo != 1373 || sent[0].ChatID != "1111111" {
		t.Errorf("text: %+v", sent[0])
	}
	if sent[1].Method != "sendPhoto" || sent[1].FileName != "foto.png" || string(sent[1].FileData) != string(files["f1"]) {
		t.Errorf("photo: %+v", sent[1])
	}
	if sent[2].Method != "sendDocument" || sent[2].FileName != "catalogo.pdf" {
		t.Errorf("document: %+v", sent[2])
	}

	srv.TooManyRequests("sendMessage", 1)
	_, err = a.Send(context.Background(), channels.Outbound{MessageID: "m2", Channel: ch, To: "1111111", Text: "oi"})
	var later *channels.RetryAfterError
	if !errors.As(err, &later) || later.After.Seconds() != 1 {
		t.Errorf("429: %v, want a wait of retry_after", err)
	}

	srv.Block("1111111")
	_, err = a.Send(context.Background(), channels.Outbound{MessageID: "m3", Channel: ch, To: "1111111", Text: "oi"})
	var perm *channels.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Reason, "blocked the bot") {
		t.Errorf("403: %v, want a refusal naming the block", err)
	}

	// Business chats are answered through their connection.
	if _, err := a.Send(context.Background(), channels.Outbound{MessageID: "m4", Channel: ch, To: "3333333", ThreadKey: "business:bc-Aq1w2e3r4", Text: "Tem sim"}); err != nil {
		t.Fatal(err)
	}
	if last := srv.Sent()[len(srv.Sent())-1]; last.Business != "bc-Aq1w2e3r4" || last.ChatID != "3333333" {
		t.Errorf("business reply: %+v", last)
	}
}

func TestFetchMedia(t *testing.T) {
	srv := telegramtest.New(token, "loja_bot")
	defer srv.Close()
	srv.AddFile("AgACAgEAAxkBAAIBlarge", "photos/file_7.jpg", []byte("\xff\xd8\xff\xe0 jpeg"))
	f, err := telegram.Adapter{APIURL: srv.URL}.FetchMedia(context.Background(), channel(channels.Settings{"bot_token": token}),
		channels.Media{Ref: "AgACAgEAAxkBAAIBlarge", Name: "photo.jpg", ContentType: "image/jpeg"})
	if err != nil || string(f.Data) != "\xff\xd8\xff\xe0 jpeg" || f.Name != "photo.jpg" {
		t.Fatalf("%+v %v", f, err)
	}
	_, err = telegram.Adapter{APIURL: srv.URL}.FetchMedia(context.Background(), channel(channels.Settings{"bot_token": token}), channels.Media{Ref: "nope"})
	var perm *channels.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("unknown file: %v, want a refusal", err)
	}
}
