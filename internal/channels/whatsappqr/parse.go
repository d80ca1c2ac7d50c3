package whatsappqr

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// parseOptions are the channel's settings that decide what is taken in.
type parseOptions struct {
	channelID string
	groups    bool // take group messages (off by default)
}

// parseMessage turns a WhatsApp message into what the inbox stores; false:
// nothing for the inbox (our own messages, status updates, protocol
// messages other than edits, groups when they are off).
func parseMessage(evt *events.Message, o parseOptions) (channels.Inbound, bool) {
	info := evt.Info
	if info.Chat.Server == types.BroadcastServer || info.Chat.Server == types.NewsletterServer {
		return channels.Inbound{}, false
	}
	if info.IsGroup && !o.groups {
		return channels.Inbound{}, false
	}
	in := channels.Inbound{ChannelID: o.channelID, ExternalID: info.ID, At: info.Timestamp, Contact: sender(info)}
	msg := evt.Message
	if info.IsFromMe {
		return fromPhone(in, info, msg)
	}
	if pm := msg.GetProtocolMessage(); pm != nil {
		if pm.GetType() == waE2E.ProtocolMessage_REVOKE {
			in.ExternalID, in.Revoke = pm.GetKey().GetID(), true
			return in, in.ExternalID != ""
		}
		if pm.GetType() != waE2E.ProtocolMessage_MESSAGE_EDIT {
			return channels.Inbound{}, false // key shares, history notices
		}
		in.ExternalID, in.Edit = pm.GetKey().GetID(), true
		in.Text = textOf(pm.GetEditedMessage())
		return in, in.Text != ""
	}
	if r := msg.GetReactionMessage(); r != nil {
		if r.GetText() == "" {
			return channels.Inbound{}, false // a reaction taken back
		}
		in.Text, in.ReplyTo = r.GetText(), r.GetKey().GetID()
		return in, true
	}
	in.Text = textOf(msg)
	if ctx := contextOf(msg); ctx != nil {
		in.ReplyTo = ctx.GetStanzaID()
	}
	if m, ok := mediaOf(msg); ok {
		in.Media = []channels.Media{m}
	}
	if info.IsGroup {
		// The group is the conversation; each line says who wrote it.
		in.Contact = channels.InboundContact{ExternalID: info.Chat.String(), Name: "Grupo " + info.Chat.User}
		in.Text = strings.TrimSpace(info.PushName + ": " + in.Text)
	}
	return in, in.Text != "" || len(in.Media) > 0
}

// fromPhone is a message the business sent from the phone's own
// WhatsApp: the business's message to the chat's customer. Protocol
// messages and reactions from the phone are left out.
func fromPhone(in channels.Inbound, info types.MessageInfo, msg *waE2E.Message) (channels.Inbound, bool) {
	if info.IsGroup || msg.GetProtocolMessage() != nil || msg.GetReactionMessage() != nil {
		return channels.Inbound{}, false
	}
	in.FromBusiness = true
	in.Contact = channels.InboundContact{ExternalID: info.Chat.ToNonAD().String()}
	for _, jid := range []types.JID{info.Chat, info.RecipientAlt} {
		if jid.Server == types.DefaultUserServer {
			in.Contact = channels.InboundContact{ExternalID: E164(jid.User), Phone: E164(jid.User)}
			break
		}
	}
	in.Text = textOf(msg)
	if m, ok := mediaOf(msg); ok && in.Text == "" {
		// The file stays on the phone: the agent reads what was sent.
		in.Text = "[" + m.Name + "]"
	}
	return in, in.Text != ""
}

// sender is the customer: known by phone number when WhatsApp tells it
// (one contact across WhatsApp QR, WhatsApp Official and SMS), else by the
// privacy id (LID) WhatsApp addresses them with.
func sender(info types.MessageInfo) channels.InboundContact {
	c := channels.InboundContact{Name: info.PushName}
	for _, jid := range []types.JID{info.Sender, info.SenderAlt, info.Chat} {
		if jid.Server == types.DefaultUserServer {
			c.Phone = E164(jid.User)
			c.ExternalID = c.Phone
			return c
		}
	}
	c.ExternalID = info.Sender.ToNonAD().String()
	return c
}

// textOf is a message's words: its text or the caption of its file, a
// location or contact card as the inbox shows them.
func textOf(m *waE2E.Message) string {
	switch {
	case m == nil:
		return ""
	case m.GetConversation() != "":
		return m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	case m.GetLocationMessage() != nil:
		l := m.GetLocationMessage()
		return channels.LocationText(l.GetName(), l.GetAddress(), l.GetDegreesLatitude(), l.GetDegreesLongitude())
	case m.GetLiveLocationMessage() != nil:
		l := m.GetLiveLocationMessage()
		return channels.LocationText("(ao vivo)", l.GetCaption(), l.GetDegreesLatitude(), l.GetDegreesLongitude())
	case m.GetContactMessage() != nil:
		return contactText(m.GetContactMessage())
	case m.GetContactsArrayMessage() != nil:
		var parts []string
		for _, c := range m.GetContactsArrayMessage().GetContacts() {
			parts = append(parts, contactText(c))
		}
		return strings.Join(parts, "\n")
	case m.GetButtonsResponseMessage() != nil:
		return m.GetButtonsResponseMessage().GetSelectedDisplayText()
	case m.GetListResponseMessage() != nil:
		return m.GetListResponseMessage().GetTitle()
	}
	return ""
}

