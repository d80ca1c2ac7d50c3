package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/store"
)

// Moderation actions on a public comment.
const (
	ModerateHide   = "hide"
	ModerateUnhide = "unhide"
	ModerateDelete = "delete"
)

// ModerationInput is an agent's action on a customer's comment.
type ModerationInput struct {
	AccountID, MessageID, Action string
}

// ErrModerationRefused is the application error type of a provider's
// refusal, shown to the agent as is.
const ErrModerationRefused = "ModerationRefused"

// ModerateComment hides, shows again or deletes a comment at the
// provider, then records it on the message (a deleted comment stays for
// agents, marked deleted) and shows agents the change.
func (k *ChannelKit) ModerateComment(ctx context.Context, in ModerationInput) error {
	var msg store.Message
	if err := k.DB.WithContext(ctx).Take(&msg, "id = ? AND account_id = ?", in.MessageID, in.AccountID).Error; err != nil {
		return err
	}
	if msg.Kind != store.KindComment || msg.Direction != store.DirectionInbound || msg.ExternalID == nil {
		return temporal.NewNonRetryableApplicationError("only a customer's comment can be moderated", ErrModerationRefused, nil)
	}
	ch, a, err := k.load(ctx, ChannelRef{AccountID: in.AccountID, ChannelID: msg.ChannelID})
	if err != nil {
		return err
	}
	mod, ok := a.(channels.Moderator)
	if !ok {
		return temporal.NewNonRetryableApplicationError(ch.Kind+" comments cannot be moderated", ErrModerationRefused, nil)
	}
	now := time.Now().UTC()
	change := map[string]any{}
	switch in.Action {
	case ModerateHide, ModerateUnhide:
		err = mod.HideComment(ctx, ch, *msg.ExternalID, in.Action == ModerateHide)
		if in.Action == ModerateHide {
			change["hidden_at"], msg.HiddenAt = now, &now
		} else {
			change["hidden_at"], msg.HiddenAt = nil, nil
		}
	case ModerateDelete:
		err = mod.DeleteComment(ctx, ch, *msg.ExternalID)
		change["revoked_at"], msg.RevokedAt = now, &now
	default:
		return temporal.NewNonRetryableApplicationError("unknown moderation action "+in.Action, ErrModerationRefused, nil)
	}
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		if perm.Reauth {
			if serr := messaging.SetChannelStatus(ctx, k.DB, k.Bus, ch.ID, store.ChannelNeedsReauth, perm.Reason); serr != nil {
				return serr
			}
		}
		return temporal.NewNonRetryableApplicationError(perm.Reason, ErrModerationRefused, err)
	}
	if err != nil {
		return err
	}
	err = k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&store.Message{}).Where("id = ?", msg.ID).Updates(change).Error; err != nil {
			return err
		}
		return messaging.AppendEvent(ctx, tx, events.MessageUpdated, msg)
	})
	if err == nil && k.Bus != nil {
		k.Bus.Notify(in.AccountID)
	}
	return err
}
