package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// HeaderSecret carries the webhook's secret_token on every delivery.
const HeaderSecret = "X-Telegram-Bot-Api-Secret-Token"

// Receive checks the secret token Telegram sends with each delivery and
// parses the update.
func (Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return channels.Batch{}, nil, err
	}
	want := s.String(keyWebhookSecret)
	got := r.Header.Get(HeaderSecret)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return channels.Batch{}, nil, channels.ErrUnauthorized
	}
	if r.Method != http.MethodPost {
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "Telegram POSTs its updates"}
	}
	var u models.Update
	if err := json.Unmarshal(r.Body, &u); err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "not a Telegram update: " + err.Error()}
	}
	return ParseUpdate(ch.ID, u), nil, nil
}

// ParseUpdate turns one update into events. Private chats only: groups and
// channels are not customer conversations. Business messages the account
// owner wrote from their own app are not the customer's.
func ParseUpdate(channelID string, u models.Update) channels.Batch {
	var b channels.Batch
	add := func(m *models.Message, edit bool) {
		if m == nil || m.Chat.Type != models.ChatTypePrivate {
			return
		}
		if m.From != nil && m.From.ID != m.Chat.ID {
			return // the owner of a business account writing to their customer
		}
		if in, ok := inbound(channelID, m, edit); ok {
			b.Messages = append(b.Messages, in)
		}
	}
	add(u.Message, false)
	add(u.EditedMessage, true)
	add(u.BusinessMessage, false)
	add(u.EditedBusinessMessage, true)
	return b
}

// MessageID is the provider id of a message: ids are only unique within a
// chat.
func MessageID(chatID int64, messageID int) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

// businessThread is the thread key of a chat served through a business
// connection: replies must name the connection.
const businessThread = "business:"

func inbound(channelID string, m *models.Message, edit bool) (channels.Inbound, bool) {
	in := channels.Inbound{
		ChannelID:  channelID,
		ExternalID: MessageID(m.Chat.ID, m.ID),
		Contact:    contact(m),
		At:         time.Unix(int64(m.Date), 0).UTC(),
		Edit:       edit,
		Text:       m.Text,
	}
	if m.BusinessConnectionID != "" {
		in.ThreadKey = businessThread + m.BusinessConnectionID
	}
	if m.ReplyToMessage != nil {
		in.ReplyTo = MessageID(m.Chat.ID, m.ReplyToMessage.ID)
	}
	if in.Text == "" {
		in.Text = m.Caption
	}
	switch {
	case len(m.Photo) > 0:
		p := m.Photo[len(m.Photo)-1] // sizes come smallest first
		in.Media = []channels.Media{{Ref: p.FileID, Kind: channels.MediaImage, Name: "photo.jpg", ContentType: "image/jpeg", Size: int64(p.FileSize)}}
	case m.Document != nil:
		d := m.Document
		in.Media = []channels.Media{{Ref: d.FileID, Kind: channels.MediaDocument, Name: d.FileName, ContentType: d.MimeType, Size: d.FileSize}}
	case m.Voice != nil:
		v := m.Voice
		in.Media = []channels.Media{{Ref: v.FileID, Kind: channels.MediaVoice, Name: "voice.ogg", ContentType: orDefault(v.MimeType, "audio/ogg"), Size: v.FileSize}}
	case m.Audio != nil:
		a := m.Audio
		in.Media = []channels.Media{{Ref: a.FileID, Kind: channels.MediaAudio, Name: orDefault(a.FileName, "audio.mp3"), ContentType: a.MimeType, Size: a.FileSize}}
	case m.Video != nil:
		v := m.Video
		in.Media = []channels.Media{{Ref: v.FileID, Kind: channels.MediaVideo, Name: orDefault(v.FileName, "video.mp4"), ContentType: orDefault(v.MimeType, "video/mp4"), Size: v.FileSize}}
	case m.VideoNote != nil:
		v := m.VideoNote
		in.Media = []channels.Media{{Ref: v.FileID, Kind: channels.MediaVideo, Name: "video-note.mp4", ContentType: "video/mp4", Size: int64(v.FileSize)}}
	case m.Sticker != nil:
		st := m.Sticker
		name, ct := "sticker.webp", "image/webp"
		if st.IsVideo {
			name, ct = "sticker.webm", "video/webm"
		} else if st.IsAnimated {
			name, ct = "sticker.tgs", "application/x-tgsticker"
		}
		if in.Text == "" {
			in.Text = st.Emoji
		}
		in.Media = []channels.Media{{Ref: st.FileID, Kind: channels.MediaSticker, Name: name, ContentType: ct, Size: int64(st.FileSize)}}
	case m.Location != nil:
		l := m.Location
		in.Text = fmt.Sprintf("📍 https://maps.google.com/?q=%.6f,%.6f", l.Latitude, l.Longitude)
	case m.Contact != nil:
		c := m.Contact
		in.Text = strings.TrimSpace("👤 " + strings.TrimSpace(c.FirstName+" "+c.LastName) + " " + c.PhoneNumber)
	}
	if in.Text == "" && len(in.Media) == 0 {
		return in, false // a service message (a pinned message, a new chat photo)
	}
	return in, true
}

func contact(m *models.Message) channels.InboundContact {
	c := channels.InboundContact{ExternalID: strconv.FormatInt(m.Chat.ID, 10)}
	first, last, username := m.Chat.FirstName, m.Chat.LastName, m.Chat.Username
	if m.From != nil {
		first, last, username = m.From.FirstName, m.From.LastName, m.From.Username
	}
	c.Name = strings.TrimSpace(first + " " + last)
	if c.Name == "" && username != "" {
		c.Name = "@" + username
	}
	return c
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
