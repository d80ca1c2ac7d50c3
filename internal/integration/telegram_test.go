package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/telegram"
	"github.com/chatspot/chatspot/internal/channels/telegram/telegramtest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

const tgToken = "7000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

// tgStack is the app with a Telegram bot served by a local Bot API.
type tgStack struct {
	*stack
	f     storetest.Fixture
	bot   *telegramtest.Server
	admin *agent
}

func newTelegramStack(t *testing.T, dialect, publicURL string) *tgStack {
	bot := telegramtest.New(tgToken, "loja_bot")
	t.Cleanup(bot.Close)
	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	reg := kinds.Registry(kinds.Config{AllowPrivateURLs: true, TelegramAPIURL: bot.URL})
	s := newStackWith(t, db, stackOptions{Channels: reg, PublicURL: publicURL})
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-tg@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	return &tgStack{stack: s, f: f, bot: bot, admin: login(t, s.url, u.Email)}
}

// connect creates the Telegram channel through the API and waits for its
// activation to end; it returns the channel's answer.
func (g *tgStack) connect(t *testing.T, wantStatus string) map[string]any {
	t.Helper()
	st, ch := g.admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot da loja",
		"settings": map[string]any{"bot_token": tgToken}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	if strings.Contains(fmt.Sprint(ch), tgToken) {
		t.Errorf("the bot token was echoed back: %v", ch)
	}
	id := ch["id"].(string)
	var got map[string]any
	eventually(t, 20*time.Second, func() error {
		_, got = g.admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
		if got["status"] != wantStatus {
			return fmt.Errorf("status %v (%v), activation %v", got["status"], got["status_reason"], got["activation"])
		}
		return nil
	})
	return got
}

// tgMessage is an update carrying a private chat's text message.
func tgMessage(chatID int64, messageID int, first, text string) map[string]any {
	return map[string]any{"message": map[string]any{"message_id": messageID, "date": time.Now().Unix(), "text": text,
		"from": map[string]any{"id": chatID, "is_bot": false, "first_name": first},
		"chat": map[string]any{"id": chatID, "first_name": first, "type": "private"}}}
}

// A laptop (no public URL): the bot is long-polled. A customer's text and
// photo reach the inbox once each; the agent's text and photo reach the
// customer; Telegram's 429 is waited out; a user who blocked the bot fails
// the message with that reason.
func TestTelegramPollingEndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testTelegramPolling(t, dialect) })
	}
}

