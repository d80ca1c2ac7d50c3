package whatsappqr

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Send delivers an agent's message through the channel's session, which
// this worker holds (the kind sends on its connection): typing shown
// first, then the message under the id derived from ours, at the number's
// pace. Files go one per message, the text as the first one's caption.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	s, err := a.session(out.Channel.ID)
	if err != nil {
		return "", err
	}
	to, err := s.recipient(ctx, out.To)
	if err != nil {
		return "", err
	}
	msgs, err := s.build(ctx, out, to)
	if err != nil {
		return "", err
	}
	id := a.ProviderMessageID(out.MessageID)
	for i, m := range msgs {
		if err := s.pace.Wait(ctx); err != nil {
			return "", err
		}
		s.typing(ctx, to, out.Text)
		mid := id
		if i > 0 {
			mid = a.ProviderMessageID(out.MessageID + "/" + string(rune('0'+i)))
		}
		if err := s.cli.SendMessage(ctx, to, m, mid); err != nil {
			return "", sendError(err)
		}
	}
	_ = s.cli.SendChatPresence(ctx, to, types.ChatPresencePaused)
	if out.FirstContact {
		s.coldSend(ctx)
	}
	return id, nil
}

// ColdSendsWarning is how many messages a day to people who never wrote
// first make the channel warn its admins: bans are reported after a few
// dozen.
const ColdSendsWarning = 20

// coldSend counts a send to someone who never wrote first; past the
// warning line the channel's status says so (admins see it, and the
// channel.status_changed webhook carries it).
func (s *session) coldSend(ctx context.Context) {
	s.mu.Lock()
	now := s.pace.Clock.Now()
	kept := s.cold[:0]
	for _, t := range s.cold {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
		}
	}
	s.cold = append(kept, now)
	n := len(s.cold)
	s.mu.Unlock()
	if n >= ColdSendsWarning {
		_ = s.sink.Status(ctx, store.ChannelConnected, fmt.Sprintf(
			"warning: %d messages in 24 h to people who never wrote first; WhatsApp bans numbers for this: slow down or use WhatsApp Official", n))
	}
}

// MarkRead sends the customer read receipts (blue ticks) for their
// messages, through the session.
func (a *Adapter) MarkRead(ctx context.Context, ch store.Channel, contact string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	s, err := a.session(ch.ID)
	if err != nil {
		return err
	}
	jid, err := s.recipient(ctx, contact)
	if err != nil {
		return err
	}
	return s.cli.MarkRead(ctx, ids, jid, jid)
}

// recipient is the JID to send to: a contact known by phone is looked up
// (with and without the ninth digit, for Brazilian mobiles), once per
// session; one known by JID (a LID, a group) is sent to as is.
func (s *session) recipient(ctx context.Context, to string) (types.JID, error) {
	if !strings.HasPrefix(to, "+") {
		jid, err := types.ParseJID(to)
		if err != nil {
			return types.JID{}, &channels.PermanentError{Reason: "not a WhatsApp address: " + to}
		}
		return jid, nil
	}
	if jid, ok := s.cachedJID(to); ok {
		return jid, nil
	}
	found, err := s.cli.IsOnWhatsApp(ctx, lookupForms(to))
	if err != nil {
		return types.JID{}, err
	}
	for _, r := range found {
		if r.IsIn {
			s.cacheJID(to, r.JID)
			return r.JID, nil
		}
	}
	return types.JID{}, &channels.PermanentError{Reason: to + " is not on WhatsApp"}
}

func (s *session) cachedJID(phone string) (types.JID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	jid, ok := s.jids[phone]
	return jid, ok
}

func (s *session) cacheJID(phone string, jid types.JID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jids[phone] = jid
}

