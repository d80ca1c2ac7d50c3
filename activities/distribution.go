package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// Non-retryable error types of an assignment: the conversation closed
// meanwhile, or the agent filled up since the decision.
const (
	ErrConversationGone = "ConversationGone"
	ErrAgentFull        = "AgentFull"
)

// Distribution evaluates distribution rules and applies their decisions.
type Distribution struct {
	DB       *gorm.DB
	Temporal client.Client
	Rules    *rules.Cache
}

// DistributionInput names the conversation to distribute.
type DistributionInput struct {
	AccountID      string
	ConversationID string
}

// Plan is the matching rule and everything its strategy needs, so the
// workflow can decide with all inputs in its history.
type Plan struct {
	RuleID       string
	RuleName     string
	Version      int
	Strategy     string
	OfferTimeout time.Duration
	Candidates   []rules.Candidate
	LastAssigned string // the rule's round-robin cursor
	LastAgent    string // the contact's previous agent, for sticky
	Closed       bool   // the conversation closed or was assigned by hand meanwhile
	Skipped      []string
}

// MatchRule finds the first enabled distribution rule whose condition
// matches the new conversation. Rules whose team or agents were deleted
// are skipped and named in Skipped.
func (d *Distribution) MatchRule(ctx context.Context, in DistributionInput) (Plan, error) {
	var conv store.Conversation
	if err := d.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return Plan{}, err
	}
	var rs []store.Rule
	if err := d.DB.WithContext(ctx).Where("account_id = ? AND kind = ? AND enabled", in.AccountID, "distribution").
		Order("position, created_at").Find(&rs).Error; err != nil {
		return Plan{}, err
	}
	hours := AccountHours(ctx, d.DB, in.AccountID)
	var plan Plan
	for _, r := range rs {
		prog, err := d.Rules.Get(r.ID, r.Version, r.Event, r.Condition)
		if err != nil {
			plan.Skipped = append(plan.Skipped, r.Name+": "+err.Error())
			continue
		}
		env, _, err := RuleEnv(ctx, d.DB, r.Event, conv, hours)
		if err != nil {
			return Plan{}, err
		}
		ok, err := rules.Match(prog, env)
		if err != nil {
			plan.Skipped = append(plan.Skipped, r.Name+": "+err.Error())
			continue
		}
		if !ok {
			continue
		}
		if missing := d.missingTargets(ctx, r); missing != "" {
			plan.Skipped = append(plan.Skipped, r.Name+": "+missing)
			d.record(ctx, conv, r, "skipped", missing)
			continue
		}
		plan.RuleID, plan.RuleName, plan.Version, plan.Strategy = r.ID, r.Name, r.Version, r.Strategy
		plan.OfferTimeout = time.Duration(r.OfferTimeoutS) * time.Second
		return d.refresh(ctx, plan, conv, r)
	}
	return plan, nil
}

// Refresh reloads the candidates' load for a new decision.
func (d *Distribution) Refresh(ctx context.Context, in DistributionInput, plan Plan) (Plan, error) {
	var conv store.Conversation
	if err := d.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return Plan{}, err
	}
	var r store.Rule
	if err := d.DB.WithContext(ctx).Take(&r, "id = ?", plan.RuleID).Error; err != nil {
		plan.Closed = true // the rule was deleted: stop distributing
		return plan, nil
	}
	return d.refresh(ctx, plan, conv, r)
}

func (d *Distribution) refresh(ctx context.Context, plan Plan, conv store.Conversation, r store.Rule) (Plan, error) {
	plan.Closed = conv.Status == store.StatusClosed
	cands, err := Candidates(ctx, d.DB, r.TargetTeamID, store.SplitTags(r.TargetUserIDs))
	if err != nil {
		return Plan{}, err
	}
	plan.Candidates, plan.LastAssigned = cands, r.LastAssignedUserID
	var prev store.Conversation
	err = d.DB.WithContext(ctx).Where("contact_id = ? AND id <> ? AND assignee_id IS NOT NULL", conv.ContactID, conv.ID).
		Order("created_at DESC").Take(&prev).Error
	if err == nil {
		plan.LastAgent = *prev.AssigneeID
	}
	return plan, nil
}

func (d *Distribution) missingTargets(ctx context.Context, r store.Rule) string {
	if r.TargetTeamID != nil && *r.TargetTeamID != "" {
		var n int64
		d.DB.WithContext(ctx).Model(&store.Team{}).Where("id = ? AND account_id = ?", *r.TargetTeamID, r.AccountID).Count(&n)
		if n == 0 {
			return "its team no longer exists"
		}
	}
	return ""
}

// AssignInput applies a decision.
type AssignInput struct {
	AccountID      string
	ConversationID string
	RuleID         string
	UserID         string // "" unassigns (an offer that timed out with nobody else)
	Outcome        string // assigned or offered
	Reason         string
	// Fallback are the agents to try, in order, when UserID filled up
	// since the decision.
	Fallback []string
}

