package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// Automation evaluates automation rules and performs the actions that
// reach outside the conversation (webhooks). The conversation workflow
// applies the others itself, as the owner of the ticket.
type Automation struct {
	DB       *gorm.DB
	Rules    *rules.Cache
	HTTP     *http.Client
	Temporal client.Client // scheduled rules act on conversations through their workflows
	NoRules  *NoRules      // shared with Conversations; nil asks the database every time
}

// NoRules remembers, for a few seconds, whether an account has any enabled
// automation rule for an event: every customer message asks, and most
// accounts have no rule for most events. A nil *NoRules remembers nothing.
type NoRules struct {
	verdicts sync.Map // accountID + "|" + event -> verdict
}

// verdict is what the database said about an account's rules for an
// event, trusted until the time it holds.
type verdict struct {
	none  bool
	until time.Time
}

// noneFor is how long a verdict is trusted: a new rule applies after it.
// A stale "has rules" only costs a rule lookup that finds none.
const noneFor = 5 * time.Second

func (n *NoRules) cached(accountID, event string) (v verdict, ok bool) {
	if n == nil {
		return v, false
	}
	got, ok := n.verdicts.Load(accountID + "|" + event)
	if !ok {
		return v, false
	}
	v = got.(verdict)
	return v, time.Now().Before(v.until)
}

// known tells whether the account is known to have no rules for the event.
func (n *NoRules) known(accountID, event string) bool {
	v, ok := n.cached(accountID, event)
	return ok && v.none
}

func (n *NoRules) remember(accountID, event string, none bool) {
	if n != nil {
		n.verdicts.Store(accountID+"|"+event, verdict{none: none, until: time.Now().Add(noneFor)})
	}
}

// enabledAutomations selects the account's enabled automation rules of
// an event.
func enabledAutomations(db *gorm.DB, accountID, event string) *gorm.DB {
	return db.Where("account_id = ? AND kind = ? AND enabled AND event = ?", accountID, "automation", event)
}

// Check tells whether the account has no enabled automation rule for the
// event, asking the database unless the answer is known already.
func (n *NoRules) Check(ctx context.Context, db *gorm.DB, accountID, event string) (bool, error) {
	if v, ok := n.cached(accountID, event); ok {
		return v.none, nil
	}
	var count int64
	if err := enabledAutomations(db.WithContext(ctx).Model(&store.Rule{}), accountID, event).Count(&count).Error; err != nil {
		return false, err
	}
	n.remember(accountID, event, count == 0)
	return count == 0, nil
}

// AutomationInput names the event.
type AutomationInput struct {
	AccountID      string
	ConversationID string
	Event          string
	// conversation.idle: rules whose wait is in (IdleFrom, IdleFor] run, so
	// each rule fires once per quiet spell.
	IdleFrom, IdleFor time.Duration
}

// MatchedRule is an automation rule whose condition held, with its
// actions in order.
type MatchedRule struct {
	RuleID  string
	Name    string
	Actions []rules.Action
}

// MatchAutomations returns the enabled automation rules of the event whose
// conditions hold for the conversation now, in order. A rule that fails to
// compile or evaluate, or refers to a deleted agent or team, is skipped
// and the reason recorded on the conversation's rule trail.
func (a *Automation) MatchAutomations(ctx context.Context, in AutomationInput) ([]MatchedRule, error) {
	if a.NoRules.known(in.AccountID, in.Event) {
		return nil, nil
	}
	var rs []store.Rule
	if err := enabledAutomations(a.DB.WithContext(ctx), in.AccountID, in.Event).
		Order("position, created_at").Find(&rs).Error; err != nil {
		return nil, err
	}
	a.NoRules.remember(in.AccountID, in.Event, len(rs) == 0)
	if len(rs) == 0 {
		return nil, nil
	}
	var conv store.Conversation
	if err := a.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return nil, err
	}
	hours := AccountHours(ctx, a.DB, in.AccountID)
	var out []MatchedRule
	for _, r := range rs {
		if wait := time.Duration(r.IdleMinutes) * time.Minute; in.Event == rules.ConversationIdle && (wait <= in.IdleFrom || wait > in.IdleFor) {
			continue // this rule waits longer than the conversation has been idle
		}
		skip := func(reason string) { _ = recordRun(a.DB.WithContext(ctx), conv, r.ID, "skipped", reason) }
		prog, err := a.Rules.Get(r.ID, r.Version, r.Event, r.Condition)
		if err != nil {
			skip(err.Error())
			continue
		}
		env, _, err := RuleEnv(ctx, a.DB, r.Event, conv, hours)
		if err != nil {
			return nil, err
		}
		ok, err := rules.Match(prog, env)
		if err != nil {
			skip(err.Error())
			continue
		}
		if !ok {
			continue
		}
		var actions []rules.Action
		if err := json.Unmarshal([]byte(r.Actions), &actions); err != nil {
			skip("actions unreadable: " + err.Error())
			continue
		}
		if missing := a.missingRefs(ctx, r.AccountID, actions); missing != "" {
			skip(missing)
			continue
		}
		_ = recordRun(a.DB.WithContext(ctx), conv, r.ID, "matched", in.Event)
		out = append(out, MatchedRule{RuleID: r.ID, Name: r.Name, Actions: actions})
	}
	return out, nil
}

