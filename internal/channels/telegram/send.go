package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// MaxTextLen is Telegram's limit on a message's text.
const MaxTextLen = 4096

// Send delivers an agent's message: the text (as a reply when it answers
// one), then each file, images as photos and anything else as a document.
// The provider id is the first message's. Telegram has no idempotency key:
// the activity records the id at once and never sends a message that is
// already sent.
func (a Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	b, err := a.bot(out.Channel)
	if err != nil {
		return "", err
	}
	chatID, err := strconv.ParseInt(out.To, 10, 64)
	if err != nil {
		return "", &channels.PermanentError{Reason: "the contact has no Telegram chat id"}
	}
	business := strings.TrimPrefix(out.ThreadKey, businessThread)
	if business == out.ThreadKey {
		business = ""
	}
	var reply *models.ReplyParameters
	if _, id, ok := strings.Cut(out.ReplyTo, ":"); ok {
		if n, err := strconv.Atoi(id); err == nil {
			reply = &models.ReplyParameters{MessageID: n, AllowSendingWithoutReply: true}
		}
	}
	first := ""
	keep := func(m *models.Message) {
		if first == "" && m != nil {
			first = MessageID(chatID, m.ID)
		}
	}
	text := strings.TrimSpace(out.Text)
	if text != "" {
		if len([]rune(text)) > MaxTextLen {
			return "", &channels.PermanentError{Reason: fmt.Sprintf("Telegram messages have at most %d characters", MaxTextLen)}
		}
		m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatID, Text: text, ReplyParameters: reply, BusinessConnectionID: business})
		if err != nil {
			return "", sendError(err)
		}
		keep(m)
	}
	for _, f := range out.Files {
		if out.Open == nil {
			return "", &channels.PermanentError{Reason: "files cannot be read here"}
		}
		data, err := out.Open(ctx, f.ID)
		if err != nil {
			return "", err
		}
		upload := &models.InputFileUpload{Filename: f.Name, Data: bytes.NewReader(data)}
		var m *models.Message
		if strings.HasPrefix(f.ContentType, "image/") && f.ContentType != "image/svg+xml" {
			m, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chatID, Photo: upload, BusinessConnectionID: business})
		} else {
			m, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chatID, Document: upload, BusinessConnectionID: business})
		}
		if err != nil {
			if first != "" {
				// Part of the message is out: a retry would repeat it.
				return "", &channels.PermanentError{Reason: "the text was sent, the file " + f.Name + " was not: " + sendError(err).Error()}
			}
			return "", sendError(err)
		}
		keep(m)
	}
	if first == "" {
		return "", &channels.PermanentError{Reason: "nothing to send"}
	}
	return first, nil
}

// sendError maps the library's errors: 429 waits as long as Telegram
// asks, 403 (the user blocked the bot) and 400 are refusals, 401 means
// the token was revoked; anything else is retried.
func sendError(err error) error {
	var tooMany *bot.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		return &channels.RetryAfterError{After: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second, Reason: "Telegram rate limit: " + err.Error()}
	case errors.Is(err, bot.ErrorForbidden):
		return &channels.PermanentError{Reason: "Telegram refused: the user blocked the bot or never started it (" + err.Error() + ")"}
	case errors.Is(err, bot.ErrorUnauthorized):
		return &channels.PermanentError{Reason: "Telegram refused the bot token: it was revoked or changed in @BotFather", Reauth: true}
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorNotFound):
		return &channels.PermanentError{Reason: "Telegram refused the message: " + err.Error()}
	}
	return err
}

// MaxFileSize is what the Bot API lets a bot download.
const MaxFileSize = 20 << 20

// FetchMedia downloads a file of an inbound message: getFile, then the
// file's URL.
func (a Adapter) FetchMedia(ctx context.Context, ch store.Channel, m channels.Media) (channels.File, error) {
	b, err := a.bot(ch)
	if err != nil {
		return channels.File{}, err
	}
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: m.Ref})
	if err != nil {
		return channels.File{}, sendError(err)
	}
	if f.FileSize > MaxFileSize {
		return channels.File{}, &channels.PermanentError{Reason: "Telegram lets bots download files up to 20 MB"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.FileDownloadLink(f), nil)
	if err != nil {
		return channels.File{}, err
	}
	res, err := a.client().Do(req)
	if err != nil {
		return channels.File{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return channels.File{}, fmt.Errorf("telegram file download answered %d", res.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxFileSize+1))
	if err != nil {
		return channels.File{}, err
	}
	name := m.Name
	if name == "" {
		name = f.FilePath[strings.LastIndex(f.FilePath, "/")+1:]
	}
	return channels.File{Name: name, ContentType: m.ContentType, Data: data}, nil
}