// build makes the WhatsApp messages of an outbound message, uploading its
// files.
func (s *session) build(ctx context.Context, out channels.Outbound, to types.JID) ([]*waE2E.Message, error) {
	var reply *waE2E.ContextInfo
	if out.ReplyTo != "" {
		// The quoted message is the customer's: they are its participant.
		reply = &waE2E.ContextInfo{StanzaID: proto.String(out.ReplyTo), Participant: proto.String(to.ToNonAD().String()),
			QuotedMessage: &waE2E.Message{Conversation: proto.String("")}}
	}
	if len(out.Files) == 0 {
		if reply == nil {
			return []*waE2E.Message{{Conversation: proto.String(out.Text)}}, nil
		}
		return []*waE2E.Message{{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(out.Text), ContextInfo: reply}}}, nil
	}
	var msgs []*waE2E.Message
	for i, f := range out.Files {
		data, err := out.Open(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		caption := ""
		if i == 0 {
			caption = out.Text
		}
		m, err := s.media(ctx, f, data, caption)
		if err != nil {
			return nil, err
		}
		if i == 0 && reply != nil {
			setContext(m, reply)
		}
		if caption != "" && m.AudioMessage != nil {
			// An audio carries no caption: the text goes before it.
			msgs = append(msgs, &waE2E.Message{Conversation: proto.String(caption)})
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// media uploads a file (encrypted by whatsmeow) and describes it as the
// message type its content type calls for.
func (s *session) media(ctx context.Context, f channels.OutboundFile, data []byte, caption string) (*waE2E.Message, error) {
	kind := whatsmeow.MediaDocument
	switch {
	case strings.HasPrefix(f.ContentType, "image/") && f.ContentType != "image/svg+xml":
		kind = whatsmeow.MediaImage
	case strings.HasPrefix(f.ContentType, "video/"):
		kind = whatsmeow.MediaVideo
	case strings.HasPrefix(f.ContentType, "audio/"):
		kind = whatsmeow.MediaAudio
	}
	up, err := s.cli.Upload(ctx, data, kind)
	if err != nil {
		return nil, err
	}
	size := proto.Uint64(up.FileLength)
	switch kind {
	case whatsmeow.MediaImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: optional(caption), Mimetype: proto.String(f.ContentType),
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: size}}, nil
	case whatsmeow.MediaVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: optional(caption), Mimetype: proto.String(f.ContentType),
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: size}}, nil
	case whatsmeow.MediaAudio:
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String(f.ContentType),
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: size}}, nil
	}
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: optional(caption), Mimetype: proto.String(f.ContentType),
		FileName: proto.String(f.Name), Title: proto.String(f.Name),
		URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: size}}, nil
}

func setContext(m *waE2E.Message, c *waE2E.ContextInfo) {
	switch {
	case m.ImageMessage != nil:
		m.ImageMessage.ContextInfo = c
	case m.VideoMessage != nil:
		m.VideoMessage.ContextInfo = c
	case m.AudioMessage != nil:
		m.AudioMessage.ContextInfo = c
	case m.DocumentMessage != nil:
		m.DocumentMessage.ContextInfo = c
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// typing shows "typing…" for about as long as a person would take, capped
// at a few seconds: part of not looking like a bot.
func (s *session) typing(ctx context.Context, to types.JID, text string) {
	if s.cli.SendChatPresence(ctx, to, types.ChatPresenceComposing) != nil {
		return
	}
	d := min(time.Duration(len(text))*30*time.Millisecond, 3*time.Second)
	s.pace.sleep(ctx, d)
}

// sendError tells retryable failures from refusals.
func sendError(err error) error {
	switch {
	case errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return &channels.PermanentError{Reason: "the phone unlinked CHATSPOT: pair again", Reauth: true}
	case errors.Is(err, whatsmeow.ErrBroadcastListUnsupported), errors.Is(err, whatsmeow.ErrUnknownServer), errors.Is(err, whatsmeow.ErrRecipientADJID):
		return &channels.PermanentError{Reason: "WhatsApp refused the recipient: " + err.Error()}
	}
	return err
}

// FetchMedia downloads and decrypts an inbound file through the session;
// the file's workflow runs it on the worker holding it.
func (a *Adapter) FetchMedia(ctx context.Context, ch store.Channel, m channels.Media) (channels.File, error) {
	s, err := a.session(ch.ID)
	if err != nil {
		return channels.File{}, err
	}
	ref, err := decodeRef(m.Ref)
	if err != nil {
		return channels.File{}, &channels.PermanentError{Reason: "unreadable file reference"}
	}
	data, err := s.cli.Download(ctx, ref)
	if errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404) || errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410) {
		return channels.File{}, &channels.PermanentError{Reason: "the file is no longer on WhatsApp's servers"}
	}
	if err != nil {
		return channels.File{}, err
	}
	return channels.File{Name: m.Name, ContentType: m.ContentType, Data: data}, nil
}

// Pacer spaces a number's sends: one at a time, each at least Every after
// the one before, plus a random pause of up to Jitter so they do not leave
// at a machine's even beat. Bans are reported after bursts to many people.
type Pacer struct {
	Every  time.Duration
	Jitter time.Duration
	Clock  Clock

	mu   sync.Mutex // held for the wait: the turn of one send at a time
	next time.Time
}

// Clock is real time, or a test's.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Wait takes the next turn to send.
func (p *Pacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.Clock.Now()
	wait := p.next.Sub(now)
	if p.Jitter > 0 {
		wait += rand.N(p.Jitter)
	}
	if wait > 0 {
		if err := p.Clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	p.next = p.Clock.Now().Add(p.Every)
	return nil
}

// sleep pauses within a turn (typing), ctx permitting.
func (p *Pacer) sleep(ctx context.Context, d time.Duration) {
	_ = p.Clock.Sleep(ctx, d)
}

// pacer is a session's pacer at the channel's pace.
func (a *Adapter) pacer(perMinute float64) *Pacer {
	clock := a.Clock
	if clock == nil {
		clock = realClock{}
	}
	jitter := 1500 * time.Millisecond
	if a.NoJitter {
		jitter = 0
	}
	return &Pacer{Every: time.Duration(float64(time.Minute) / perMinute), Jitter: jitter, Clock: clock}
}
