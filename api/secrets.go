package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
)

// SealStoredCredentials seals under the current secret key the
// credentials stored in clear before they were encrypted at rest, or
// sealed under a previous key (webhook signing secrets, API channels'
// outbound secrets), and returns how many it sealed. Each row is rewritten
// only if it still holds the value read, so a secret rotated meanwhile, or
// sealed by another process starting at the same time, is left alone. A
// credential no key opens is named in the error and left as it is.
func (s *Server) SealStoredCredentials(ctx context.Context) (int, error) {
	box, err := secrets.New(s.SecretKey, s.PreviousSecretKeys...)
	if err != nil {
		return 0, err
	}
	sealed := 0
	var unreadable []error // reported together; the others are sealed anyway
	var eps []store.WebhookEndpoint
	if err := s.DB.WithContext(ctx).Where("secret <> ''").Find(&eps).Error; err != nil {
		return 0, err
	}
	for _, ep := range eps {
		v, changed, err := box.Reseal(ep.Secret)
		if err != nil {
			unreadable = append(unreadable, fmt.Errorf("webhook endpoint %s: %w", ep.ID, err))
			continue
		}
		if !changed {
			continue
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
		if err != nil || st.OutboundSecret == "" {
			continue
		}
		v, changed, err := box.Reseal(st.OutboundSecret)
		if err != nil {
			unreadable = append(unreadable, fmt.Errorf("channel %s: %w", ch.ID, err))
			continue
		}
		if !changed {
			continue
		}
		st.OutboundSecret = v
		b, _ := json.Marshal(st)
		res := s.DB.WithContext(ctx).Model(&store.Channel{}).Where("id = ? AND settings = ?", ch.ID, ch.Settings).Update("settings", string(b))
		if res.Error != nil {
			return sealed, res.Error
		}
		sealed += int(res.RowsAffected)
	}
	return sealed, errors.Join(unreadable...)
}
