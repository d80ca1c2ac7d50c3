package whatsappqr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	_ "modernc.org/sqlite" // the "sqlite" driver of the app's own SQLite
)

// Client is the part of *whatsmeow.Client the channel uses: the seam its
// tests drive with whatsmeow's own event and protobuf types, since no fake
// WhatsApp server exists.
type Client interface {
	// QRChannel must be called before Connect on an unpaired device.
	QRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	Connect(ctx context.Context) error
	Disconnect()
	// PairPhone asks for a code to type on the phone instead of scanning.
	PairPhone(ctx context.Context, phone string) (string, error)
	// ID is the paired device's JID; empty before pairing.
	ID() types.JID
	// OnEvent adds the event handler; returning false leaves the event
	// unacknowledged, so WhatsApp delivers it again.
	OnEvent(handler func(evt any) bool)
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
	SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, id types.MessageID) error
	Upload(ctx context.Context, data []byte, mediaType whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	Download(ctx context.Context, msg *waE2E.Message) ([]byte, error)
	SendChatPresence(ctx context.Context, to types.JID, state types.ChatPresence) error
	// MarkRead sends read receipts for a chat's messages from sender.
	MarkRead(ctx context.Context, ids []types.MessageID, chat, sender types.JID) error
	// Logout unlinks the device from the phone and deletes its keys.
	Logout(ctx context.Context) error
}

// Devices makes clients for channels' devices.
type Devices interface {
	// Client is a client for the paired device jid, or for a new device
	// when jid is empty. ErrNoDevice: the store no longer has it (the
	// phone logged it out).
	Client(ctx context.Context, jid string) (Client, error)
}

// ErrNoDevice is a device the store does not have.
var ErrNoDevice = errors.New("whatsapp: no such device")

// StoreDevices keeps devices' keys in the app database with whatsmeow's
// sqlstore (tables whatsmeow_*), so any worker can take a session over.
type StoreDevices struct {
	DB *gorm.DB

	once      sync.Once
	container *sqlstore.Container
	err       error
}

// store opens the device store once, creating or upgrading its tables.
func (d *StoreDevices) store(ctx context.Context) (*sqlstore.Container, error) {
	d.once.Do(func() { d.container, d.err = openStore(ctx, d.DB) })
	return d.container, d.err
}

// openStore shares the PostgreSQL pool; on SQLite it opens its own pool on
// the same file (the app's pool has one connection, and whatsmeow may
// query while it holds a transaction), with foreign keys on, which
// sqlstore requires.
func openStore(ctx context.Context, db *gorm.DB) (*sqlstore.Container, error) {
	var c *sqlstore.Container
	dsn, onSQLite := sqliteDSN(db)
	switch {
	case onSQLite:
		raw, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, err
		}
		raw.SetMaxOpenConns(4)
		c = sqlstore.NewWithDB(raw, "sqlite", nil)
	default:
		raw, err := db.DB()
		if err != nil {
			return nil, err
		}
		c = sqlstore.NewWithDB(raw, "postgres", nil)
	}
	if err := c.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("whatsapp device store: %w", err)
	}
	return c, nil
}

func sqliteDSN(db *gorm.DB) (string, bool) {
	switch d := db.Dialector.(type) {
	case sqlite.Dialector:
		return d.DSN, true
	case *sqlite.Dialector:
		return d.DSN, true
	}
	return "", false
}

// Client loads the device and wraps a whatsmeow client around it, set up
// so no message is lost: acknowledged only once stored, decrypted events
// buffered across a crash, sent messages kept for the phone's retries.
func (d *StoreDevices) Client(ctx context.Context, jid string) (Client, error) {
	c, err := d.store(ctx)
	if err != nil {
		return nil, err
	}
	dev := c.NewDevice()
	if jid != "" {
		id, err := types.ParseJID(jid)
		if err != nil {
			return nil, err
		}
		if dev, err = c.GetDevice(ctx, id); err != nil {
			return nil, err
		}
		if dev == nil {
			return nil, ErrNoDevice
		}
	}
	cli := whatsmeow.NewClient(dev, nil)
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	cli.UseRetryMessageStore = true
	return &meow{cli: cli}, nil
}

// meow is the real Client.
type meow struct{ cli *whatsmeow.Client }

func (m *meow) QRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	return m.cli.GetQRChannel(ctx)
}
func (m *meow) Connect(ctx context.Context) error { return m.cli.ConnectContext(ctx) }
func (m *meow) Disconnect()                       { m.cli.Disconnect() }
func (m *meow) PairPhone(ctx context.Context, phone string) (string, error) {
	return m.cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
}
func (m *meow) ID() types.JID {
	if m.cli.Store.ID == nil {
		return types.EmptyJID
	}
	return *m.cli.Store.ID
}
func (m *meow) OnEvent(handler func(evt any) bool) { m.cli.AddEventHandlerWithSuccessStatus(handler) }
func (m *meow) IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	return m.cli.IsOnWhatsApp(ctx, phones)
}
func (m *meow) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, id types.MessageID) error {
	_, err := m.cli.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: id})
	return err
}
func (m *meow) Upload(ctx context.Context, data []byte, mediaType whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	return m.cli.Upload(ctx, data, mediaType)
}
func (m *meow) Download(ctx context.Context, msg *waE2E.Message) ([]byte, error) {
	return m.cli.DownloadAny(ctx, msg)
}
func (m *meow) SendChatPresence(ctx context.Context, to types.JID, state types.ChatPresence) error {
	return m.cli.SendChatPresence(ctx, to, state, types.ChatPresenceMediaText)
}
func (m *meow) MarkRead(ctx context.Context, ids []types.MessageID, chat, sender types.JID) error {
	return m.cli.MarkRead(ctx, ids, time.Now(), chat, sender)
}
func (m *meow) Logout(ctx context.Context) error { return m.cli.Logout(ctx) }
