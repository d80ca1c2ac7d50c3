package whatsappqr

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// pairWait bounds waiting for the session to come up once the phone
// accepted the pairing.
const pairWait = 30 * time.Second

// Steps: the one pairing step.
func (a *Adapter) Steps(store.Channel) []string { return []string{StepPair} }

// RunStep pairs the phone: QR codes (or a pairing code) shown live on the
// channel screen until the phone links the device, or they run out.
// A device still linked is kept: re-activating does not unlink it.
func (a *Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	if step != StepPair {
		return channels.StepResult{}, errors.New("whatsapp: no step " + step)
	}
	devs, err := a.devices()
	if err != nil {
		return channels.StepResult{}, err
	}
	s := settingsOf(ch)
	if jid := s.String(keyJID); jid != "" {
		_, err := devs.Client(ctx, jid)
		if err == nil {
			return channels.StepResult{Skipped: true, Detail: "paired with " + s.String(keyNumber), Connect: true}, nil
		}
		if !errors.Is(err, ErrNoDevice) {
			return channels.StepResult{}, err
		}
	}
	cli, err := devs.Client(ctx, "")
	if err != nil {
		return channels.StepResult{}, err
	}
	return pair(ctx, env, cli, s)
}

// pair runs one pairing: it shows each QR code (or asks for the phone
// code once the connection is up) and waits for the phone.
func pair(ctx context.Context, env channels.Env, cli Client, s channels.Settings) (channels.StepResult, error) {
	qr, err := cli.QRChannel(ctx)
	if err != nil {
		return channels.StepResult{}, err
	}
	connected := make(chan struct{}, 1)
	cli.OnEvent(func(evt any) bool {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
		return true
	})
	if err := cli.Connect(ctx); err != nil {
		return channels.StepResult{}, err
	}
	defer cli.Disconnect()
	asked := false
	for item := range qr {
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			if err := show(ctx, env, cli, s, item, &asked); err != nil {
				return channels.StepResult{}, err
			}
		case whatsmeow.QRChannelSuccess.Event:
			select {
			case <-connected:
			case <-time.After(pairWait):
			case <-ctx.Done():
				return channels.StepResult{}, ctx.Err()
			}
			jid := cli.ID()
			if jid.IsEmpty() {
				return channels.StepResult{}, errors.New("whatsapp: paired, but the device has no id")
			}
			number := E164(jid.User)
			return channels.StepResult{Detail: "connected as " + number, Connect: true,
				Set: channels.Settings{keyJID: jid.String(), keyNumber: number}}, nil
		case whatsmeow.QRChannelTimeout.Event:
			return channels.StepResult{}, &channels.PermanentError{Reason: "the phone did not link in time: activate the channel again for new codes"}
		case whatsmeow.QRChannelClientOutdated.Event:
			return channels.StepResult{}, &channels.PermanentError{Reason: "WhatsApp refused this client version: CHATSPOT needs an update"}
		case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
			return channels.StepResult{}, &channels.PermanentError{Reason: "the phone's WhatsApp is too old for linked devices: update it and try again"}
		case whatsmeow.QRChannelEventError:
			return channels.StepResult{}, &channels.PermanentError{Reason: "pairing failed: " + errText(item.Error)}
		default:
			return channels.StepResult{}, &channels.PermanentError{Reason: "pairing ended unexpectedly (" + item.Event + "): try again"}
		}
	}
	return channels.StepResult{}, ctx.Err()
}