// Assign sets the assignee through the conversation's workflow, so the
// ticket's own history shows it, moves the rule's round-robin cursor and
// records the decision on the conversation's rule trail.
func (d *Distribution) Assign(ctx context.Context, in AssignInput) (string, error) {
	var conv store.Conversation
	if err := d.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return "", err
	}
	if conv.Status == store.StatusClosed {
		return "", temporal.NewNonRetryableApplicationError("conversation closed", ErrConversationGone, nil)
	}
	if in.UserID != "" {
		agent, err := d.reserveFirst(ctx, conv, append([]string{in.UserID}, in.Fallback...))
		if err != nil {
			return "", err
		}
		if agent != in.UserID {
			in.Reason += "; " + in.UserID + " filled up meanwhile, so the next in line: " + agent
			in.UserID = agent
		}
	}
	h, err := d.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: conv.WorkflowID, RunID: conv.RunID, UpdateName: "assign", WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{map[string]string{"UserID": in.UserID, "By": "rule:" + in.RuleID}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return "", temporal.NewNonRetryableApplicationError("conversation closed", ErrConversationGone, err)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "", temporal.NewNonRetryableApplicationError(app.Message(), ErrConversationGone, err)
	}
	if err != nil {
		return "", err
	}
	return in.UserID, d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if in.UserID != "" {
			if err := tx.Model(&store.Rule{}).Where("id = ?", in.RuleID).Update("last_assigned_user_id", in.UserID).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&store.Conversation{}).Where("id = ?", conv.ID).Updates(map[string]any{"queued_at": nil, "queue_rule_id": nil}).Error; err != nil {
			return err
		}
		return recordRun(tx, conv, in.RuleID, in.Outcome, in.Reason)
	})
}

// reserveFirst reserves a place with the first agent of the list who has
// one, and returns who; when none has, the ErrAgentFull of the last.
func (d *Distribution) reserveFirst(ctx context.Context, conv store.Conversation, agents []string) (string, error) {
	var err error
	for _, a := range agents {
		if err = d.reserve(ctx, conv, a); err == nil {
			return a, nil
		}
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != ErrAgentFull {
			return "", err
		}
	}
	return "", err
}

// reserve claims one of the agent's free places for the conversation. The
// database arbitrates: on PostgreSQL the agent's row is locked while the
// open conversations are counted, and SQLite runs one writer at a time, so
// concurrent decisions can never put an agent over capacity.
func (d *Distribution) reserve(ctx context.Context, conv store.Conversation, userID string) error {
	return d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u store.User
		q := tx.Where("id = ? AND account_id = ?", userID, conv.AccountID)
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&u).Error; err != nil {
			return err
		}
		var open int64
		if err := tx.Model(&store.Conversation{}).Where("assignee_id = ? AND status <> ? AND id <> ?", userID, store.StatusClosed, conv.ID).
			Count(&open).Error; err != nil {
			return err
		}
		if int(open) >= u.Capacity {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s is at capacity (%d)", u.Name, u.Capacity), ErrAgentFull, nil)
		}
		return tx.Model(&store.Conversation{}).Where("id = ?", conv.ID).Update("assignee_id", userID).Error
	})
}

// QueueInput puts a conversation in (or takes it out of) a rule's queue.
type QueueInput struct {
	AccountID      string
	ConversationID string
	RuleID         string
	Reason         string
}

// Enqueue marks the conversation waiting for the rule's agents; the first
// time only, so its place in the queue is kept.
func (d *Distribution) Enqueue(ctx context.Context, in QueueInput) error {
	var conv store.Conversation
	if err := d.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return err
	}
	if conv.QueuedAt != nil && conv.QueueRuleID != nil && *conv.QueueRuleID == in.RuleID {
		return nil
	}
	return d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&conv).Updates(map[string]any{"queued_at": time.Now().UTC(), "queue_rule_id": in.RuleID}).Error; err != nil {
			return err
		}
		return recordRun(tx, conv, in.RuleID, "queued", in.Reason)
	})
}

// FirstInQueue reports whether the conversation is the longest waiting in
// its rule's queue, so capacity is handed out in order of waiting.
func (d *Distribution) FirstInQueue(ctx context.Context, in QueueInput) (bool, error) {
	var first store.Conversation
	err := d.DB.WithContext(ctx).Where("queue_rule_id = ? AND queued_at IS NOT NULL AND status <> ? AND assignee_id IS NULL", in.RuleID, store.StatusClosed).
		Order("queued_at, id").Take(&first).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return true, nil
	}
	return first.ID == in.ConversationID, err
}

// Record writes an entry of the conversation's rule trail.
func (d *Distribution) Record(ctx context.Context, in AssignInput) error {
	var conv store.Conversation
	if err := d.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return err
	}
	return recordRun(d.DB.WithContext(ctx), conv, in.RuleID, in.Outcome, in.Reason)
}

func (d *Distribution) record(ctx context.Context, conv store.Conversation, r store.Rule, outcome, detail string) {
	_ = recordRun(d.DB.WithContext(ctx), conv, r.ID, outcome, detail)
}

func recordRun(tx *gorm.DB, conv store.Conversation, ruleID, outcome, detail string) error {
	var r store.Rule
	name := "(deleted rule)"
	if tx.Select("name, event").Take(&r, "id = ?", ruleID).Error == nil {
		name = r.Name
	}
	return tx.Create(&store.RuleRun{ID: store.NewID(), AccountID: conv.AccountID, ConversationID: conv.ID, RuleID: ruleID,
		RuleName: name, Event: r.Event, Outcome: outcome, Detail: detail, CreatedAt: time.Now().UTC()}).Error
}

// DistributionWorkflow is the distribution workflow's registered name and
// DistributionIDPrefix its ID's prefix (the workflows package, which
// imports this one, defines both).
const (
	DistributionWorkflow = "Distribution"
	DistributionIDPrefix = "distribution/"
)

// StartDistribution starts a new ticket's distribution workflow. The
// conversation workflow runs it as a local activity rather than starting
// a child: a child's start and end each cost the conversation workflow a
// task of its own, which a burst of new conversations queues on. The ID
// is the ticket's and a finished one is never started again, so a retry
// starts nothing twice.
func (c *Conversations) StartDistribution(ctx context.Context, in DistributionInput) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: DistributionIDPrefix + in.ConversationID, TaskQueue: activity.GetInfo(ctx).TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, DistributionWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
