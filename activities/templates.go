package activities

import (
	"context"
	"encoding/json"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/store"
)

// SyncTemplates reads the channel's templates from its provider and
// stores them; templates gone from the provider are marked so. Kinds
// without templates have nothing to sync.
func (k *ChannelKit) SyncTemplates(ctx context.Context, ref ChannelRef) (int, error) {
	ch, a, err := k.load(ctx, ref)
	if err != nil {
		return 0, err
	}
	tp, ok := a.(channels.Templater)
	if !ok {
		return 0, nil
	}
	list, err := tp.ListTemplates(ctx, ch)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return 0, temporal.NewNonRetryableApplicationError(perm.Reason, ErrChannelRefused, nil)
	}
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, t := range list {
		row, err := messaging.UpsertTemplate(ctx, k.DB, ch, t)
		if err != nil {
			return 0, err
		}
		seen[row.ID] = true
	}
	var stored []store.MessageTemplate
	if err := k.DB.WithContext(ctx).Where("channel_id = ? AND provider_id <> ''", ch.ID).Find(&stored).Error; err != nil {
		return 0, err
	}
	for _, row := range stored {
		if !seen[row.ID] && row.Status != store.TemplateDeleted {
			st := channels.TemplateStatus{ProviderID: row.ProviderID, Name: row.Name, Language: row.Language, Status: store.TemplateDeleted, Reason: "no longer in the WhatsApp account"}
			if err := messaging.ApplyTemplateStatus(ctx, k.DB, ch, st); err != nil {
				return 0, err
			}
		}
	}
	if k.Bus != nil {
		k.Bus.Notify(ch.AccountID)
	}
	return len(list), nil
}

// TemplateRef names a stored template.
type TemplateRef struct {
	AccountID, TemplateID string
}

// SubmitTemplate sends a template created in CHATSPOT to its provider for
// review and stores the answer; a refusal marks it failed with the
// provider's reason.
func (k *ChannelKit) SubmitTemplate(ctx context.Context, in TemplateRef) error {
	var row store.MessageTemplate
	if err := k.DB.WithContext(ctx).Take(&row, "id = ? AND account_id = ?", in.TemplateID, in.AccountID).Error; err != nil {
		return err
	}
	if row.Status != store.TemplateSubmitting {
		return nil // an earlier attempt got the provider's answer
	}
	ch, a, err := k.load(ctx, ChannelRef{AccountID: row.AccountID, ChannelID: row.ChannelID})
	if err != nil {
		return err
	}
	tp, ok := a.(channels.Templater)
	if !ok {
		return temporal.NewNonRetryableApplicationError(ch.Kind+" channels have no templates", ErrChannelRefused, nil)
	}
	var examples []string
	_ = json.Unmarshal([]byte(row.Examples), &examples)
	t := channels.Template{Name: row.Name, Language: row.Language, Category: row.Category, Header: row.Header, Body: row.Body, Footer: row.Footer, Examples: examples}
	got, err := tp.SubmitTemplate(ctx, ch, t)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		got, err = t, nil
		got.Status, got.Reason = store.TemplateFailed, perm.Reason
	}
	if err != nil {
		return err
	}
	if got.Status == "" {
		got.Status = store.TemplatePending
	}
	_, err = messaging.UpsertTemplate(ctx, k.DB, ch, got)
	if err == nil && k.Bus != nil {
		k.Bus.Notify(ch.AccountID)
	}
	return err
}

// TemplateFailure is a submission that could not be made.
type TemplateFailure struct {
	TemplateRef
	Reason string
}

// MarkTemplateFailed records that a template could not be submitted.
func (k *ChannelKit) MarkTemplateFailed(ctx context.Context, in TemplateFailure) error {
	var row store.MessageTemplate
	if err := k.DB.WithContext(ctx).Take(&row, "id = ? AND account_id = ?", in.TemplateID, in.AccountID).Error; err != nil {
		return err
	}
	if row.Status != store.TemplateSubmitting {
		return nil
	}
	ch := store.Channel{ID: row.ChannelID, AccountID: row.AccountID}
	return messaging.ApplyTemplateStatus(ctx, k.DB, ch, channels.TemplateStatus{Name: row.Name, Language: row.Language, Status: store.TemplateFailed, Reason: in.Reason})
}