// show puts the current QR code on the channel screen, or, pairing by
// phone, asks WhatsApp for a code once (the connection is up with the
// first QR event) and shows it instead.
func show(ctx context.Context, env channels.Env, cli Client, s channels.Settings, item whatsmeow.QRChannelItem, asked *bool) error {
	if env.Progress == nil {
		return nil
	}
	if s.String(keyPairWith) == PairPhone {
		if *asked {
			return nil
		}
		*asked = true
		code, err := cli.PairPhone(ctx, s.String(keyPhone))
		if err != nil {
			return &channels.PermanentError{Reason: "WhatsApp gave no pairing code for " + s.String(keyPhone) + ": " + err.Error()}
		}
		return env.Progress(ctx, "type the code on the phone", &channels.Prompt{Type: channels.PromptCode, Value: code})
	}
	return env.Progress(ctx, "scan the QR code with the phone",
		&channels.Prompt{Type: channels.PromptQR, Value: item.Code, Expires: time.Now().Add(item.Timeout).UTC()})
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// Deactivate unlinks the device from the phone and deletes its keys; a
// device already gone is fine.
func (a *Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	jid := settingsOf(ch).String(keyJID)
	if jid == "" {
		return nil
	}
	devs, err := a.devices()
	if err != nil {
		return err
	}
	cli, err := devs.Client(ctx, jid)
	if errors.Is(err, ErrNoDevice) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := cli.Connect(ctx); err != nil {
		return err
	}
	defer cli.Disconnect()
	if err := cli.Logout(ctx); err != nil {
		return &channels.PermanentError{Reason: "could not unlink the device: " + err.Error()}
	}
	return nil
}

// Connect holds the channel's session until ctx ends or WhatsApp ends it.
// Events reach the inbox from whatsmeow's handler, acknowledged only once
// stored. A logout or another client taking the session over end it for
// good (the channel says why); a temporary ban waits it out.
func (a *Adapter) Connect(ctx context.Context, _ channels.Env, ch store.Channel, sink channels.Sink) error {
	s := settingsOf(ch)
	jid := s.String(keyJID)
	if jid == "" {
		_ = sink.Status(ctx, store.ChannelNeedsReauth, "not paired: pair the phone")
		return &channels.PermanentError{Reason: "not paired"}
	}
	devs, err := a.devices()
	if err != nil {
		return err
	}
	cli, err := devs.Client(ctx, jid)
	if errors.Is(err, ErrNoDevice) {
		_ = sink.Status(ctx, store.ChannelNeedsReauth, "the phone unlinked CHATSPOT: pair again")
		return &channels.PermanentError{Reason: "device gone"}
	}
	if err != nil {
		return err
	}
	perMinute, _ := sendsPerMinute(s)
	sess := &session{cli: cli, ch: ch, sink: sink, ctx: ctx, ended: make(chan error, 1), number: s.String(keyNumber),
		opts: parseOptions{channelID: ch.ID, groups: s.Bool(keyGroups)}, pace: a.pacer(perMinute), jids: map[string]types.JID{}}
	cli.OnEvent(sess.handle)
	a.sessions.Store(ch.ID, sess)
	defer a.sessions.CompareAndDelete(ch.ID, sess)
	if err := cli.Connect(ctx); err != nil {
		return err
	}
	defer cli.Disconnect()
	select {
	case <-ctx.Done():
		return nil
	case err := <-sess.ended:
		return sess.after(ctx, err)
	}
}

// session is a live WhatsApp connection of one channel.
type session struct {
	cli    Client
	ch     store.Channel
	sink   channels.Sink
	ctx    context.Context // the connection's: handlers store under it
	ended  chan error
	number string
	opts   parseOptions
	pace   *Pacer

	mu   sync.Mutex
	jids map[string]types.JID // phone -> the JID WhatsApp knows it by
	cold []time.Time          // sends in the last day to people who never wrote first
}

// banned is a session ended by a temporary ban.
type banned struct{ until time.Duration }

func (b *banned) Error() string { return "temporarily banned" }

// handle takes one whatsmeow event; false leaves it unacknowledged.
func (s *session) handle(evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		in, ok := parseMessage(e, s.opts)
		if !ok {
			return true
		}
		return s.sink.Deliver(s.ctx, channels.Batch{Messages: []channels.Inbound{in}}) == nil
	case *events.Receipt:
		rs := parseReceipt(e)
		if len(rs) == 0 {
			return true
		}
		return s.sink.Deliver(s.ctx, channels.Batch{Receipts: rs}) == nil
	case *events.Connected:
		_ = s.sink.Status(s.ctx, store.ChannelConnected, s.number)
	case *events.Disconnected:
		_ = s.sink.Status(s.ctx, store.ChannelDisconnected, "connection lost: reconnecting")
	case *events.LoggedOut:
		_ = s.sink.Status(s.ctx, store.ChannelNeedsReauth, "the phone unlinked CHATSPOT: pair again")
		s.end(&channels.PermanentError{Reason: "logged out", Reauth: true})
	case *events.StreamReplaced:
		_ = s.sink.Status(s.ctx, store.ChannelDisconnected, "another program connected with this number's session: pair again here to take it back")
		s.end(&channels.PermanentError{Reason: "stream replaced"})
	case *events.TemporaryBan:
		_ = s.sink.Status(s.ctx, store.ChannelBanned, banText(e))
		s.end(&banned{until: e.Expire})
	case *events.ConnectFailure:
		s.end(errors.New("WhatsApp refused the connection: " + e.Reason.String() + " " + e.Message))
	case *events.ClientOutdated:
		_ = s.sink.Status(s.ctx, store.ChannelDisconnected, "WhatsApp refused this client version: CHATSPOT needs an update")
		s.end(errors.New("client outdated"))
	}
	return true
}

func (s *session) end(err error) {
	select {
	case s.ended <- err:
	default:
	}
}

// after decides how an ended session returns: a ban is waited out here
// (the connection's heartbeats go on), so the number is not hammered with
// reconnections while banned.
func (s *session) after(ctx context.Context, err error) error {
	var ban *banned
	if !errors.As(err, &ban) {
		return err
	}
	wait := ban.until
	if wait <= 0 {
		wait = time.Hour
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(wait):
		return errors.New("the ban has ended: reconnecting")
	}
}
