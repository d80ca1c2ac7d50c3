package meta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// What the Messenger and Instagram channels share beyond the wire format.

// The Messenger Platform's windows: free replies for 24 hours after the
// customer's last message; with the HUMAN_AGENT tag (Meta's approval
// needed), a human agent may answer for 7 days.
const (
	Window           = 24 * time.Hour
	HumanAgentWindow = 7 * 24 * time.Hour
)

// KeyHumanAgent is the channel setting that enables the HUMAN_AGENT tag.
const KeyHumanAgent = "human_agent_tag"

// HumanAgentField is its form field.
var HumanAgentField = channels.Field{Name: KeyHumanAgent, Label: "Human agent tag (7 days)", Type: channels.FieldBool,
	Help: "Answer up to 7 days after the customer's last message. Turn on only once Meta approved the app's Human Agent permission."}

// KeyVerifyToken is the setting that answers Meta's webhook verification
// request, and VerifyTokenField its form field (generated when empty, by
// EnsureVerifyToken).
const KeyVerifyToken = "verify_token"

var VerifyTokenField = channels.Field{Name: KeyVerifyToken, Label: "Verify token", Type: channels.FieldText,
	Help: "Paste it in the Meta app's webhook settings; generated when left empty."}

// NeedsHumanAgentTag: the channel has the tag enabled and the 24-hour
// window has passed (inside it, a message is a plain RESPONSE).
func NeedsHumanAgentTag(s channels.Settings, customerWroteAt, now time.Time) bool {
	return s.Bool(KeyHumanAgent) && !customerWroteAt.IsZero() && now.Sub(customerWroteAt) > Window
}

var numericID = regexp.MustCompile(`^[0-9]{3,30}$`)

// ValidateIDs checks that settings keys hold Meta's numeric ids.
func ValidateIDs(s channels.Settings, keys ...string) error {
	for _, key := range keys {
		v := strings.TrimSpace(s.String(key))
		if !numericID.MatchString(v) {
			return &channels.FieldError{Field: "settings." + key, Reason: "is a numeric id from Meta's dashboard"}
		}
		s[key] = v
	}
	return nil
}

// EnsureVerifyToken fills in a random verify token when none was chosen.
func EnsureVerifyToken(s channels.Settings, key string) {
	if strings.TrimSpace(s.String(key)) == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		s[key] = "cs_" + hex.EncodeToString(b)
	}
}

// ReceiveSigned answers Meta's verification request (a reply) or checks
// a POST's signature with the app secret and decodes its notification.
func ReceiveSigned(ch store.Channel, r channels.Request, verifyKey, secretKey string) (channels.Settings, Notification, *channels.Reply, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, Notification{}, nil, err
	}
	if r.Method == http.MethodGet {
		reply, err := Challenge(r.Query, s.String(verifyKey))
		return s, Notification{}, reply, err
	}
	if !VerifySignature(s.String(secretKey), r.Body, r.Header.Get(HeaderSignature)) {
		return s, Notification{}, nil, channels.ErrUnauthorized
	}
	var n Notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		return s, Notification{}, nil, &channels.MalformedError{Reason: "not a Meta webhook: " + err.Error()}
	}
	return s, n, nil, nil
}

// Names remembers the names of people Meta knows only by scoped id, so a
// name is looked up once per person and process.
type Names struct {
	mu    sync.Mutex
	known map[string]string // channel + "/" + scoped id -> name
}

// nameLookupTimeout bounds the lookups of one webhook request: Meta
// waits for its answer, and a message without a name is still stored.
const nameLookupTimeout = 3 * time.Second

// Fill names the senders of messages that carry no name, with lookup.
func (n *Names) Fill(ctx context.Context, channelID string, msgs []channels.Inbound, lookup func(ctx context.Context, id string) (string, error)) {
	ctx, cancel := context.WithTimeout(ctx, nameLookupTimeout)
	defer cancel()
	for i := range msgs {
		c := &msgs[i].Contact
		if c.Name != "" || c.ExternalID == "" {
			continue
		}
		key := channelID + "/" + c.ExternalID
		n.mu.Lock()
		name, ok := n.known[key]
		n.mu.Unlock()
		if !ok {
			var err error
			if name, err = lookup(ctx, c.ExternalID); err != nil {
				continue // asked again with the next message
			}
			n.mu.Lock()
			if n.known == nil || len(n.known) > 50000 {
				n.known = map[string]string{}
			}
			n.known[key] = name
			n.mu.Unlock()
		}
		c.Name = name
	}
}

// FetchURL downloads an inbound attachment from the CDN URL Meta handed
// out in the webhook (it needs no token; it expires after a while).
func FetchURL(ctx context.Context, hc *http.Client, m channels.Media) (channels.File, error) {
	data, ct, err := Client{HTTP: hc}.get(ctx, m.Ref, attachments.MaxSize)
	if err != nil {
		return channels.File{}, err
	}
	if m.ContentType != "" {
		ct = m.ContentType
	}
	return channels.File{Name: m.Name, ContentType: ct, Data: data}, nil
}

// SendAll sends an outbound message as Messenger Platform messages: its
// text, then each file in a message of its own (uploaded with it, or by
// a file link when upload is nil). The provider id is the first
// message's.
func SendAll(ctx context.Context, g Client, path string, req SendRequest, out channels.Outbound, product string) (string, error) {
	return sendAll(ctx, g, path, req, out, product, nil)
}

// SendAllByURL is SendAll for APIs that fetch files by URL (Instagram):
// each file goes as a link to CHATSPOT's signed file URL.
func SendAllByURL(ctx context.Context, g Client, path string, req SendRequest, out channels.Outbound, product string) (string, error) {
	link := func(f channels.OutboundFile) (string, error) {
		return channels.FileLink(out.PublicURL, out.Channel, f.ID, time.Now())
	}
	return sendAll(ctx, g, path, req, out, product, link)
}

func sendAll(ctx context.Context, g Client, path string, req SendRequest, out channels.Outbound, product string, link func(channels.OutboundFile) (string, error)) (string, error) {
	first := ""
	if text := strings.TrimSpace(out.Text); text != "" {
		if len([]rune(text)) > MaxMessengerText {
			return "", &channels.PermanentError{Reason: fmt.Sprintf("%s messages have at most %d characters", product, MaxMessengerText)}
		}
		r := req
		r.Text = text
		id, err := g.Send(ctx, path, r)
		if err != nil {
			return "", SendError(product, err)
		}
		first = id
	}
	for i, f := range out.Files {
		r := req
		r.File = &out.Files[i]
		if i > 0 || first != "" {
			// Only the first message carries our id: its echo is the
			// message's receipt; the others' echoes are skipped by app id.
			r.MessageID = ""
		}
		var err error
		if link != nil {
			r.URL, err = link(f)
		} else if out.Open == nil {
			err = &channels.PermanentError{Reason: "files cannot be read here"}
		} else {
			r.Data, err = out.Open(ctx, f.ID)
		}
		var id string
		if err == nil {
			id, err = g.Send(ctx, path, r)
			err = SendError(product, err)
		}
		if err != nil {
			if first != "" {
				return "", &channels.PermanentError{Reason: "the text was sent, the file " + f.Name + " was not: " + err.Error()}
			}
			return "", err
		}
		if first == "" {
			first = id
		}
	}
	if first == "" {
		return "", &channels.PermanentError{Reason: "nothing to send"}
	}
	return first, nil
}