func testTelegramPolling(t *testing.T, dialect string) {
	g := newTelegramStack(t, dialect, "")
	ch := g.connect(t, store.ChannelConnected)
	settings := ch["settings"].(map[string]any)
	if settings["bot_username"] != "loja_bot" || settings["mode"] != telegram.ModePolling || settings["bot_token"] != "********" {
		t.Errorf("settings: %v", settings)
	}
	if url, _ := g.bot.Webhook(); url != "" || g.bot.Calls("deleteWebhook") == 0 {
		t.Errorf("polling mode must delete any webhook (webhook %q)", url)
	}
	steps := ch["activation"].(map[string]any)["steps"].([]any)
	if len(steps) != 3 || steps[0].(map[string]any)["state"] != "done" || steps[1].(map[string]any)["state"] != "skipped" || steps[2].(map[string]any)["state"] != "done" {
		t.Errorf("activation steps: %v", steps)
	}
	channelID := ch["id"].(string)
	if dialect == "sqlite" {
		saveHistory(t, g.tc, workflows.ChannelActivationWorkflowID(channelID), "", "channel-activation-polling.json")
	}

	// The customer writes, then sends a photo; the text arrives twice
	// (Telegram resends what was not confirmed) and is stored once.
	g.bot.Push(tgMessage(555001, 41, "Joana", "Oi, tem em azul?"))
	g.bot.Push(tgMessage(555001, 41, "Joana", "Oi, tem em azul?"))
	g.bot.AddFile("AgACphoto", "photos/file_1.jpg", jpeg)
	g.bot.Push(map[string]any{"message": map[string]any{"message_id": 42, "date": time.Now().Unix(), "caption": "Esse aqui",
		"from": map[string]any{"id": 555001, "is_bot": false, "first_name": "Joana"}, "chat": map[string]any{"id": 555001, "type": "private"},
		"photo": []any{map[string]any{"file_id": "AgACsmall", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 100},
			map[string]any{"file_id": "AgACphoto", "file_unique_id": "l", "width": 800, "height": 800, "file_size": len(jpeg)}}}})
	var contact store.ContactIdentity
	eventually(t, 20*time.Second, func() error {
		return g.db.Where("channel_id = ? AND external_id = ?", channelID, "555001").Take(&contact).Error
	})
	conv := waitConversation(t, g.db, workflows.ConversationWorkflowID(channelID, contact.ContactID), 2)
	eventually(t, 20*time.Second, func() error {
		var att []store.Attachment
		g.db.Where("account_id = ? AND message_id IN (SELECT id FROM messages WHERE conversation_id = ?)", g.f.Account.ID, conv.ID).Find(&att)
		if len(att) != 1 || att[0].ContentType != "image/jpeg" {
			return fmt.Errorf("attachments %+v", att)
		}
		return nil
	})
	if n := g.bot.Pending(); n != 0 {
		t.Errorf("%d updates never confirmed to Telegram", n)
	}
	if dialect == "sqlite" {
		var media store.InboundMedia
		g.db.Take(&media, "channel_id = ?", channelID)
		saveHistory(t, g.tc, workflows.InboundMediaWorkflowID(media.ID), "", "inbound-media-fetched.json")
	}

	// The agent answers with text and a photo; Telegram rate-limits once.
	g.bot.TooManyRequests("sendMessage", 1)
	st, file := upload(t, g.admin.http, g.url+"/api/v1/attachments", map[string]string{"X-CSRF-Token": g.admin.csrf}, "vitrine.png", pngBytes)
	if st != http.StatusCreated {
		t.Fatalf("upload: %d %v", st, file)
	}
	fileID := file["id"].(string)
	st, msg := g.admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages",
		map[string]any{"body": "Temos sim! Veja a vitrine", "attachment_ids": []string{fileID}}, map[string]string{"Idempotency-Key": "tg-1"})
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, msg)
	}
	eventually(t, 30*time.Second, func() error {
		var m store.Message
		g.db.Take(&m, "id = ?", msg["id"])
		if m.Status != store.MessageSent {
			return fmt.Errorf("message %s %q", m.Status, m.FailureReason)
		}
		return nil
	})
	sent := g.bot.Sent()
	if len(sent) != 2 || sent[0].Text != "Temos sim! Veja a vitrine" || sent[0].ChatID != "555001" || sent[1].Method != "sendPhoto" || !bytes.Equal(sent[1].FileData, pngBytes) {
		t.Errorf("Telegram received %+v", sent)
	}
	if g.bot.Calls("sendMessage") != 2 { // the 429, then the text once
		t.Errorf("sendMessage called %d times, want 2 (one 429, one accepted)", g.bot.Calls("sendMessage"))
	}

	// A customer who blocked the bot: the message fails with the reason.
	g.bot.Block("555001")
	_, blocked := g.admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages",
		map[string]any{"body": "Ainda está aí?"}, map[string]string{"Idempotency-Key": "tg-2"})
	eventually(t, 30*time.Second, func() error {
		var m store.Message
		g.db.Take(&m, "id = ?", blocked["id"])
		if m.Status != store.MessageFailed || !strings.Contains(m.FailureReason, "blocked the bot") {
			return fmt.Errorf("message %s %q", m.Status, m.FailureReason)
		}
		return nil
	})

	if dialect == "sqlite" {
		g.admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/close", nil, nil)
		eventually(t, 20*time.Second, func() error {
			var c store.Conversation
			g.db.Take(&c, "id = ?", conv.ID)
			if c.Status != store.StatusClosed {
				return fmt.Errorf("conversation %s", c.Status)
			}
			return nil
		})
		saveHistory(t, g.tc, conv.WorkflowID, conv.RunID, "conversation_telegram_v6.json")
	}

	// Deactivating stops the polling and the connection workflow ends.
	if st, _ := g.admin.call(http.MethodPatch, "/api/v1/channels/"+channelID, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	eventually(t, 20*time.Second, func() error {
		_, got := g.admin.call(http.MethodGet, "/api/v1/channels/"+channelID, nil, nil)
		var ch store.Channel
		g.db.Take(&ch, "id = ?", channelID)
		if got["status"] != store.ChannelInactive || ch.Status != store.ChannelInactive {
			return fmt.Errorf("status %v / %s", got["status"], ch.Status)
		}
		return nil
	})
	eventually(t, 30*time.Second, func() error {
		d, err := g.tc.DescribeWorkflowExecution(t.Context(), workflows.ChannelConnectionWorkflowID(channelID), "")
		if err != nil {
			return err
		}
		if st := d.WorkflowExecutionInfo.Status; st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return fmt.Errorf("connection workflow still %s", st)
		}
		return nil
	})
	if dialect == "sqlite" {
		saveHistory(t, g.tc, workflows.ChannelConnectionWorkflowID(channelID), "", "channel-connection-canceled.json")
		saveHistory(t, g.tc, workflows.ChannelActivationWorkflowID(channelID), "", "channel-deactivation.json")
	}
}

