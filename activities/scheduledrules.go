package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// ScheduledRuleInput is one firing of a scheduled rule; Key (the run's
// id) keeps a retried firing from acting twice.
type ScheduledRuleInput struct {
	AccountID, RuleID, Key string
}

// maxScheduledConversations bounds one firing: the open conversations a
// scheduled rule looks at, most recently active first.
const maxScheduledConversations = 1000

// RunScheduledRule evaluates a scheduled rule over the account's open
// conversations and applies its actions, in order, to each that matches,
// through the conversation's workflow. The conversation's rule trail shows
// the match and every action's result. It returns how many matched.
func (a *Automation) RunScheduledRule(ctx context.Context, in ScheduledRuleInput) (int, error) {
	var r store.Rule
	err := a.DB.WithContext(ctx).Take(&r, "id = ? AND account_id = ? AND enabled AND event = ?", in.RuleID, in.AccountID, rules.Scheduled).Error
	if err != nil {
		return 0, nil // deleted, disabled or changed meanwhile: nothing to do
	}
	prog, err := a.Rules.Get(r.ID, r.Version, r.Event, r.Condition)
	if err != nil {
		return 0, nil
	}
	var actions []rules.Action
	if err := json.Unmarshal([]byte(r.Actions), &actions); err != nil {
		return 0, nil
	}
	if missing := a.missingRefs(ctx, r.AccountID, actions); missing != "" {
		return 0, nil
	}
	var convs []store.Conversation
	if err := a.DB.WithContext(ctx).Where("account_id = ? AND status <> ?", in.AccountID, store.StatusClosed).
		Order("updated_at DESC").Limit(maxScheduledConversations).Find(&convs).Error; err != nil {
		return 0, err
	}
	hours := AccountHours(ctx, a.DB, in.AccountID)
	matched := 0
	for _, conv := range convs {
		env, _, err := RuleEnv(ctx, a.DB, rules.Scheduled, conv, hours)
		if err != nil {
			return matched, err
		}
		if ok, err := rules.Match(prog, env); err != nil || !ok {
			continue
		}
		matched++
		done, err := a.alreadyRan(ctx, conv.ID, r.ID, in.Key)
		if err != nil || done {
			continue
		}
		_ = recordRun(a.DB.WithContext(ctx), conv, r.ID, "matched", "scheduled:"+in.Key)
		for i, act := range actions {
			key := fmt.Sprintf("sched:%s:%s:%d", in.Key, conv.ID, i)
			res := RecordActionInput{AccountID: in.AccountID, ConversationID: conv.ID, RuleID: r.ID, Action: act.Type}
			if err := a.applyToConversations(ctx, []store.Conversation{conv}, r.ID, rules.Scheduled, act, key); err != nil {
				res.Err = err.Error()
			}
			if err := a.RecordAction(ctx, res); err != nil {
				return matched, err
			}
		}
	}
	return matched, nil
}

// alreadyRan reports whether this firing already acted on the
// conversation (a retried activity).
func (a *Automation) alreadyRan(ctx context.Context, conversationID, ruleID, key string) (bool, error) {
	var n int64
	err := a.DB.WithContext(ctx).Model(&store.RuleRun{}).
		Where("conversation_id = ? AND rule_id = ? AND outcome = ? AND detail = ?", conversationID, ruleID, "matched", "scheduled:"+key).Count(&n).Error
	return n > 0, err
}
