// Package telegram is the Telegram channel: a bot (token from @BotFather)
// whose private chats, and the chats of people who connected the bot to
// their own account through Telegram Business, become conversations.
//
// Calls go through github.com/go-telegram/bot with a configurable server
// URL. Two things are done here instead: the webhook secret is checked in
// our handler (the library's handler answers 200 to a wrong one), and
// polling calls getUpdates itself, because the library confirms an update
// (asks for the next offset) before its handler has stored it, and a crash
// in between would lose the message.
package telegram

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-telegram/bot"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// DefaultAPIURL is Telegram's Bot API.
const DefaultAPIURL = "https://api.telegram.org"

// Settings keys.
const (
	keyToken         = "bot_token"      // the manager's; secret
	keyWebhookSecret = "webhook_secret" // ours, sent as secret_token; secret
	keyUsername      = "bot_username"   // read-only, from getMe
	keyBotID         = "bot_id"
	keyMode          = "mode" // ModeWebhook or ModePolling, chosen at activation
)

// Delivery modes.
const (
	ModeWebhook = "webhook"
	ModePolling = "polling"
)

// Activation steps.
const (
	StepVerifyToken     = "verify_token"
	StepRegisterWebhook = "register_webhook"
	StepStartPolling    = "start_polling"
)

// allowedUpdates are the update kinds the channel handles.
var allowedUpdates = []string{"message", "edited_message", "business_connection", "business_message", "edited_business_message"}

// Adapter is the Telegram channel kind.
type Adapter struct {
	APIURL string       // "" is DefaultAPIURL
	HTTP   *http.Client // nil: a client with a timeout
	// PollTimeout is how long one getUpdates call waits for news; 0: 25 s.
	PollTimeout time.Duration
}

// Kind describes the Telegram channel.
func (Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindTelegram, Label: "Telegram",
		Settings: []channels.Field{{
			Name: keyToken, Label: "Bot token", Type: channels.FieldSecret, Required: true,
			Help: "Create a bot with @BotFather and paste the token it sends you.",
		}},
		Secrets: []string{keyWebhookSecret},
		Capabilities: channels.Capabilities{
			Media: []string{channels.MediaImage, channels.MediaDocument, channels.MediaVoice, channels.MediaAudio, channels.MediaVideo, channels.MediaSticker},
			Edits: true,
			// Telegram allows about 30 messages per second per bot and one
			// per second per chat.
			SendsPerSecond: 30,
		},
	}
}

var tokenPattern = regexp.MustCompile(`^[0-9]{3,}:[A-Za-z0-9_-]{20,}$`)

// Validate checks the token's shape; activation checks it with getMe. A
// new token forgets what the old one's activation learnt.
func (Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	tok := strings.TrimSpace(s.String(keyToken))
	if !tokenPattern.MatchString(tok) {
		return nil, &channels.FieldError{Field: "settings." + keyToken, Reason: "is not a bot token (it looks like 123456789:AAE...; @BotFather gives it)"}
	}
	s[keyToken] = tok
	if id, _, _ := strings.Cut(tok, ":"); s.String(keyBotID) != "" && s.String(keyBotID) != id {
		delete(s, keyUsername)
		delete(s, keyMode)
		delete(s, keyBotID)
	}
	return s, nil
}

func (a Adapter) apiURL() string {
	if a.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(a.APIURL, "/")
}

func (a Adapter) client() *http.Client {
	if a.HTTP != nil {
		return a.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// bot is a library client for the channel's token; it makes no call.
func (a Adapter) bot(ch store.Channel) (*bot.Bot, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	tok := s.String(keyToken)
	if tok == "" {
		return nil, &channels.PermanentError{Reason: "the Telegram channel has no bot token"}
	}
	return bot.New(tok, bot.WithSkipGetMe(), bot.WithServerURL(a.apiURL()), bot.WithHTTPClient(time.Minute, a.client()))
}
