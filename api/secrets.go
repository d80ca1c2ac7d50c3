package api

import (
	"context"
	"encoding/json"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
)

// SealStoredCredentials seals the credentials stored in clear before they
// were encrypted at rest (webhook signing secrets, API channels' outbound
// secrets) and returns how many it sealed. Each row is rewritten only if
// it still holds the value read, so a secret rotated meanwhile, or sealed
// by another process starting at the same time, is left alone.
func (s *Server) SealStoredCredentials(ctx context.Context) (int, error) {
	box, err := secrets.New(s.SecretKey)
	if err != nil {
		return 0, err
	}
	sealed := 0
	var eps []store.WebhookEndpoint
	if err := s.DB.WithContext(ctx).Where("secret <> '' AND secret NOT LIKE 'sealed:%'").Find(&eps).Error; err != nil {
		return 0, err
	}
	for _, ep := range eps {
		v, err := box.Seal(ep.Secret)
		if err != nil {
			return sealed, err
		}
		res := s.DB.WithContext(ctx).Model(&store.WebhookEndpoint{}).Where("id = ? AND secret = ?", ep.ID, ep.Secret).Update("secret", v)
		if res.Error != nil {
			return sealed, res.Error
		}
		sealed += int(res.RowsAffected)
	}
	var chs []store.Channel
	if err := s.DB.WithContext(ctx).Where("kind = ?", channels.KindAPI).Find(&chs).Error; err != nil {
		return sealed, err
	}
	for _, ch := range chs {
		st, err := apichannel.ParseSettings(ch.Settings)
		if err != nil || st.OutboundSecret == "" || secrets.IsSealed(st.OutboundSecret) {
			continue
		}
		if st.OutboundSecret, err = box.Seal(st.OutboundSecret); err != nil {
			return sealed, err
		}
		b, _ := json.Marshal(st)
		res := s.DB.WithContext(ctx).Model(&store.Channel{}).Where("id = ? AND settings = ?", ch.ID, ch.Settings).Update("settings", string(b))
		if res.Error != nil {
			return sealed, res.Error
		}
		sealed += int(res.RowsAffected)
	}
	return sealed, nil
}