func (a *Automation) missingRefs(ctx context.Context, accountID string, actions []rules.Action) string {
	for i, act := range actions {
		var n int64
		switch {
		case act.UserID != "":
			a.DB.WithContext(ctx).Model(&store.User{}).Where("id = ? AND account_id = ? AND active", act.UserID, accountID).Count(&n)
			if n == 0 {
				return fmt.Sprintf("action %d: the agent no longer exists or is deactivated", i+1)
			}
		case act.TeamID != "":
			a.DB.WithContext(ctx).Model(&store.Team{}).Where("id = ? AND account_id = ?", act.TeamID, accountID).Count(&n)
			if n == 0 {
				return fmt.Sprintf("action %d: the team no longer exists", i+1)
			}
		case act.StageID != "":
			a.DB.WithContext(ctx).Model(&store.Stage{}).Where("id = ? AND account_id = ?", act.StageID, accountID).Count(&n)
			if n == 0 {
				return fmt.Sprintf("action %d: the CRM stage no longer exists", i+1)
			}
		case act.Type == "send_quick_reply":
			a.DB.WithContext(ctx).Model(&store.QuickReply{}).Where("account_id = ? AND shortcut = ?", accountID, strings.TrimPrefix(act.Text, "/")).Count(&n)
			if n == 0 {
				return fmt.Sprintf("action %d: the quick reply /%s no longer exists", i+1, act.Text)
			}
		}
	}
	return ""
}

// RecordActionInput is one action's result for the rule trail.
type RecordActionInput struct {
	AccountID      string
	ConversationID string
	RuleID         string
	Action         string
	Err            string // "" when the action succeeded
}

// RecordAction writes an action's result on the conversation's rule trail.
func (a *Automation) RecordAction(ctx context.Context, in RecordActionInput) error {
	var conv store.Conversation
	if err := a.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return err
	}
	outcome, detail := "action_ok", in.Action
	if in.Err != "" {
		outcome, detail = "action_failed", in.Action+": "+in.Err
	}
	return recordRun(a.DB.WithContext(ctx), conv, in.RuleID, outcome, detail)
}

// WebhookInput is a rule's webhook action.
type WebhookInput struct {
	URL            string
	RuleID         string
	ConversationID string
	Event          string
	IdempotencyKey string // the same for every retry of this action
}

// PostWebhook sends the rule's event to its URL. 2xx succeeds; 4xx other
// than 408 and 429 will not get better and stops; the rest is retried.
func (a *Automation) PostWebhook(ctx context.Context, in WebhookInput) error {
	body, _ := json.Marshal(map[string]any{"event": in.Event, "rule_id": in.RuleID, "conversation_id": in.ConversationID, "sent_at": time.Now().UTC()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.URL, bytes.NewReader(body))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("invalid URL: "+err.Error(), "WebhookRefused", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", in.IdempotencyKey)
	client := a.HTTP
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusRequestTimeout || res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return fmt.Errorf("webhook answered %d: %s", res.StatusCode, bytes.TrimSpace(answer))
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("webhook refused (%d): %s", res.StatusCode, bytes.TrimSpace(answer)), "WebhookRefused", nil)
}

// QuickReplyInput names a quick reply by its shortcut.
type QuickReplyInput struct {
	AccountID, Shortcut string
}

// QuickReplyText is the text of a quick reply, for a rule's
// send_quick_reply action.
func (a *Automation) QuickReplyText(ctx context.Context, in QuickReplyInput) (string, error) {
	var qr store.QuickReply
	err := a.DB.WithContext(ctx).Take(&qr, "account_id = ? AND shortcut = ?", in.AccountID, strings.TrimPrefix(in.Shortcut, "/")).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", temporal.NewNonRetryableApplicationError("the quick reply /"+in.Shortcut+" no longer exists", "QuickReplyGone", err)
	}
	return qr.Text, err
}
