package meta

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

func readNotification(t *testing.T, name string) Notification {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var n Notification
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Messenger's documented example events: text, a reply, an image, our
// echo (a receipt by our id), an echo from the page inbox (the
// business's message), an echo of our own app without our id (skipped),
// a watermarked read, a delivery, a reaction and a postback.
func TestMessagingBatchMessengerExamples(t *testing.T) {
	n := readNotification(t, "messenger_messages.json")
	own := Own{ID: "682498302938465", AppID: "1517776481860111"}
	b := MessagingBatch("ch1", own, n.Entry[0].Messaging)
	if len(b.Messages) != 7 {
		t.Fatalf("%d messages: %+v", len(b.Messages), b.Messages)
	}
	if edit := b.Messages[6]; !edit.Edit || edit.ExternalID != "m_1457764197618:41d102a3e1ae206a38" || edit.Text != "hello, world! (edited)" {
		t.Errorf("edit %+v", edit)
	}
	text, reply, image, inbox, reaction, postback := b.Messages[0], b.Messages[1], b.Messages[2], b.Messages[3], b.Messages[4], b.Messages[5]
	if text.Text != "hello, world!" || text.Contact.ExternalID != "1254938275682919" || text.ExternalID != "mid.1457764197618:41d102a3e1ae206a38" ||
		!text.At.Equal(time.UnixMilli(1458692752478)) || text.FromBusiness {
		t.Errorf("text %+v", text)
	}
	if reply.ReplyTo != "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU" {
		t.Errorf("reply %+v", reply)
	}
	if len(image.Media) != 1 || image.Media[0].Kind != channels.MediaImage || image.Media[0].Ref != "https://scontent.xx.fbcdn.net/v/t1.15752-9/image.png" {
		t.Errorf("image %+v", image)
	}
	if !inbox.FromBusiness || inbox.Contact.ExternalID != "1254938275682919" || inbox.Text != "sent from the page inbox" {
		t.Errorf("page inbox echo %+v", inbox)
	}
	if reaction.ReplyTo != "mid.1458668856218:ed81099e15d3f4f233" || reaction.Text != "Reagiu com ❤️ a uma mensagem" {
		t.Errorf("reaction %+v", reaction)
	}
	if postback.Text != "Falar com vendas" || postback.ExternalID != "m_MESSAGE-ID" {
		t.Errorf("postback %+v", postback)
	}
	if len(b.Receipts) != 3 {
		t.Fatalf("receipts %+v", b.Receipts)
	}
	ours, read, delivered := b.Receipts[0], b.Receipts[1], b.Receipts[2]
	if ours.MessageID != "01JOURMESSAGEID" || ours.ExternalID != "mid.1457764197618:41d102a3e1ae206a39" || ours.Status != "sent" {
		t.Errorf("our echo %+v", ours)
	}
	if read.Contact != "1254938275682919" || read.Status != "read" || !read.Until.Equal(time.UnixMilli(1458668856253)) || read.ExternalID != "" {
		t.Errorf("read %+v", read)
	}
	if delivered.ExternalID != "mid.1458668856218:ed81099e15d3f4f233" || delivered.Status != "delivered" {
		t.Errorf("delivery %+v", delivered)
	}
}

// Instagram's: a story mention (its media fetched), a story reply, a
// deletion, a message Instagram does not pass on, a read of one message
// (messaging_seen), an unreaction.
func TestMessagingBatchInstagramExamples(t *testing.T) {
	n := readNotification(t, "instagram_messages.json")
	b := MessagingBatch("ch1", Own{ID: "17841405822304914"}, n.Entry[0].Messaging)
	if len(b.Messages) != 5 || len(b.Receipts) != 1 {
		t.Fatalf("messages %+v receipts %+v", b.Messages, b.Receipts)
	}
	mention, storyReply, deleted, unsupported, unreact := b.Messages[0], b.Messages[1], b.Messages[2], b.Messages[3], b.Messages[4]
	if len(mention.Media) != 1 || mention.Media[0].Ref == "" || mention.Text == "" {
		t.Errorf("story mention %+v", mention)
	}
	if storyReply.Text != "↩ Respondeu ao seu story: https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17935\nAmei esse!" {
		t.Errorf("story reply %q", storyReply.Text)
	}
	if !deleted.Revoke || deleted.ExternalID != "aWdfZAG1-deleted" {
		t.Errorf("deletion %+v", deleted)
	}
	if unsupported.Text == "" || unsupported.Revoke {
		t.Errorf("unsupported %+v", unsupported)
	}
	if unreact.Text != "Removeu a reação de uma mensagem" || unreact.ReplyTo != "aWdfZAG1-ours" {
		t.Errorf("unreaction %+v", unreact)
	}
	if r := b.Receipts[0]; r.ExternalID != "aWdfZAG1-ours" || r.Status != "read" {
		t.Errorf("seen %+v", r)
	}
}

func TestSignature(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	if !VerifySignature("s3cret", body, Sign("s3cret", body)) {
		t.Error("a good signature refused")
	}
	for _, h := range []string{"", "sha256=", "sha1=" + Sign("s3cret", body)[7:], Sign("other", body)} {
		if VerifySignature("s3cret", body, h) {
			t.Errorf("signature %q accepted", h)
		}
	}
	if VerifySignature("s3cret", append(body, ' '), Sign("s3cret", body)) {
		t.Error("a signature over other bytes accepted")
	}
}

func TestNeedsHumanAgentTag(t *testing.T) {
	now := time.Now()
	on := channels.Settings{KeyHumanAgent: true}
	for _, c := range []struct {
		s     channels.Settings
		wrote time.Time
		want  bool
	}{
		{on, now.Add(-2 * time.Hour), false},
		{on, now.Add(-25 * time.Hour), true},
		{channels.Settings{}, now.Add(-25 * time.Hour), false},
		{on, time.Time{}, false},
	} {
		if got := NeedsHumanAgentTag(c.s, c.wrote, now); got != c.want {
			t.Errorf("tag %v for %v written %s ago, want %v", got, c.s, now.Sub(c.wrote), c.want)
		}
	}
}