// contactText is a shared contact card: the name and the phone numbers in
// its vCard.
func contactText(c *waE2E.ContactMessage) string {
	text := "👤 " + c.GetDisplayName()
	for _, line := range strings.Split(c.GetVcard(), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(strings.ToUpper(line), "TEL") {
			continue
		}
		if _, number, ok := strings.Cut(line, ":"); ok {
			text += " " + strings.TrimSpace(number)
		}
	}
	return text
}

// contextOf is the reply context of a message of any type.
func contextOf(m *waE2E.Message) *waE2E.ContextInfo {
	for _, c := range []*waE2E.ContextInfo{
		m.GetExtendedTextMessage().GetContextInfo(), m.GetImageMessage().GetContextInfo(), m.GetVideoMessage().GetContextInfo(),
		m.GetAudioMessage().GetContextInfo(), m.GetDocumentMessage().GetContextInfo(), m.GetStickerMessage().GetContextInfo(),
		m.GetLocationMessage().GetContextInfo(), m.GetContactMessage().GetContextInfo(),
	} {
		if c.GetStanzaID() != "" {
			return c
		}
	}
	return nil
}

// mediaOf describes a message's file; its Ref is the file's part of the
// message (where it is and the keys to decrypt it), for the download.
func mediaOf(m *waE2E.Message) (channels.Media, bool) {
	ref := &waE2E.Message{}
	var media channels.Media
	switch {
	case m.GetImageMessage() != nil:
		im := proto.CloneOf(m.GetImageMessage())
		im.JPEGThumbnail, im.ContextInfo = nil, nil
		ref.ImageMessage = im
		media = channels.Media{Kind: channels.MediaImage, ContentType: im.GetMimetype(), Size: int64(im.GetFileLength())}
	case m.GetVideoMessage() != nil:
		vm := proto.CloneOf(m.GetVideoMessage())
		vm.JPEGThumbnail, vm.ContextInfo = nil, nil
		ref.VideoMessage = vm
		media = channels.Media{Kind: channels.MediaVideo, ContentType: vm.GetMimetype(), Size: int64(vm.GetFileLength())}
	case m.GetAudioMessage() != nil:
		am := proto.CloneOf(m.GetAudioMessage())
		am.ContextInfo = nil
		ref.AudioMessage = am
		media = channels.Media{Kind: channels.MediaAudio, ContentType: am.GetMimetype(), Size: int64(am.GetFileLength())}
		if am.GetPTT() {
			media.Kind = channels.MediaVoice
		}
	case m.GetDocumentMessage() != nil:
		dm := proto.CloneOf(m.GetDocumentMessage())
		dm.JPEGThumbnail, dm.ContextInfo = nil, nil
		ref.DocumentMessage = dm
		media = channels.Media{Kind: channels.MediaDocument, Name: dm.GetFileName(), ContentType: dm.GetMimetype(), Size: int64(dm.GetFileLength())}
	case m.GetStickerMessage() != nil:
		sm := proto.CloneOf(m.GetStickerMessage())
		sm.PngThumbnail, sm.ContextInfo = nil, nil
		ref.StickerMessage = sm
		media = channels.Media{Kind: channels.MediaSticker, ContentType: sm.GetMimetype(), Size: int64(sm.GetFileLength())}
	default:
		return channels.Media{}, false
	}
	if media.Name == "" {
		media.Name = media.Kind + extension(media.ContentType)
	}
	b, err := proto.Marshal(ref)
	if err != nil {
		return channels.Media{}, false
	}
	media.Ref = base64.StdEncoding.EncodeToString(b)
	return media, true
}

// decodeRef reads back a file's part of its message.
func decodeRef(ref string) (*waE2E.Message, error) {
	b, err := base64.StdEncoding.DecodeString(ref)
	if err != nil {
		return nil, err
	}
	m := &waE2E.Message{}
	return m, proto.Unmarshal(b, m)
}

func extension(contentType string) string {
	switch strings.TrimSpace(strings.Split(contentType, ";")[0]) {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "video/mp4":
		return ".mp4"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4":
		return ".m4a"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

// parseReceipt turns a WhatsApp receipt into the inbox's receipts: one per
// message it covers. Receipts for others' messages (our own read marks,
// retries) are not about our sends.
func parseReceipt(evt *events.Receipt) []channels.Receipt {
	var status string
	switch evt.Type {
	case types.ReceiptTypeDelivered:
		status = store.MessageDelivered
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		status = store.MessageRead
	case types.ReceiptTypeServerError:
		status = store.MessageFailed
	default:
		return nil
	}
	if evt.IsFromMe && evt.Type != types.ReceiptTypeServerError {
		return nil // our own devices reading the customer's messages
	}
	var out []channels.Receipt
	for _, id := range evt.MessageIDs {
		r := channels.Receipt{ExternalID: id, Status: status, At: evt.Timestamp}
		if status == store.MessageFailed {
			r.Reason = "WhatsApp could not deliver the message (server error)"
		}
		out = append(out, r)
	}
	return out
}

// banText says what a temporary ban means for the manager.
func banText(b *events.TemporaryBan) string {
	text := fmt.Sprintf("WhatsApp banned this number temporarily (%v)", b.Code)
	if b.Expire > 0 {
		text += "; it ends in " + b.Expire.Round(time.Minute).String()
	}
	return text + ". Send less, and only to customers who wrote first."
}
