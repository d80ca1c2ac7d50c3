package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// CardMovedInput is a card's entry into a stage, for the crm.card.moved
// automation rules; Key identifies the entry, so a retry acts once.
type CardMovedInput struct {
	AccountID, CardID, FromStageID, Key string
}

// RunCardRules evaluates the account's crm.card.moved automation rules for
// the card's move and applies the actions of those that match, in order,
// to the card's open conversations through their workflows (webhooks are
// posted once). Every rule and action result lands in the card's history;
// a failed action is recorded and the next one runs.
func (c *CRM) RunCardRules(ctx context.Context, in CardMovedInput) error {
	var rs []store.Rule
	if err := enabledAutomations(c.DB.WithContext(ctx), in.AccountID, rules.CardMoved).
		Order("position, created_at").Find(&rs).Error; err != nil || len(rs) == 0 {
		return err
	}
	var card store.Card
	if err := c.DB.WithContext(ctx).Take(&card, "id = ? AND account_id = ?", in.CardID, in.AccountID).Error; err != nil {
		return err
	}
	env, err := c.cardEnv(ctx, card, in.FromStageID)
	if err != nil {
		return err
	}
	var convs []store.Conversation
	if err := c.DB.WithContext(ctx).Where("status <> ? AND id IN (?)", store.StatusClosed,
		c.DB.Model(&store.CardConversation{}).Select("conversation_id").Where("card_id = ?", card.ID)).Find(&convs).Error; err != nil {
		return err
	}
	for _, r := range rs {
		note := func(detail string) error {
			return c.write(ctx, card.AccountID, func(tx *gorm.DB) error {
				_, err := addCardEventOnce(tx, card, "rule", r.Name+": "+detail, "", "rule:"+in.Key+":"+r.ID+":"+detail)
				return err
			})
		}
		prog, err := c.Rules.Get(r.ID, r.Version, r.Event, r.Condition)
		if err != nil {
			if err := note("skipped: " + err.Error()); err != nil {
				return err
			}
			continue
		}
		ok, err := rules.Match(prog, env)
		if err != nil || !ok {
			if err != nil {
				if err := note("skipped: " + err.Error()); err != nil {
					return err
				}
			}
			continue
		}
		var actions []rules.Action
		_ = json.Unmarshal([]byte(r.Actions), &actions)
		for i, act := range actions {
			key := fmt.Sprintf("card-rule:%s:%s:%d", in.Key, r.ID, i)
			result := "ok"
			auto := &Automation{DB: c.DB, Temporal: c.Temporal}
			if err := auto.applyToConversations(ctx, convs, r.ID, rules.CardMoved, act, key); err != nil {
				result = "failed: " + err.Error()
			}
			if err := note(fmt.Sprintf("%s %s", act.Type, result)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *CRM) cardEnv(ctx context.Context, card store.Card, fromStageID string) (rules.CardEnv, error) {
	db := c.DB.WithContext(ctx)
	var p store.Pipeline
	var from, to store.Stage
	if err := db.Take(&p, "id = ?", card.PipelineID).Error; err != nil {
		return rules.CardEnv{}, err
	}
	db.Take(&from, "id = ?", fromStageID)
	if err := db.Take(&to, "id = ?", card.StageID).Error; err != nil {
		return rules.CardEnv{}, err
	}
	env := rules.CardEnv{
		Card: rules.Card{ID: card.ID, Title: card.Title, Value: float64(card.ValueCents) / 100, Pipeline: p.Name, FromStage: from.Name,
			ToStage: to.Name, Tags: store.SplitTags(card.Tags)},
		Clock: rules.NewClock(time.Now(), AccountHours(ctx, c.DB, card.AccountID)),
	}
	if card.ContactID != nil {
		var ct store.Contact
		if db.Take(&ct, "id = ?", *card.ContactID).Error == nil {
			env.Contact = rules.Contact{Name: ct.Name, Phone: ct.Phone, Email: ct.Email}
		}
	}
	return env, nil
}

// applyToConversations applies one action of a rule that is not run by a
// conversation's own workflow (crm.card.moved, scheduled) to each of the
// conversations, through their workflows' updates; a webhook is posted
// once.
func (a *Automation) applyToConversations(ctx context.Context, convs []store.Conversation, ruleID, event string, act rules.Action, key string) error {
	if act.Type == "webhook" {
		in := WebhookInput{URL: act.URL, RuleID: ruleID, Event: event, IdempotencyKey: key}
		if len(convs) == 1 {
			in.ConversationID = convs[0].ID
		}
		return a.PostWebhook(ctx, in)
	}
	if len(convs) == 0 {
		return fmt.Errorf("no open conversation to act on")
	}
	var name string
	var arg any
	switch act.Type {
	case "assign_agent":
		name, arg = "assign", map[string]string{"UserID": act.UserID, "By": "rule"}
	case "assign_team":
		name, arg = "transfer", map[string]string{"TeamID": act.TeamID, "By": "rule"}
	case "add_tag":
		name, arg = "tags", map[string][]string{"Add": {act.Tag}}
	case "remove_tag":
		name, arg = "tags", map[string][]string{"Remove": {act.Tag}}
	case "set_priority":
		name, arg = "priority", map[string]string{"Priority": act.Priority}
	case "snooze":
		name, arg = "snooze", map[string]time.Time{"Until": time.Now().Add(time.Duration(act.Minutes) * time.Minute)}
	case "close":
		name, arg = "close", map[string]string{"Reason": "card rule"}
	case "send_message", "add_note":
		for _, conv := range convs {
			req := SendRequest{Body: act.Text, Note: act.Type == "add_note", IdempotencyKey: key + ":" + conv.ID}
			if _, err := SendToConversation(ctx, a.Temporal, activity.GetInfo(ctx).TaskQueue, conv, req); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%s does not apply to a card move", act.Type)
	}
	var failures []string
	for _, conv := range convs {
		h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: conv.WorkflowID, RunID: conv.RunID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil {
			failures = append(failures, err.Error())
		}
	}
	if len(failures) > 0 {
		return fmt.Errorf("%s", strings.Join(failures, "; "))
	}
	return nil
}
