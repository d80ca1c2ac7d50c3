package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
)

// ChannelKit runs the channel kit's side effects: activation steps at the
// provider, deactivation, and fetching inbound media into attachment
// storage.
type ChannelKit struct {
	DB       *gorm.DB
	Bus      events.Bus
	Channels *channels.Registry
	Secrets  *secrets.Box
	// PublicURL is the app's URL when providers can reach it; "" on a
	// laptop (see channels.Env).
	PublicURL string
}

// ChannelRef names a channel.
type ChannelRef struct {
	AccountID, ChannelID string
}

// ErrChannelRefused is a provider's refusal of an activation step (a bad
// token): retrying cannot help.
const ErrChannelRefused = "ChannelRefused"

// ChannelEnv is what a kind's adapter needs to know of the installation
// for a channel: where its provider can call.
func ChannelEnv(publicURL string, ch store.Channel) channels.Env {
	env := channels.Env{PublicURL: publicURL}
	if publicURL != "" {
		env.HookURL = publicURL + "/hooks/" + ch.Kind + "/" + ch.ID
	}
	return env
}

// load reads the channel with its settings opened and its kind's adapter.
func (k *ChannelKit) load(ctx context.Context, ref ChannelRef) (store.Channel, channels.Adapter, error) {
	var ch store.Channel
	if err := k.DB.WithContext(ctx).Take(&ch, "id = ? AND account_id = ?", ref.ChannelID, ref.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ch, nil, temporal.NewNonRetryableApplicationError("channel not found", ErrChannelRefused, err)
		}
		return ch, nil, err
	}
	a, ok := k.Channels.Adapter(ch.Kind)
	if !ok {
		return ch, nil, temporal.NewNonRetryableApplicationError(ch.Kind+" channels are not built", ErrChannelRefused, nil)
	}
	opened, err := k.Secrets.OpenJSON(ch.Settings)
	if err != nil {
		return ch, nil, err
	}
	ch.Settings = opened
	return ch, a, nil
}

