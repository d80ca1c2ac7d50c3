// Package meowtest is a stand-in for WhatsApp behind the whatsappqr
// channel's Client seam: tests play WhatsApp's side with whatsmeow's own
// event and protobuf types (pairing codes, messages, receipts, logouts)
// and read what the channel sent. No fake WhatsApp server exists, so this
// is the seam the channel is tested at; the device store is tested for
// real.
package meowtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/chatspot/chatspot/internal/channels/whatsappqr"
)

// Phone is WhatsApp as one business number's devices see it.
type Phone struct {
	mu      sync.Mutex
	devices map[string]bool // paired device JIDs still linked
	clients []*Client
	// Pairing is what the next new device's QR channel emits; the channel
	// is closed after it.
	Pairing []whatsmeow.QRChannelItem
	// PairAs is the JID a successful pairing links.
	PairAs types.JID
	// PairCode is what PairPhone answers.
	PairCode string
	// Registered are the numbers on WhatsApp (digits), with the JID each
	// is known by; IsOnWhatsApp answers from them.
	Registered map[string]types.JID
	// FailSends makes the next n sends fail (a dropped connection).
	FailSends int
	// Files are downloadable media by direct path.
	Files map[string][]byte

	Sent       []Sent
	PhoneCalls []string // PairPhone's numbers
	Presences  []types.ChatPresence
	Uploads    int
	Read       []types.MessageID // ids the channel sent read receipts for
}

// Sent is a message the channel sent.
type Sent struct {
	To      types.JID
	ID      types.MessageID
	Message *waE2E.Message
}

// NewPhone is a phone with no linked device.
func NewPhone() *Phone {
	return &Phone{devices: map[string]bool{}, Registered: map[string]types.JID{}, Files: map[string][]byte{}}
}

// Link marks a device as linked (paired before the test).
func (p *Phone) Link(jid types.JID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.devices[jid.String()] = true
}

// Linked tells whether the device is still linked.
func (p *Phone) Linked(jid types.JID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.devices[jid.String()]
}

// Client is whatsappqr.Devices: each call is a new client of the phone.
func (p *Phone) Client(_ context.Context, jid string) (whatsappqr.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if jid != "" && !p.devices[jid] {
		return nil, whatsappqr.ErrNoDevice
	}
	c := &Client{phone: p}
	if jid != "" {
		c.id, _ = types.ParseJID(jid)
	}
	p.clients = append(p.clients, c)
	return c, nil
}

// Connected is the newest client that connected with the device jid, once
// it is connected.
func (p *Phone) Connected(jid types.JID) *Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.clients) - 1; i >= 0; i-- {
		c := p.clients[i]
		if c.connected && c.id == jid {
			return c
		}
	}
	return nil
}

// SentMessages is a copy of what was sent so far.
func (p *Phone) SentMessages() []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sent(nil), p.Sent...)
}

// Client is one whatsmeow client of the phone.
type Client struct {
	phone     *Phone
	mu        sync.Mutex
	id        types.JID
	handlers  []func(any) bool
	connected bool
	qr        chan whatsmeow.QRChannelItem
}

// Emit hands an event to the channel's handlers as whatsmeow does, and
// tells whether it was acknowledged (every handler returned true).
func (c *Client) Emit(evt any) bool {
	c.mu.Lock()
	hs := append([]func(any) bool(nil), c.handlers...)
	c.mu.Unlock()
	ok := true
	for _, h := range hs {
		ok = h(evt) && ok
	}
	return ok
}

func (c *Client) QRChannel(context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	if !c.id.IsEmpty() {
		return nil, whatsmeow.ErrQRStoreContainsID
	}
	c.qr = make(chan whatsmeow.QRChannelItem, len(c.phone.Pairing)+1)
	return c.qr, nil
}

func (c *Client) Connect(context.Context) error {
	c.mu.Lock()
	c.connected = true
	c.mu.Unlock()
	if c.qr != nil {
		// Pairing: play the scripted codes, link on success.
		go func() {
			for _, item := range c.phone.Pairing {
				if item.Event == whatsmeow.QRChannelSuccess.Event {
					c.phone.Link(c.phone.PairAs)
					c.mu.Lock()
					c.id = c.phone.PairAs
					c.mu.Unlock()
					c.qr <- item
					c.Emit(&events.Connected{})
					continue
				}
				c.qr <- item
			}
			close(c.qr)
		}()
		return nil
	}
	go c.Emit(&events.Connected{})
	return nil
}

func (c *Client) Disconnect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected = false
}

func (c *Client) PairPhone(_ context.Context, phone string) (string, error) {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	c.phone.PhoneCalls = append(c.phone.PhoneCalls, phone)
	return c.phone.PairCode, nil
}

func (c *Client) ID() types.JID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

func (c *Client) OnEvent(h func(any) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handlers = append(c.handlers, h)
}

func (c *Client) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	var out []types.IsOnWhatsAppResponse
	for _, ph := range phones {
		jid, ok := c.phone.Registered[strings.TrimPrefix(ph, "+")]
		out = append(out, types.IsOnWhatsAppResponse{Query: ph, JID: jid, IsIn: ok})
	}
	return out, nil
}

func (c *Client) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, id types.MessageID) error {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	if c.phone.FailSends > 0 {
		c.phone.FailSends--
		return whatsmeow.ErrNotConnected
	}
	c.phone.Sent = append(c.phone.Sent, Sent{To: to, ID: id, Message: msg})
	return nil
}

func (c *Client) Upload(_ context.Context, data []byte, _ whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	c.phone.Uploads++
	path := fmt.Sprintf("/v/upload-%d", c.phone.Uploads)
	c.phone.Files[path] = data
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net" + path, DirectPath: path, MediaKey: []byte("key"),
		FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: uint64(len(data))}, nil
}

// Download serves a file by its direct path, as whatsmeow would after
// decrypting it.
func (c *Client) Download(_ context.Context, msg *waE2E.Message) ([]byte, error) {
	var path string
	switch {
	case msg.GetImageMessage() != nil:
		path = msg.GetImageMessage().GetDirectPath()
	case msg.GetAudioMessage() != nil:
		path = msg.GetAudioMessage().GetDirectPath()
	case msg.GetDocumentMessage() != nil:
		path = msg.GetDocumentMessage().GetDirectPath()
	case msg.GetVideoMessage() != nil:
		path = msg.GetVideoMessage().GetDirectPath()
	case msg.GetStickerMessage() != nil:
		path = msg.GetStickerMessage().GetDirectPath()
	}
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	data, ok := c.phone.Files[path]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	return data, nil
}

func (c *Client) SendChatPresence(_ context.Context, _ types.JID, state types.ChatPresence) error {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	c.phone.Presences = append(c.phone.Presences, state)
	return nil
}

func (c *Client) MarkRead(_ context.Context, ids []types.MessageID, _, _ types.JID) error {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	c.phone.Read = append(c.phone.Read, ids...)
	return nil
}

// ReadIDs is a copy of the ids marked read so far.
func (p *Phone) ReadIDs() []types.MessageID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]types.MessageID(nil), p.Read...)
}

// Logout unlinks the device.
func (c *Client) Logout(context.Context) error {
	c.phone.mu.Lock()
	defer c.phone.mu.Unlock()
	if !c.phone.devices[c.id.String()] {
		return errors.New("not logged in")
	}
	delete(c.phone.devices, c.id.String())
	return nil
}
