package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/whatsappqr/meowtest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// WhatsApp (QR code) on the engine, with WhatsApp played behind the
// client seam: the phone pairs during activation, the session runs in the
// connection workflow, a customer's text and photo reach the inbox once
// each (the photo downloaded through the session, on the worker holding
// it), the agent's reply leaves through that worker's own task queue under
// the id stored before the send, receipts move it to read, and a logout
// on the phone marks the channel for pairing again.
func TestWhatsAppQREndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testWhatsAppQR(t, dialect) })
	}
}

func testWhatsAppQR(t *testing.T, dialect string) {
	business := types.NewJID("5511900001111", types.DefaultUserServer)
	business.Device = 4
	phone := meowtest.NewPhone()
	phone.PairAs = business
	phone.Pairing = []whatsmeow.QRChannelItem{{Event: whatsmeow.QRChannelEventCode, Code: "2@qr", Timeout: time.Minute}, whatsmeow.QRChannelSuccess}
	customer := types.NewJID("551187654321", types.DefaultUserServer) // a mobile WhatsApp knows without the ninth digit
	phone.Registered["551187654321"] = customer

	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	reg := kinds.Registry(kinds.Config{AllowPrivateURLs: true, WhatsAppDevices: phone})
	s := newStackWith(t, db, stackOptions{Channels: reg})
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-wa-qr@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)

	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "whatsapp", "name": "WhatsApp da loja", "settings": map[string]any{"pair_with": "qr"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	channelID := ch["id"].(string)
	eventually(t, 30*time.Second, func() error {
		_, ch = admin.call(http.MethodGet, "/api/v1/channels/"+channelID, nil, nil)
		if ch["status"] != store.ChannelConnected {
			return fmt.Errorf("status %v (%v), activation %v", ch["status"], ch["status_reason"], ch["activation"])
		}
		return nil
	})
	if got := ch["settings"].(map[string]any)["number"]; got != "+5511900001111" {
		t.Errorf("connected number %v", got)
	}
	var row store.Channel
	db.Take(&row, "id = ?", channelID)
	if row.ConnectionQueue != s.queue+"-connection" {
		t.Fatalf("connection queue %q: the sends would not find the session", row.ConnectionQueue)
	}
	cli := phone.Connected(business)
	if cli == nil {
		t.Fatal("no session connected")
	}

	// The customer writes twice the same message (WhatsApp redelivers what
	// was not acknowledged), then a photo.
	info := func(id string) types.MessageInfo {
		return types.MessageInfo{ID: id, PushName: "Joana", Timestamp: time.Now(), MessageSource: types.MessageSource{Chat: customer, Sender: customer}}
	}
	text := &events.Message{Info: info("3A0001"), Message: &waE2E.Message{Conversation: proto.String("Oi, tem em azul?")}}
	for range 2 {
		if !cli.Emit(text) {
			t.Fatal("a stored message was not acknowledged")
		}
	}
	phone.Files["/v/photo"] = jpeg
	photo := &events.Message{Info: info("3A0002"), Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("Esse aqui"),
		Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/photo"), FileLength: proto.Uint64(uint64(len(jpeg)))}}}
	if !cli.Emit(photo) {
		t.Fatal("photo not acknowledged")
	}
	var ident store.ContactIdentity
	if err := db.Where("channel_id = ?", channelID).Take(&ident).Error; err != nil || ident.ExternalID != "+5511987654321" {
		t.Fatalf("identity %+v %v: want the number with its ninth digit", ident, err)
	}
	conv := waitConversation(t, db, workflows.ConversationWorkflowID(channelID, ident.ContactID), 2)
	eventually(t, 30*time.Second, func() error {
		var att []store.Attachment
		db.Where("message_id IN (SELECT id FROM messages WHERE conversation_id = ?)", conv.ID).Find(&att)
		if len(att) != 1 || att[0].ContentType != "image/jpeg" {
			return fmt.Errorf("attachments %+v", att)
		}
		return nil
	})

	// The agent opens the conversation: read receipts go through the
	// session, on the worker holding it.
	if st, _ := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/read", nil, nil); st != http.StatusNoContent {
		t.Fatalf("read: %d", st)
	}
	eventually(t, 15*time.Second, func() error {
		if r := phone.ReadIDs(); len(r) != 2 || r[0] != "3A0001" || r[1] != "3A0002" {
			return fmt.Errorf("marked read %v", r)
		}
		return nil
	})
	if dialect == "sqlite" {
		saveHistory(t, s.tc, workflows.MarkReadWorkflowID(conv.ID), "", "mark-read-on-connection.json")
	}

	// The agent answers: sent through the session under the id stored
	// before the send; the customer's phone then reports it delivered and
	// read.
	st, msg := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "Temos sim!"}, map[string]string{"Idempotency-Key": "wa-qr-1"})
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, msg)
	}
	var m store.Message
	eventually(t, 30*time.Second, func() error {
		db.Take(&m, "id = ?", msg["id"])
		if m.Status != store.MessageSent {
			return fmt.Errorf("message %s %q", m.Status, m.FailureReason)
		}
		return nil
	})
	sent := phone.SentMessages()
	if len(sent) != 1 || m.ExternalID == nil || sent[0].ID != *m.ExternalID || sent[0].To != customer || sent[0].Message.GetConversation() != "Temos sim!" {
		t.Fatalf("WhatsApp received %+v (message id %v)", sent, m.ExternalID)
	}
	src := types.MessageSource{Chat: customer, Sender: customer}
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{sent[0].ID}, Type: types.ReceiptTypeRead})
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{sent[0].ID}, Type: types.ReceiptTypeDelivered}) // late: never backwards
	eventually(t, 10*time.Second, func() error {
		db.Take(&m, "id = ?", msg["id"])
		if m.Status != store.MessageRead {
			return fmt.Errorf("message %s", m.Status)
		}
		return nil
	})
	// The customer deletes their first message for everyone: agents keep
	// it, marked deleted.
	revoke := &events.Message{Info: info("3A0003"), Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("3A0001")}}}}
	if !cli.Emit(revoke) {
		t.Fatal("deletion not acknowledged")
	}
	var first store.Message
	db.Take(&first, "channel_id = ? AND external_id = ?", channelID, "3A0001")
	if first.RevokedAt == nil || first.Body != "Oi, tem em azul?" {
		t.Errorf("deleted message %+v", first)
	}
	var n int64
	db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'inbound'", channelID).Count(&n)
	if n != 2 {
		t.Errorf("%d inbound messages, want 2: a deletion is not a message", n)
	}

	// The owner answers from the phone's own WhatsApp: agents see it as
	// the business's message, and it is not sent again; our own send
	// echoed back is not stored twice.
	mine := types.MessageInfo{ID: "3A0099", Timestamp: time.Now(), MessageSource: types.MessageSource{Chat: customer, Sender: business.ToNonAD(), IsFromMe: true}}
	cli.Emit(&events.Message{Info: mine, Message: &waE2E.Message{Conversation: proto.String("Pode passar amanhã")}})
	mine.ID = sent[0].ID
	cli.Emit(&events.Message{Info: mine, Message: &waE2E.Message{Conversation: proto.String("Temos sim!")}})
	var outbound []store.Message
	db.Where("contact_id = ? AND direction = ?", ident.ContactID, store.DirectionOutbound).Order("created_at").Find(&outbound)
	if len(outbound) != 2 || outbound[1].Body != "Pode passar amanhã" || outbound[1].Status != store.MessageSent ||
		outbound[1].ConversationID == nil || *outbound[1].ConversationID != conv.ID || outbound[1].AuthorID != nil {
		t.Fatalf("the business's messages: %+v", outbound)
	}
	if n := len(phone.SentMessages()); n != 1 {
		t.Errorf("%d messages sent to WhatsApp, want 1: the phone's own message must not go out again", n)
	}
	if dialect == "sqlite" {
		var media store.InboundMedia
		db.Take(&media, "channel_id = ?", channelID)
		saveHistory(t, s.tc, workflows.InboundMediaWorkflowID(media.ID), "", "inbound-media-on-connection.json")
		saveHistory(t, s.tc, conv.WorkflowID, conv.RunID, "conversation_sends_on_connection.json")
	}

	// The phone unlinks CHATSPOT: the channel asks to pair again, and the
	// connection ends.
	cli.Emit(&events.LoggedOut{})
	eventually(t, 20*time.Second, func() error {
		_, got := admin.call(http.MethodGet, "/api/v1/channels/"+channelID, nil, nil)
		if got["status"] != store.ChannelNeedsReauth {
			return fmt.Errorf("status %v", got["status"])
		}
		return nil
	})
	eventually(t, 30*time.Second, func() error {
		db.Take(&row, "id = ?", channelID)
		if row.ConnectionQueue != "" {
			return fmt.Errorf("connection queue still %q", row.ConnectionQueue)
		}
		return nil
	})
}