// ConnectionWanted reports whether the channel needs its connection held
// open: active, of a kind that connects, and not waiting for new
// credentials. A connection canceled by a deactivation asks it before
// ending, as the channel may have been activated again meanwhile.
func (k *ChannelKit) ConnectionWanted(ctx context.Context, ref ChannelRef) (bool, error) {
	var ch store.Channel
	err := k.DB.WithContext(ctx).Select("kind, active, status").Take(&ch, "id = ? AND account_id = ?", ref.ChannelID, ref.AccountID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	a, ok := k.Channels.Adapter(ch.Kind)
	_, connects := a.(channels.Connector)
	return ok && connects && ch.Active && ch.Status != store.ChannelNeedsReauth && ch.Status != store.ChannelInactive, nil
}

// StartActivation lists the kind's activation steps and stores them as
// pending on the channel, for its screen to show.
func (k *ChannelKit) StartActivation(ctx context.Context, ref ChannelRef) ([]string, error) {
	ch, a, err := k.load(ctx, ref)
	if err != nil {
		return nil, err
	}
	act, ok := a.(channels.Activator)
	if !ok {
		return nil, nil
	}
	names := act.Steps(ch)
	if a.Kind().Capabilities.Metered {
		// Nothing is registered at the provider before the account paid.
		names = append([]string{channels.StepPrepaidBalance}, names...)
	}
	progress := channels.Activation{State: channels.ActivationRunning}
	for _, n := range names {
		progress.Steps = append(progress.Steps, channels.Step{Name: n, State: channels.StepPending})
	}
	if err := k.saveActivation(ctx, ch, progress); err != nil {
		return nil, err
	}
	return names, messaging.SetChannelStatus(ctx, k.DB, k.Bus, ch.ID, store.ChannelPending, "activating")
}

// prepaidBalance is the kit's step of metered kinds: done once the
// account's first recharge was credited; until then the channel waits,
// and the recharge's workflow runs its activation again.
func (k *ChannelKit) prepaidBalance(ctx context.Context, in StepInput) error {
	ok, err := billing.Activated(ctx, k.DB, in.AccountID)
	if err != nil {
		return err
	}
	if !ok {
		reason := "aguardando a primeira recarga (mínimo " + billing.BRL(billing.MinimumRecharge) + "): Administração › Faturamento"
		_ = k.markStep(ctx, in, channels.StepFailed, reason)
		return temporal.NewNonRetryableApplicationError(reason, ErrChannelRefused, nil)
	}
	bal, err := billing.Get(ctx, k.DB, in.AccountID)
	if err != nil {
		return err
	}
	return k.markStep(ctx, in, channels.StepDone, "saldo "+billing.BRL(bal.BalanceCents))
}

// StepInput names an activation step of a channel.
type StepInput struct {
	ChannelRef
	Step string
}

// StepOutcome tells the workflow whether the channel needs its connection.
type StepOutcome struct {
	Connect bool
}

// RunActivationStep runs one step at the provider and records its outcome
// on the channel: settings it learnt are stored (secrets sealed), and its
// state and detail shown. A refusal fails the step for good; other errors
// are retried.
func (k *ChannelKit) RunActivationStep(ctx context.Context, in StepInput) (StepOutcome, error) {
	ch, a, err := k.load(ctx, in.ChannelRef)
	if err != nil {
		return StepOutcome{}, err
	}
	act, ok := a.(channels.Activator)
	if !ok {
		return StepOutcome{}, nil
	}
	if err := k.markStep(ctx, in, channels.StepRunning, ""); err != nil {
		return StepOutcome{}, err
	}
	if in.Step == channels.StepPrepaidBalance {
		return StepOutcome{}, k.prepaidBalance(ctx, in)
	}
	env := ChannelEnv(k.PublicURL, ch)
	env.Progress = func(ctx context.Context, detail string, prompt *channels.Prompt) error {
		return k.markStepPrompt(ctx, in, channels.StepRunning, detail, prompt)
	}
	// A step may wait minutes for the manager (a QR code to scan): it
	// heartbeats, so a dead worker's step is retried on another at once.
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	go heartbeat(hctx, 10*time.Second)
	res, err := act.RunStep(ctx, env, ch, in.Step)
	if err != nil {
		var perm *channels.PermanentError
		if errors.As(err, &perm) {
			_ = k.markStep(ctx, in, channels.StepFailed, perm.Reason)
			return StepOutcome{}, temporal.NewNonRetryableApplicationError(perm.Reason, ErrChannelRefused, nil)
		}
		_ = k.markStep(ctx, in, channels.StepRunning, "retrying: "+err.Error())
		return StepOutcome{}, err
	}
	if len(res.Set) > 0 {
		if err := k.storeSettings(ctx, ch, a.Kind(), res.Set); err != nil {
			return StepOutcome{}, err
		}
	}
	state := channels.StepDone
	if res.Skipped {
		state = channels.StepSkipped
	}
	return StepOutcome{Connect: res.Connect}, k.markStep(ctx, in, state, res.Detail)
}

// FinishInput is how an activation ended.
type FinishInput struct {
	ChannelRef
	Error   string // "" when every step succeeded
	Connect bool   // a connection will report the channel's health
}

// FinishActivation records the end of an activation: failed with the
// reason, connected, or pending until the connection reports.
func (k *ChannelKit) FinishActivation(ctx context.Context, in FinishInput) error {
	var ch store.Channel
	if err := k.DB.WithContext(ctx).Take(&ch, "id = ?", in.ChannelID).Error; err != nil {
		return err
	}
	var progress channels.Activation
	_ = json.Unmarshal([]byte(ch.Activation), &progress)
	progress.State, progress.Error = channels.ActivationDone, in.Error
	status, reason := store.ChannelConnected, ""
	switch {
	case in.Error != "":
		progress.State = channels.ActivationFailed
		status, reason = store.ChannelDisconnected, in.Error
	case in.Connect:
		status, reason = store.ChannelPending, "connecting"
	}
	if err := k.saveActivation(ctx, ch, progress); err != nil {
		return err
	}
	return messaging.SetChannelStatus(ctx, k.DB, k.Bus, ch.ID, status, reason)
}

// DeactivateChannel undoes at the provider what activation registered,
// and marks the channel inactive.
func (k *ChannelKit) DeactivateChannel(ctx context.Context, ref ChannelRef) error {
	ch, a, err := k.load(ctx, ref)
	if err != nil {
		return err
	}
	if act, ok := a.(channels.Activator); ok {
		if err := act.Deactivate(ctx, ChannelEnv(k.PublicURL, ch), ch); err != nil {
			var perm *channels.PermanentError
			if !errors.As(err, &perm) {
				return err
			}
			// The provider refuses (the token is gone): nothing is left
			// registered that we could remove.
		}
	}
	return messaging.SetChannelStatus(ctx, k.DB, k.Bus, ch.ID, store.ChannelInactive, "")
}

func (k *ChannelKit) markStep(ctx context.Context, in StepInput, state, detail string) error {
	return k.markStepPrompt(ctx, in, state, detail, nil)
}

// markStepPrompt records a step's state, with what the manager must act
// on while it waits (nil once it no longer waits).
func (k *ChannelKit) markStepPrompt(ctx context.Context, in StepInput, state, detail string, prompt *channels.Prompt) error {
	return k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ch store.Channel
		if err := tx.Take(&ch, "id = ?", in.ChannelID).Error; err != nil {
			return err
		}
		var progress channels.Activation
		_ = json.Unmarshal([]byte(ch.Activation), &progress)
		for i := range progress.Steps {
			if progress.Steps[i].Name == in.Step {
				progress.Steps[i].State, progress.Steps[i].Detail, progress.Steps[i].Prompt = state, detail, prompt
			}
		}
		return k.writeActivation(tx, ch, progress)
	})
}

