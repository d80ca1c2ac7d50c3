package whatsappqr

import (
	"context"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
)

// SaveForTest stores a new device's keys under jid, as a pairing does.
func (d *StoreDevices) SaveForTest(ctx context.Context, jid types.JID) error {
	c, err := d.store(ctx)
	if err != nil {
		return err
	}
	dev := c.NewDevice()
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("d"), AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	return dev.Save(ctx)
}
