package whatsappcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// Receive answers Meta's verification request (GET) and, for POSTs signed
// with the app secret, parses messages and statuses.
func (Adapter) Receive(_ context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return channels.Batch{}, nil, err
	}
	if r.Method == http.MethodGet {
		reply, err := meta.Challenge(r.Query, s.String(keyVerifyToken))
		return channels.Batch{}, reply, err
	}
	if !meta.VerifySignature(s.String(keyAppSecret), r.Body, r.Header.Get(meta.HeaderSignature)) {
		return channels.Batch{}, nil, channels.ErrUnauthorized
	}
	var n Notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		return channels.Batch{}, nil, &channels.MalformedError{Reason: "not a WhatsApp webhook: " + err.Error()}
	}
	return n.Batch(ch.ID, s.String(keyPhoneNumberID)), nil, nil
}

// Notification is a webhook POST of the whatsapp_business_account object.
type Notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"` // the WABA
		Changes []struct {
			Field string `json:"field"`
			Value Value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// Value is a change of the messages field.
type Value struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []Message `json:"messages"`
	Statuses []Status  `json:"statuses"`

	// The message_template_status_update field's value.
	Event                   string      `json:"event"`
	MessageTemplateID       json.Number `json:"message_template_id"`
	MessageTemplateName     string      `json:"message_template_name"`
	MessageTemplateLanguage string      `json:"message_template_language"`
	Reason                  string      `json:"reason"`
}

// Media is an inbound file: image, audio, video, document or sticker.
type Media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