func (k *ChannelKit) saveActivation(ctx context.Context, ch store.Channel, progress channels.Activation) error {
	return k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return k.writeActivation(tx, ch, progress) })
}

func (k *ChannelKit) writeActivation(tx *gorm.DB, ch store.Channel, progress channels.Activation) error {
	b, _ := json.Marshal(progress)
	if err := tx.Model(&store.Channel{}).Where("id = ?", ch.ID).Update("activation", string(b)).Error; err != nil {
		return err
	}
	return events.Append(tx, ch.AccountID, events.ChannelUpdated, nil, map[string]any{"id": ch.ID, "activation": progress})
}

// storeSettings merges what a step learnt into the stored settings,
// sealing the kind's secrets; a manager's change made meanwhile is kept.
func (k *ChannelKit) storeSettings(ctx context.Context, ch store.Channel, kind channels.Kind, set channels.Settings) error {
	return k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row store.Channel
		if err := tx.Take(&row, "id = ?", ch.ID).Error; err != nil {
			return err
		}
		sealed, err := channels.Merge(kind, k.Secrets, row.Settings, set)
		if err != nil {
			return err
		}
		return tx.Model(&row).Update("settings", sealed).Error
	})
}

// heartbeat records the activity's heartbeat every interval until ctx
// ends.
func heartbeat(ctx context.Context, every time.Duration) {
	if !activity.IsActivity(ctx) {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			activity.RecordHeartbeat(ctx)
		}
	}
}

// ReadInput names a conversation an agent opened.
type ReadInput struct {
	AccountID, ChannelID, ConversationID string
}

// readBatch is how many of the customer's newest messages are marked
// read: enough to cover what arrived since an agent last looked.
const readBatch = 20

// MarkConversationRead tells the customer, through kinds that can, that
// their messages were read (WhatsApp's blue ticks). A refusal is not
// worth retrying: the receipt is a courtesy.
func (k *ChannelKit) MarkConversationRead(ctx context.Context, in ReadInput) error {
	ch, a, err := k.load(ctx, ChannelRef{AccountID: in.AccountID, ChannelID: in.ChannelID})
	if err != nil {
		return err
	}
	reader, ok := a.(channels.Reader)
	if !ok {
		return nil
	}
	var conv store.Conversation
	if err := k.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return err
	}
	var ident store.ContactIdentity
	if err := k.DB.WithContext(ctx).Where("contact_id = ? AND channel_id = ?", conv.ContactID, ch.ID).Take(&ident).Error; err != nil {
		return nil // no address on the channel: nobody to tell
	}
	var ids []string
	if err := k.DB.WithContext(ctx).Model(&store.Message{}).
		Where("conversation_id = ? AND direction = 'inbound' AND external_id IS NOT NULL", conv.ID).
		Order("created_at DESC").Limit(readBatch).Pluck("external_id", &ids).Error; err != nil {
		return err
	}
	slices.Reverse(ids)
	err = reader.MarkRead(ctx, ch, ident.ExternalID, ids)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return nil
	}
	return err
}

