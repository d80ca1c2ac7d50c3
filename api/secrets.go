package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"gorm.io/gorm"
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
	// reseal re-seals one stored value; save writes it back only where the
	// row still holds what was read.
	reseal := func(what, value string, save func(sealed string) *gorm.DB) error {
		v, changed, err := box.Reseal(value)
		if err != nil {
			unreadable = append(unreadable, fmt.Errorf("%s: %w", what, err))
			return nil
		}
		if !changed {
			return nil
		}
		res := save(v)
		sealed += int(res.RowsAffected)
		return res.Error
	}
	var eps []store.WebhookEndpoint
	if err := s.DB.WithContext(ctx).Where("secret <> ''").Find(&eps).Error; err != nil {
		return 0, err
	}
	for _, ep := range eps {
		err := reseal("webhook endpoint "+ep.ID, ep.Secret, func(v string) *gorm.DB {
			return s.DB.WithContext(ctx).Model(&store.WebhookEndpoint{}).Where("id = ? AND secret = ?", ep.ID, ep.Secret).Update("secret", v)
		})
		if err != nil {
			return sealed, err
		}
	}
	reg := s.Channels
	if reg == nil {
		reg = kinds.Registry(kinds.Config{})
	}
	var chs []store.Channel
	if err := s.DB.WithContext(ctx).Find(&chs).Error; err != nil {
		return sealed, err
	}
	for _, ch := range chs {
		a, ok := reg.Adapter(ch.Kind)
		if !ok {
			continue
		}
		st, err := channels.ParseSettings(ch.Settings)
		if err != nil {
			continue
		}
		// Every secret of the row is re-sealed, then the row is written
		// once, and only if it still holds what was read.
		changed := 0
		for _, key := range a.Kind().SecretKeys() {
			v := st.String(key)
			if v == "" {
				continue
			}
			nv, moved, err := box.Reseal(v)
			if err != nil {
				unreadable = append(unreadable, fmt.Errorf("channel %s %s: %w", ch.ID, key, err))
				continue
			}
			if moved {
				st[key] = nv
				changed++
			}
		}
		if changed == 0 {
			continue
		}
		res := s.DB.WithContext(ctx).Model(&store.Channel{}).Where("id = ? AND settings = ?", ch.ID, ch.Settings).Update("settings", st.JSON())
		if res.Error != nil {
			return sealed, res.Error
		}
		if res.RowsAffected > 0 {
			sealed += changed
		}
	}
	return sealed, errors.Join(unreadable...)
}
