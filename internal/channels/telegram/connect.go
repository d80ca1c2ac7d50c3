package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Steps: check the token, then a webhook when the app has a public URL,
// else long polling (so `make dev` on a laptop receives messages too).
func (Adapter) Steps(store.Channel) []string {
	return []string{StepVerifyToken, StepRegisterWebhook, StepStartPolling}
}

// RunStep runs one activation step; each is safe to repeat.
func (a Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	b, err := a.bot(ch)
	if err != nil {
		return channels.StepResult{}, err
	}
	switch step {
	case StepVerifyToken:
		me, err := b.GetMe(ctx)
		if err != nil {
			return channels.StepResult{}, sendError(err)
		}
		return channels.StepResult{Detail: "@" + me.Username,
			Set: channels.Settings{keyUsername: me.Username, keyBotID: fmt.Sprint(me.ID)}}, nil
	case StepRegisterWebhook:
		if env.HookURL == "" {
			// getUpdates refuses to run while a webhook is set.
			if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
				return channels.StepResult{}, sendError(err)
			}
			return channels.StepResult{Skipped: true, Detail: "no public URL: long polling", Set: channels.Settings{keyMode: ModePolling}}, nil
		}
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		token := hex.EncodeToString(secret)
		_, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: env.HookURL, SecretToken: token, AllowedUpdates: allowedUpdates})
		if err != nil {
			return channels.StepResult{}, sendError(err)
		}
		return channels.StepResult{Detail: env.HookURL, Set: channels.Settings{keyMode: ModeWebhook, keyWebhookSecret: token}}, nil
	case StepStartPolling:
		s, _ := channels.ParseSettings(ch.Settings)
		if s.String(keyMode) != ModePolling {
			return channels.StepResult{Skipped: true}, nil
		}
		return channels.StepResult{Connect: true}, nil
	}
	return channels.StepResult{}, fmt.Errorf("telegram: no step %q", step)
}

// Deactivate removes the webhook, so Telegram stops calling.
func (a Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	b, err := a.bot(ch)
	if err != nil {
		return err
	}
	_, err = b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
	if err != nil && errors.Is(err, bot.ErrorUnauthorized) {
		return nil // a revoked token has no webhook left to remove
	}
	return sendError(err)
}

// Connect long-polls getUpdates while the channel is in polling mode.
// Each batch is stored before the next call confirms it (offset = last +
// 1), so a crash at any point makes Telegram send it again, and the
// inbox stores each message once.
func (a Adapter) Connect(ctx context.Context, _ channels.Env, ch store.Channel, sink channels.Sink) error {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return err
	}
	if s.String(keyMode) != ModePolling {
		return nil // webhook mode: nothing to hold open
	}
	wait := a.PollTimeout
	if wait == 0 {
		wait = 25 * time.Second
	}
	var offset int64
	connected := false
	for ctx.Err() == nil {
		// The first call does not wait, so the channel shows connected at once.
		poll := wait
		if !connected {
			poll = 0
		}
		updates, err := a.getUpdates(ctx, s.String(keyToken), offset, poll)
		var refused *apiError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &refused) && refused.Code == http.StatusUnauthorized:
			_ = sink.Status(ctx, store.ChannelNeedsReauth, "Telegram refused the bot token: it was revoked or changed in @BotFather")
			return &channels.PermanentError{Reason: refused.Error()}
		case errors.As(err, &refused) && refused.Code == http.StatusConflict:
			_ = sink.Status(ctx, store.ChannelDisconnected, "another program is reading this bot's updates, or a webhook is set: "+refused.Description)
			return err
		case errors.As(err, &refused) && refused.RetryAfter > 0:
			sleep(ctx, time.Duration(refused.RetryAfter)*time.Second)
			continue
		case err != nil:
			_ = sink.Status(ctx, store.ChannelDisconnected, "Telegram unreachable: "+err.Error())
			return err
		}
		if !connected {
			connected = true
			if err := sink.Status(ctx, store.ChannelConnected, ""); err != nil {
				return err
			}
		}
		var batch channels.Batch
		for _, raw := range updates {
			var head struct {
				ID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(raw, &head)
			offset = max(offset, head.ID+1)
			var u models.Update
			if err := json.Unmarshal(raw, &u); err != nil {
				continue // an update this version cannot read is skipped, not retried forever
			}
			b := ParseUpdate(ch.ID, u)
			batch.Messages = append(batch.Messages, b.Messages...)
		}
		if len(batch.Messages) > 0 {
			if err := sink.Deliver(ctx, batch); err != nil {
				return err // not confirmed: Telegram sends the batch again
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// apiError is a Bot API answer with ok:false.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string { return fmt.Sprintf("telegram %d: %s", e.Code, e.Description) }

func (a Adapter) getUpdates(ctx context.Context, token string, offset int64, wait time.Duration) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(wait / time.Second), "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL()+"/bot"+token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := *a.client()
	client.Timeout = wait + 15*time.Second
	res, err := client.Do(req)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), token, "***"))
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	var answer struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, fmt.Errorf("telegram getUpdates answered %d, not JSON", res.StatusCode)
	}
	if !answer.OK {
		return nil, &apiError{Code: answer.ErrorCode, Description: answer.Description, RetryAfter: answer.Parameters.RetryAfter}
	}
	return answer.Result, nil
}