// ResourceRef names a provider resource to fetch for a channel (a
// notification's Fetch).
type ResourceRef struct {
	ChannelRef
	Ref string
}

// MediaRef names an inbound file to fetch.
type MediaRef struct {
	AccountID, MediaID string
}

// FetchInboundMedia downloads a provider's file of an inbound message into
// attachment storage and links it to the message; agents' screens get the
// message again with its file. A file the provider refuses, or one we do
// not accept (too large, an executable), is marked failed with the reason
// and the message keeps a note of it.
func (k *ChannelKit) FetchInboundMedia(ctx context.Context, in MediaRef) error {
	var m store.InboundMedia
	if err := k.DB.WithContext(ctx).Take(&m, "id = ? AND account_id = ?", in.MediaID, in.AccountID).Error; err != nil {
		return err
	}
	if m.Status != store.MediaPending {
		return nil // an earlier attempt stored it
	}
	ch, a, err := k.load(ctx, ChannelRef{AccountID: m.AccountID, ChannelID: m.ChannelID})
	if err != nil {
		return err
	}
	fetcher, ok := a.(channels.MediaFetcher)
	if !ok {
		return k.mediaFailed(ctx, m, ch.Kind+" channels do not fetch files")
	}
	if m.Size > attachments.MaxSize {
		return k.mediaFailed(ctx, m, fmt.Sprintf("the file is larger than %d MiB", attachments.MaxSize>>20))
	}
	f, err := fetcher.FetchMedia(ctx, ch, channels.Media{Ref: m.Ref, Kind: m.Kind, Name: m.Name, ContentType: m.ContentType, Size: m.Size})
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return k.mediaFailed(ctx, m, perm.Reason)
	}
	if err != nil {
		return err
	}
	name := f.Name
	if name == "" {
		name = m.Name
	}
	var refusal error
	err = k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		att, err := attachments.Save(tx, m.AccountID, "", name, bytes.NewReader(f.Data))
		if err != nil {
			refusal = err
			return err
		}
		if err := tx.Model(&att).Update("message_id", m.MessageID).Error; err != nil {
			return err
		}
		if err := tx.Model(&m).Updates(map[string]any{"status": store.MediaStored, "attachment_id": att.ID, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		return messageUpdated(ctx, tx, m.MessageID)
	})
	if refusal != nil {
		return k.mediaFailed(ctx, m, refusal.Error())
	}
	if err == nil && k.Bus != nil {
		k.Bus.Notify(m.AccountID)
	}
	return err
}

// MediaConnectionQueue tells where an inbound file must be fetched: on
// the worker holding the channel's connection, for kinds that download
// through it.
func (k *ChannelKit) MediaConnectionQueue(ctx context.Context, in MediaRef) (ConnectionQueue, error) {
	var m store.InboundMedia
	if err := k.DB.WithContext(ctx).Select("channel_id").Take(&m, "id = ? AND account_id = ?", in.MediaID, in.AccountID).Error; err != nil {
		return ConnectionQueue{}, err
	}
	return connectionQueue(ctx, k.DB, k.Channels, m.ChannelID)
}

// MediaFailure is a file that could not be fetched, with the reason.
type MediaFailure struct {
	MediaRef
	Reason string
}

