package meta

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// Messenger and Instagram DMs share Meta's Messenger Platform: the same
// webhook events (entry[].messaging[]) and the same Send API body.

// Notification is a webhook POST of the page object (Messenger) or the
// instagram object (Instagram): messaging events, and changes of other
// fields (Instagram's comments).
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one page's or account's part of a notification.
type Entry struct {
	ID        string   `json:"id"` // the page or Instagram account
	Time      int64    `json:"time"`
	Messaging []Event  `json:"messaging"`
	Changes   []Change `json:"changes"`
	// Field and Value: Instagram's examples also show a change inline
	// on the entry.
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// Change is a change of a subscribed field other than messaging.
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// FieldChanges are the entry's changes, inline or listed.
func (e Entry) FieldChanges() []Change {
	out := e.Changes
	if e.Field != "" && len(e.Value) > 0 {
		out = append(out, Change{Field: e.Field, Value: e.Value})
	}
	return out
}

// ID is a sender or recipient: a page-scoped (PSID) or Instagram-scoped
// (IGSID) id, or the page's or account's own.
type ID struct {
	ID string `json:"id"`
}

// Event is one messaging event.
type Event struct {
	Sender    ID             `json:"sender"`
	Recipient ID             `json:"recipient"`
	Timestamp int64          `json:"timestamp"` // milliseconds
	Message   *EventMessage  `json:"message"`
	Edit      *MessageEdit   `json:"message_edit"`
	Read      *Read          `json:"read"`
	Delivery  *Delivery      `json:"delivery"`
	Reaction  *EventReaction `json:"reaction"`
	Postback  *Postback      `json:"postback"`
}

// EventMessage is a message event's message (or its echo).
type EventMessage struct {
	Mid           string       `json:"mid"`
	Text          string       `json:"text"`
	IsEcho        bool         `json:"is_echo"`
	IsDeleted     bool         `json:"is_deleted"`
	IsUnsupported bool         `json:"is_unsupported"`
	AppID         json.Number  `json:"app_id"`
	Metadata      string       `json:"metadata"`
	ReplyTo       *ReplyTo     `json:"reply_to"`
	Attachments   []Attachment `json:"attachments"`
	QuickReply    *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
}

// ReplyTo is what a message answers: an earlier message, or a story.
type ReplyTo struct {
	Mid   string `json:"mid"`
	Story *struct {
		URL string `json:"url"`
		ID  string `json:"id"`
	} `json:"story"`
}

// Attachment is a file or share on a message.
type Attachment struct {
	Type    string `json:"type"` // image, video, audio, file, story_mention, share, reel, ig_reel, ig_post, fallback, template
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload struct {
		URL       string      `json:"url"`
		Title     string      `json:"title"`
		StickerID json.Number `json:"sticker_id"`
		Coords    *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// MessageEdit is a customer's edit of an earlier message (Messenger).
type MessageEdit struct {
	Mid  string `json:"mid"`
	Text string `json:"text"`
}

// Read is a read receipt: up to a watermark (Messenger) or of one message
// (Instagram's messaging_seen).
type Read struct {
	Watermark int64  `json:"watermark"`
	Mid       string `json:"mid"`
}

// Delivery reports messages delivered (Messenger).
type Delivery struct {
	Mids      []string `json:"mids"`
	Watermark int64    `json:"watermark"`
}

// EventReaction is a reaction to a message.
type EventReaction struct {
	Mid      string `json:"mid"`
	Action   string `json:"action"` // react, unreact
	Reaction string `json:"reaction"`
	Emoji    string `json:"emoji"`
}

// Postback is a button the customer tapped.
type Postback struct {
	Mid     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

// EchoMetadata marks a message we send, so its echo is recognised as ours
// by id even before the send's answer is stored.
const EchoMetadata = "chatspot:"

// Own identifies the business in messaging events: its page or account
// id, and the app CHATSPOT sends through (echoes of our own sends carry
// it).
type Own struct {
	ID    string
	AppID string
}

// Batch is what a notification carries for the business own: every
// entry's messaging events, and what changes (a field other than
// messaging, Instagram's comments) turns into messages. Entries of other
// pages or accounts (the app has one callback for all) are skipped.
func (n Notification) Batch(channelID string, own Own, change func(Change) (channels.Inbound, bool)) channels.Batch {
	var b channels.Batch
	for _, e := range n.Entry {
		if own.ID != "" && e.ID != "" && e.ID != own.ID {
			continue
		}
		part := MessagingBatch(channelID, own, e.Messaging)
		b.Messages, b.Receipts = append(b.Messages, part.Messages...), append(b.Receipts, part.Receipts...)
		if change == nil {
			continue
		}
		for _, c := range e.FieldChanges() {
			if in, ok := change(c); ok {
				b.Messages = append(b.Messages, in)
			}
		}
	}
	return b
}

// MessagingBatch turns an entry's messaging events into the kit's batch.
// Echoes of our own sends become receipts for their message; echoes of
// messages the business sent from Meta's apps become its messages;
// watermarked reads and deliveries are receipts of the newest message
// they cover (the inbox moves every earlier one as it records them).
func MessagingBatch(channelID string, own Own, events []Event) channels.Batch {
	var b channels.Batch
	for _, ev := range events {
		at := millis(ev.Timestamp)
		customer := ev.Sender.ID
		if ev.Sender.ID == own.ID {
			customer = ev.Recipient.ID
		}
		switch {
		case ev.Message != nil:
			m := ev.Message
			if m.IsEcho || ev.Sender.ID == own.ID {
				if id, ok := strings.CutPrefix(m.Metadata, EchoMetadata); ok {
					b.Receipts = append(b.Receipts, channels.Receipt{ExternalID: m.Mid, MessageID: id, Status: sentStatus, At: at})
					continue
				}
				if own.AppID != "" && m.AppID.String() == own.AppID {
					continue // sent by CHATSPOT: its send recorded it
				}
			}
			in, ok := inboundMessage(channelID, customer, *m, at)
			if !ok {
				continue
			}
			in.FromBusiness = m.IsEcho || ev.Sender.ID == own.ID
			if in.FromBusiness && in.Text == "" && len(in.Media) > 0 {
				// The business's own files are not downloaded: named only.
				in.Text = "📎 " + in.Media[0].Name
			}
			b.Messages = append(b.Messages, in)
		case ev.Edit != nil && ev.Edit.Mid != "":
			b.Messages = append(b.Messages, channels.Inbound{ChannelID: channelID, ExternalID: ev.Edit.Mid, Text: ev.Edit.Text, Edit: true,
				Contact: channels.InboundContact{ExternalID: customer}, At: at})
		case ev.Reaction != nil && ev.Reaction.Mid != "":
			text := "Reagiu com " + reactionText(*ev.Reaction) + " a uma mensagem"
			if ev.Reaction.Action == "unreact" {
				text = "Removeu a reação de uma mensagem"
			}
			b.Messages = append(b.Messages, channels.Inbound{ChannelID: channelID,
				ExternalID: "reaction:" + ev.Reaction.Mid + ":" + customer + ":" + ev.Reaction.Action + ":" + ev.Reaction.Reaction,
				Contact:    channels.InboundContact{ExternalID: customer}, Text: text, ReplyTo: ev.Reaction.Mid, At: at})
		case ev.Postback != nil:
			id := ev.Postback.Mid
			if id == "" {
				id = "postback:" + customer + ":" + ev.Postback.Payload + ":" + at.Format(time.RFC3339Nano)
			}
			b.Messages = append(b.Messages, channels.Inbound{ChannelID: channelID, ExternalID: id, Text: ev.Postback.Title,
				Contact: channels.InboundContact{ExternalID: customer}, At: at})
		case ev.Read != nil:
			b.Receipts = append(b.Receipts, watermark(customer, ev.Read.Mid, ev.Read.Watermark, readStatus)...)
		case ev.Delivery != nil:
			for _, mid := range ev.Delivery.Mids {
				b.Receipts = append(b.Receipts, channels.Receipt{ExternalID: mid, Status: deliveredStatus, At: at})
			}
			if len(ev.Delivery.Mids) == 0 {
				b.Receipts = append(b.Receipts, watermark(customer, "", ev.Delivery.Watermark, deliveredStatus)...)
			}
		}
	}
	return b
}

// Receipt statuses (store's, spelled here to keep this package free of
// the store's models beyond the kit).
const (
	sentStatus      = "sent"
	deliveredStatus = "delivered"
	readStatus      = "read"
)

// watermark is a receipt of one message, or of everything sent to the
// customer up to a time (Watermark set, ExternalID empty, Contact named).
func watermark(customer, mid string, ms int64, status string) []channels.Receipt {
	if mid != "" {
		return []channels.Receipt{{ExternalID: mid, Status: status}}
	}
	if ms == 0 {
		return nil
	}
	return []channels.Receipt{{Contact: customer, Status: status, Until: millis(ms)}}
}

func reactionText(r EventReaction) string {
	if r.Emoji != "" {
		return r.Emoji
	}
	if r.Reaction != "" {
		return r.Reaction
	}
	return "uma reação"
}

// inboundMessage normalises a message: its text, its files (fetched
// later from their URLs), shares and story mentions as links, a story
// reply naming the story. A message Meta cannot show us says so.
func inboundMessage(channelID, customer string, m EventMessage, at time.Time) (channels.Inbound, bool) {
	if m.Mid == "" || customer == "" {
		return channels.Inbound{}, false
	}
	in := channels.Inbound{ChannelID: channelID, ExternalID: m.Mid, Contact: channels.InboundContact{ExternalID: customer}, At: at}
	if m.IsDeleted {
		in.Revoke = true
		return in, true
	}
	var lines []string
	if m.ReplyTo != nil {
		in.ReplyTo = m.ReplyTo.Mid
		if s := m.ReplyTo.Story; s != nil {
			lines = append(lines, "↩ Respondeu ao seu story: "+s.URL)
		}
	}
	if t := strings.TrimSpace(m.Text); t != "" {
		lines = append(lines, t)
	}
	for i, a := range m.Attachments {
		url := a.Payload.URL
		if url == "" {
			url = a.URL
		}
		switch a.Type {
		case "image", "video", "audio", "file":
			if url == "" {
				lines = append(lines, "[arquivo indisponível]")
				continue
			}
			kind, name := mediaKind(a.Type), mediaName(a.Type, i)
			if a.Payload.StickerID != "" {
				kind = channels.MediaSticker
			}
			in.Media = append(in.Media, channels.Media{Ref: url, Kind: kind, Name: name})
		case "story_mention":
			lines = append(lines, "📣 Mencionou você no story: "+url)
			if url != "" {
				in.Media = append(in.Media, channels.Media{Ref: url, Kind: channels.MediaImage, Name: "story"})
			}
		case "location":
			if c := a.Payload.Coords; c != nil {
				lines = append(lines, channels.LocationText(a.Title, "", c.Lat, c.Long))
			}
		default: // share, reel, ig_reel, ig_post, fallback, template
			label := strings.TrimSpace(a.Payload.Title + " " + a.Title)
			lines = append(lines, strings.TrimSpace("🔗 "+label+" "+url))
		}
	}
	if m.IsUnsupported && len(lines) == 0 && len(in.Media) == 0 {
		lines = append(lines, "[mensagem que o Instagram não repassa à API: veja no app]")
	}
	in.Text = strings.Join(lines, "\n")
	if in.Text == "" && len(in.Media) == 0 {
		in.Text = "[mensagem sem conteúdo]"
	}
	return in, true
}

func mediaKind(t string) string {
	switch t {
	case "image":
		return channels.MediaImage
	case "video":
		return channels.MediaVideo
	case "audio":
		return channels.MediaAudio
	}
	return channels.MediaDocument
}

func mediaName(t string, i int) string {
	ext := map[string]string{"image": ".jpg", "video": ".mp4", "audio": ".mp4", "file": ""}[t]
	if i > 0 {
		return fmt.Sprintf("%s-%d%s", t, i+1, ext)
	}
	return t + ext
}

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	if ms < 1e12 { // seconds, as some payloads carry
		return time.Unix(ms, 0).UTC()
	}
	return time.UnixMilli(ms).UTC()
}
