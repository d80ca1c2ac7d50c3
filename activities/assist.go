package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/ai"
	"github.com/chatspot/chatspot/internal/store"
)

// Error types of AI Assist the API maps to plain answers.
const (
	ErrAINotConfigured = "AINotConfigured"
	ErrAIModuleOff     = "AIModuleOff"
	ErrAIQuota         = "AIQuota"
	ErrAIInput         = "AIInput"
	ErrAIBusy          = "AIBusy"
)

// Assist runs AI Assist operations for the conversation workflow.
type Assist struct {
	DB         *gorm.DB
	AI         *ai.Assistant
	MonthlyCap int // requests per account per month; 0 means no cap
}

// AssistInput is an agent's request on their draft.
type AssistInput struct {
	AccountID      string
	ConversationID string
	Operation      string
	Draft          string
	TargetLanguage string
	Audience       string
}

// contextTurns is how many recent messages the model sees.
const contextTurns = 10

// Suggest checks the account may use AI Assist, counts the request against
// the monthly cap, gives the model the last messages of the conversation
// and returns its suggestion. It never sends anything.
func (a *Assist) Suggest(ctx context.Context, in AssistInput) (string, error) {
	if !a.AI.Configured() {
		return "", temporal.NewNonRetryableApplicationError(ai.ErrNotConfigured.Error(), ErrAINotConfigured, nil)
	}
	var acc store.Account
	if err := a.DB.WithContext(ctx).Take(&acc, "id = ?", in.AccountID).Error; err != nil {
		return "", err
	}
	if !slices.Contains(store.SplitTags(acc.Modules), "ai") {
		return "", temporal.NewNonRetryableApplicationError("the AI Assist module is not enabled for this account", ErrAIModuleOff, nil)
	}
	var conv store.Conversation
	if err := a.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return "", err
	}
	req := ai.Request{Operation: in.Operation, Draft: in.Draft, TargetLanguage: in.TargetLanguage, Audience: in.Audience, Language: "pt-BR"}
	if _, err := ai.Prompt(req); err != nil { // bad input is refused before it counts
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrAIInput, nil)
	}
	if activity.GetInfo(ctx).Attempt == 1 { // a retry is the same request
		if err := a.count(ctx, in.AccountID); err != nil {
			return "", err
		}
	}
	var contact store.Contact
	a.DB.WithContext(ctx).Select("name").Take(&contact, "id = ?", conv.ContactID)
	var ch store.Channel
	a.DB.WithContext(ctx).Select("kind").Take(&ch, "id = ?", conv.ChannelID)
	var msgs []store.Message
	if err := a.DB.WithContext(ctx).Where("contact_id = ? AND channel_id = ? AND kind = ?", conv.ContactID, conv.ChannelID, store.KindText).
		Order("created_at DESC").Limit(contextTurns).Find(&msgs).Error; err != nil {
		return "", err
	}
	slices.Reverse(msgs)
	for _, m := range msgs {
		if strings.TrimSpace(m.Body) != "" {
			req.Context = append(req.Context, ai.Turn{FromCustomer: m.Direction == store.DirectionInbound, Text: m.Body})
		}
	}
	req.Contact, req.Channel = contact.Name, ch.Kind
	text, err := a.AI.Suggest(ctx, req)
	switch {
	case errors.Is(err, ai.ErrBusy), errors.Is(err, ai.ErrTimeout):
		return "", temporal.NewApplicationError(err.Error(), ErrAIBusy)
	case err != nil:
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrAIBusy, nil)
	}
	return text, nil
}

// count takes one request of the month's allowance, atomically.
func (a *Assist) count(ctx context.Context, accountID string) error {
	month := time.Now().UTC().Format("2006-01")
	db := a.DB.WithContext(ctx)
	if err := db.Exec("INSERT INTO ai_usage (account_id, month, requests) VALUES (?, ?, 0) ON CONFLICT DO NOTHING", accountID, month).Error; err != nil {
		return err
	}
	q := db.Table("ai_usage").Where("account_id = ? AND month = ?", accountID, month)
	if a.MonthlyCap > 0 {
		q = q.Where("requests < ?", a.MonthlyCap)
	}
	res := q.Update("requests", gorm.Expr("requests + 1"))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("quota reached: this account used its %d AI Assist requests this month", a.MonthlyCap), ErrAIQuota, nil)
	}
	return nil
}