// MarkMediaFailed records that a file could not be fetched.
func (k *ChannelKit) MarkMediaFailed(ctx context.Context, in MediaFailure) error {
	var m store.InboundMedia
	if err := k.DB.WithContext(ctx).Take(&m, "id = ? AND account_id = ?", in.MediaID, in.AccountID).Error; err != nil {
		return err
	}
	if m.Status != store.MediaPending {
		return nil
	}
	return k.mediaFailed(ctx, m, in.Reason)
}

func (k *ChannelKit) mediaFailed(ctx context.Context, m store.InboundMedia, reason string) error {
	err := k.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&m).Updates(map[string]any{"status": store.MediaFailed, "error": reason, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		return messageUpdated(ctx, tx, m.MessageID)
	})
	if err == nil && k.Bus != nil {
		k.Bus.Notify(m.AccountID)
	}
	return err
}

// messageUpdated publishes a message's full view again.
func messageUpdated(ctx context.Context, tx *gorm.DB, messageID string) error {
	var msg store.Message
	if err := tx.Take(&msg, "id = ?", messageID).Error; err != nil {
		return err
	}
	return messaging.AppendEvent(ctx, tx, events.MessageUpdated, msg)
}

// OAuthInput is the code a provider's consent screen sent back for a
// channel.
type OAuthInput struct {
	ChannelRef
	RedirectURI, Code string
	// State and Verifier: the consent's signed state and its PKCE code
	// verifier (empty in workflows started before PKCE).
	State, Verifier string
}

// ExchangeOAuthCode trades the code for the channel's tokens and stores
// them (sealed). A refusal (a used or expired code, a wrong secret) is
// final: the manager connects again.
func (k *ChannelKit) ExchangeOAuthCode(ctx context.Context, in OAuthInput) error {
	ch, a, err := k.load(ctx, in.ChannelRef)
	if err != nil {
		return err
	}
	o, ok := a.(channels.OAuth)
	if !ok {
		return temporal.NewNonRetryableApplicationError(ch.Kind+" channels do not connect by OAuth", ErrChannelRefused, nil)
	}
	set, err := o.Exchange(ctx, ch, channels.OAuthFlow{RedirectURI: in.RedirectURI, State: in.State, Verifier: in.Verifier}, in.Code)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return temporal.NewNonRetryableApplicationError(perm.Reason, ErrChannelRefused, err)
	}
	if err != nil {
		return err
	}
	return k.storeSettings(ctx, ch, a.Kind(), set)
}

// RefreshDue is when a channel's token is to be refreshed.
type RefreshDue struct {
	Needed bool
	At     time.Time
}

// TokenRefreshDue says when the channel's token needs refreshing: never
// for kinds without expiring tokens, inactive channels, or channels
// waiting for the manager to connect again.
func (k *ChannelKit) TokenRefreshDue(ctx context.Context, ref ChannelRef) (RefreshDue, error) {
	ch, a, err := k.load(ctx, ref)
	if err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == ErrChannelRefused {
			return RefreshDue{}, nil // gone, or a kind no longer built
		}
		return RefreshDue{}, err
	}
	r, ok := a.(channels.TokenRefresher)
	if !ok || !ch.Active || ch.Status == store.ChannelNeedsReauth {
		return RefreshDue{}, nil
	}
	at := r.RefreshAt(ch, time.Now())
	return RefreshDue{Needed: !at.IsZero(), At: at}, nil
}

// RefreshChannelToken refreshes the channel's token and stores the new
// one; when the provider refuses, the channel needs the manager to
// connect again, which is where it is put (and nil is returned: the
// refresh workflow ends there).
func (k *ChannelKit) RefreshChannelToken(ctx context.Context, ref ChannelRef) error {
	ch, a, err := k.load(ctx, ref)
	if err != nil {
		return err
	}
	r, ok := a.(channels.TokenRefresher)
	if !ok {
		return nil
	}
	set, err := r.RefreshToken(ctx, ch)
	var perm *channels.PermanentError
	if errors.As(err, &perm) {
		return messaging.SetChannelStatus(ctx, k.DB, k.Bus, ch.ID, store.ChannelNeedsReauth, "the token could not be refreshed: "+perm.Reason)
	}
	if err != nil {
		return err
	}
	return k.storeSettings(ctx, ch, a.Kind(), set)
}