// With a public URL, activation registers a webhook with a secret token;
// deliveries with it are stored, without it refused; an edit changes the
// stored text; deactivation removes the webhook.
func TestTelegramWebhookMode(t *testing.T) {
	g := newTelegramStack(t, "sqlite", "https://chatspot.example.com")
	ch := g.connect(t, store.ChannelConnected)
	channelID := ch["id"].(string)
	url, secret := g.bot.Webhook()
	if url != "https://chatspot.example.com/hooks/telegram/"+channelID || len(secret) < 32 {
		t.Fatalf("webhook %q secret %q", url, secret)
	}
	if ch["settings"].(map[string]any)["mode"] != telegram.ModeWebhook || strings.Contains(fmt.Sprint(ch), secret) {
		t.Errorf("channel: %v", ch)
	}
	var stored store.Channel
	g.db.Take(&stored, "id = ?", channelID)
	if strings.Contains(stored.Settings, secret) || strings.Contains(stored.Settings, tgToken) {
		t.Errorf("secrets stored in clear: %s", stored.Settings)
	}
	post := func(secretHeader string, update map[string]any) int {
		update["update_id"] = 1
		body, _ := json.Marshal(update)
		req, _ := http.NewRequest(http.MethodPost, g.url+"/hooks/telegram/"+channelID, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secretHeader != "" {
			req.Header.Set(telegram.HeaderSecret, secretHeader)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := post("", tgMessage(777, 1, "Rui", "sem segredo")); st != http.StatusUnauthorized {
		t.Errorf("no secret: %d", st)
	}
	if st := post(strings.Repeat("x", len(secret)), tgMessage(777, 1, "Rui", "segredo errado")); st != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", st)
	}
	var n int64
	g.db.Model(&store.Message{}).Where("channel_id = ?", channelID).Count(&n)
	if n != 0 {
		t.Fatalf("refused deliveries stored %d messages", n)
	}
	if st := post(secret, tgMessage(777, 1, "Rui", "Bom dia")); st != http.StatusOK {
		t.Fatalf("delivery: %d", st)
	}
	if st := post(secret, tgMessage(777, 1, "Rui", "Bom dia")); st != http.StatusOK {
		t.Fatalf("repeated delivery: %d", st)
	}
	edit := tgMessage(777, 1, "Rui", "Bom dia! Vocês abrem sábado?")
	edit["edited_message"] = edit["message"]
	delete(edit, "message")
	if st := post(secret, edit); st != http.StatusOK {
		t.Fatalf("edit: %d", st)
	}
	var msgs []store.Message
	g.db.Where("channel_id = ? AND direction = ?", channelID, store.DirectionInbound).Find(&msgs)
	if len(msgs) != 1 || msgs[0].Body != "Bom dia! Vocês abrem sábado?" || msgs[0].EditedAt == nil {
		t.Errorf("inbound messages %+v, want one, edited", msgs)
	}
	if st, _ := g.admin.call(http.MethodPatch, "/api/v1/channels/"+channelID, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatal("deactivate")
	}
	eventually(t, 20*time.Second, func() error {
		if url, _ := g.bot.Webhook(); url != "" {
			return fmt.Errorf("webhook still set: %s", url)
		}
		return nil
	})
}

// A bad token fails the activation at its first step with Telegram's
// reason, shown on the channel.
func TestTelegramBadTokenFailsActivation(t *testing.T) {
	g := newTelegramStack(t, "sqlite", "")
	st, ch := g.admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot",
		"settings": map[string]any{"bot_token": "7000001:AAHwrongwrongwrongwrongwrongwrongwr"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	eventually(t, 20*time.Second, func() error {
		_, got := g.admin.call(http.MethodGet, "/api/v1/channels/"+ch["id"].(string), nil, nil)
		act, _ := got["activation"].(map[string]any)
		if act == nil || act["state"] != "failed" || !strings.Contains(fmt.Sprint(act["error"]), "token") || got["status"] != store.ChannelDisconnected {
			return fmt.Errorf("channel %v", got)
		}
		return nil
	})
	// A malformed token never gets that far.
	st, bad := g.admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Bot", "settings": map[string]any{"bot_token": "abc"}}, nil)
	if st != http.StatusUnprocessableEntity || bad["field"] != "settings.bot_token" {
		t.Errorf("malformed token: %d %v", st, bad)
	}
}

// jpeg is the smallest file the attachment store's sniffing takes as a JPEG.
var jpeg = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0}, 64)...)