// Message is one inbound message.
type Message struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *Media `json:"image"`
	Audio    *Media `json:"audio"`
	Video    *Media `json:"video"`
	Document *Media `json:"document"`
	Sticker  *Media `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Button *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Order *struct {
		ProductItems []struct {
			ProductRetailerID string  `json:"product_retailer_id"`
			Quantity          int     `json:"quantity"`
			ItemPrice         float64 `json:"item_price"`
			Currency          string  `json:"currency"`
		} `json:"product_items"`
		Text string `json:"text"`
	} `json:"order"`
	Referral *struct {
		SourceURL  string `json:"source_url"`
		SourceType string `json:"source_type"`
		Headline   string `json:"headline"`
		Body       string `json:"body"`
	} `json:"referral"`
	System *struct {
		Body string `json:"body"`
	} `json:"system"`
}

// Status is Meta's report on an outbound message.
type Status struct {
	ID                    string `json:"id"`
	Status                string `json:"status"` // sent, delivered, read, failed, played
	Timestamp             string `json:"timestamp"`
	RecipientID           string `json:"recipient_id"`
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
	Pricing               *struct {
		PricingModel string `json:"pricing_model"`
		Type         string `json:"type"`
		Category     string `json:"category"`
	} `json:"pricing"`
	Errors []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}

// Batch is the notification's events for the channel's number; changes of
// another number (a WABA with several) are not this channel's.
func (n Notification) Batch(channelID, phoneNumberID string) channels.Batch {
	var b channels.Batch
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			v := c.Value
			if c.Field == "message_template_status_update" {
				b.Templates = append(b.Templates, templateStatus(v))
				continue
			}
			if c.Field != "messages" || (phoneNumberID != "" && v.Metadata.PhoneNumberID != "" && v.Metadata.PhoneNumberID != phoneNumberID) {
				continue
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for _, m := range v.Messages {
				if in, ok := inbound(channelID, m, names[m.From]); ok {
					b.Messages = append(b.Messages, in)
				}
			}
			for _, st := range v.Statuses {
				if r, ok := receipt(st); ok {
					b.Receipts = append(b.Receipts, r)
				}
			}
		}
	}
	return b
}

func unix(ts string) time.Time {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func inbound(channelID string, m Message, name string) (channels.Inbound, bool) {
	in := channels.Inbound{
		ChannelID: channelID, ExternalID: m.ID, At: unix(m.Timestamp),
		Contact: channels.InboundContact{ExternalID: m.From, Name: name, Phone: "+" + m.From},
	}
	if m.Context != nil {
		in.ReplyTo = m.Context.ID
	}
	media := func(kind string, md *Media, name string) {
		in.Text = md.Caption
		if md.Filename != "" {
			name = md.Filename
		}
		in.Media = []channels.Media{{Ref: md.ID, Kind: kind, Name: name, ContentType: md.MimeType}}
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image":
		media(channels.MediaImage, m.Image, "image"+ext(m.Image.MimeType))
	case "audio":
		kind := channels.MediaAudio
		if m.Audio.Voice {
			kind = channels.MediaVoice
		}
		media(kind, m.Audio, "audio"+ext(m.Audio.MimeType))
	case "video":
		media(channels.MediaVideo, m.Video, "video"+ext(m.Video.MimeType))
	case "document":
		media(channels.MediaDocument, m.Document, "document"+ext(m.Document.MimeType))
	case "sticker":
		media(channels.MediaSticker, m.Sticker, "sticker.webp")
	case "location":
		l := m.Location
		in.Text = channels.LocationText(l.Name, l.Address, l.Latitude, l.Longitude)
	case "contacts":
		var parts []string
		for _, c := range m.Contacts {
			p := "👤 " + c.Name.FormattedName
			for _, ph := range c.Phones {
				p += " " + ph.Phone
			}
			parts = append(parts, p)
		}
		in.Text = strings.Join(parts, "\n")
	case "reaction":
		if m.Reaction.Emoji == "" {
			return in, false // a reaction removed
		}
		in.Text, in.ReplyTo = m.Reaction.Emoji, m.Reaction.MessageID
	case "button":
		in.Text = m.Button.Text
	case "interactive":
		switch {
		case m.Interactive.ButtonReply != nil:
			in.Text = m.Interactive.ButtonReply.Title
		case m.Interactive.ListReply != nil:
			in.Text = strings.TrimSpace(m.Interactive.ListReply.Title + " " + m.Interactive.ListReply.Description)
		}
	case "order":
		lines := []string{"🛒 Pedido"}
		for _, it := range m.Order.ProductItems {
			lines = append(lines, fmt.Sprintf("%d × %s (%.2f %s)", it.Quantity, it.ProductRetailerID, it.ItemPrice, it.Currency))
		}
		if m.Order.Text != "" {
			lines = append(lines, m.Order.Text)
		}
		in.Text = strings.Join(lines, "\n")
	case "system":
		return in, false // a number change and the like: not the customer's words
	default: // unsupported, unknown
		in.Text = "(mensagem de um tipo que o WhatsApp não entrega à API: peça ao cliente que envie de outra forma)"
	}
	if m.Referral != nil {
		// Click-to-WhatsApp ads: the agent sees which ad brought the customer.
		in.Text = strings.TrimSpace(in.Text + "\n\n[Anúncio: " + strings.TrimSpace(m.Referral.Headline+" "+m.Referral.SourceURL) + "]")
	}
	if in.Text == "" && len(in.Media) == 0 {
		return in, false
	}
	return in, true
}

func ext(mime string) string {
	switch strings.Split(mime, ";")[0] {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "video/mp4":
		return ".mp4"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

// Error codes of Meta's that the agent should read plainly.
var errorHints = map[int]string{
	131047: channels.WindowClosedReason + " (more than 24 hours since the customer's last message)",
	131026: "the number cannot receive this message (not on WhatsApp, or an old app)",
	131051: "WhatsApp does not support this message type",
	131049: "Meta held back this marketing message to keep the customer's experience; retry in a day or more",
	131048: "Meta limited this number for spam: fewer messages for a while",
	368:    "Meta blocked the number for a policy violation",
	131031: "the business account is locked",
	132000: "the template's variables do not match: fill in every one",
	132001: "the template does not exist in this language (or is not approved yet): sync the templates",
	132005: "the template with its variables filled in is too long",
	132007: "the template's text breaks Meta's format rules",
	132012: "a template variable has the wrong format",
	132015: "Meta paused the template for low quality: use another",
	132016: "Meta disabled the template: use another",
}

func receipt(st Status) (channels.Receipt, bool) {
	r := channels.Receipt{ExternalID: st.ID, MessageID: st.BizOpaqueCallbackData, At: unix(st.Timestamp)}
	switch st.Status {
	case "sent":
		r.Status = store.MessageSent
	case "delivered":
		r.Status = store.MessageDelivered
	case "read", "played":
		r.Status = store.MessageRead
	case "failed":
		r.Status = store.MessageFailed
		var reasons []string
		for _, e := range st.Errors {
			reason := fmt.Sprintf("%d: %s", e.Code, strings.TrimSpace(e.Title))
			if e.ErrorData.Details != "" {
				reason += " — " + e.ErrorData.Details
			}
			if hint, ok := errorHints[e.Code]; ok {
				reason = hint + " [" + reason + "]"
			}
			reasons = append(reasons, reason)
		}
		r.Reason = strings.Join(reasons, "; ")
		if r.Reason == "" {
			r.Reason = "WhatsApp did not deliver the message"
		}
	default:
		return r, false
	}
	if p := st.Pricing; p != nil {
		r.Pricing = &channels.Pricing{Model: p.PricingModel, Type: p.Type, Category: p.Category}
	}
	return r, true
}
