package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/egress"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/workflows"
)

// Rule kinds.
const (
	ruleDistribution = "distribution"
	ruleAutomation   = "automation"
)

// Action is one step of an automation rule.
type Action = rules.Action

// actionTypes are the automation actions and what each needs.
var actionTypes = map[string]string{
	"assign_agent": "user_id", "assign_team": "team_id", "add_tag": "tag", "remove_tag": "tag",
	"set_priority": "priority", "send_message": "text", "add_note": "text", "snooze": "minutes", "close": "", "webhook": "url",
	"send_quick_reply": "text", "create_card": "stage_id", "move_card": "stage_id",
}

// RuleJSON is a rule as the API shows it, with warnings about references
// that no longer exist (such a rule is skipped when it runs).
type RuleJSON struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Name          string    `json:"name"`
	Event         string    `json:"event"`
	Condition     string    `json:"condition"`
	Position      int       `json:"position"`
	Enabled       bool      `json:"enabled"`
	Version       int       `json:"version"`
	Strategy      string    `json:"strategy,omitempty"`
	TargetTeamID  *string   `json:"target_team_id"`
	TargetUserIDs []string  `json:"target_user_ids"`
	OfferTimeoutS int       `json:"offer_timeout_s"`
	IdleMinutes   int       `json:"idle_minutes"`
	Schedule      string    `json:"schedule"`
	Actions       []Action  `json:"actions"`
	Warnings      []string  `json:"warnings"`
	UpdatedAt     time.Time `json:"updated_at"`
}

type ruleRequest struct {
	Kind          string   `json:"kind"`
	Name          string   `json:"name"`
	Event         string   `json:"event"`
	Condition     string   `json:"condition"`
	Position      *int     `json:"position"`
	Enabled       *bool    `json:"enabled"`
	Strategy      string   `json:"strategy"`
	TargetTeamID  *string  `json:"target_team_id"`
	TargetUserIDs []string `json:"target_user_ids"`
	OfferTimeoutS int      `json:"offer_timeout_s"`
	IdleMinutes   int      `json:"idle_minutes"`
	Schedule      string   `json:"schedule"` // scheduled rules: cron in the account's time zone
	Actions       []Action `json:"actions"`
}

// compileProblem answers a condition that does not compile with 422 and
// where the error is.
func compileProblem(c *gin.Context, err error) {
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"type": "about:blank", "title": "Invalid condition", "status": 422,
			"detail": "condition: " + ce.Error(), "field": "condition", "line": ce.Line, "column": ce.Column})
		return
	}
	problem(c, http.StatusUnprocessableEntity, err.Error(), "event")
}

// validateRule checks everything but references to teams and users, which
// may disappear later and are reported as warnings instead.
func validateRule(r ruleRequest, allowPrivate bool) error {
	switch {
	case r.Kind != ruleDistribution && r.Kind != ruleAutomation:
		return &auth.FieldError{Field: "kind", Reason: "must be distribution or automation"}
	case strings.TrimSpace(r.Name) == "":
		return &auth.FieldError{Field: "name", Reason: "is required"}
	case r.OfferTimeoutS < 0 || r.OfferTimeoutS > 3600:
		return &auth.FieldError{Field: "offer_timeout_s", Reason: "must be between 0 and 3600 seconds"}
	case r.Event == rules.ConversationIdle && (r.IdleMinutes < 1 || r.IdleMinutes > 10080):
		return &auth.FieldError{Field: "idle_minutes", Reason: "a conversation.idle rule needs 1 to 10080 minutes without activity"}
	case r.Event == rules.Scheduled && r.Kind != ruleAutomation:
		return &auth.FieldError{Field: "event", Reason: "only automation rules run on a schedule"}
	}
	if r.Event == rules.Scheduled {
		if err := rules.CheckCron(r.Schedule); err != nil {
			return &auth.FieldError{Field: "schedule", Reason: err.Error()}
		}
	}
	if r.Kind == ruleDistribution {
		if !slices.Contains(rules.Strategies, r.Strategy) {
			return &auth.FieldError{Field: "strategy", Reason: "must be one of " + strings.Join(rules.Strategies, ", ")}
		}
		if (r.TargetTeamID == nil || *r.TargetTeamID == "") && len(r.TargetUserIDs) == 0 {
			return &auth.FieldError{Field: "target_team_id", Reason: "a distribution rule targets a team or listed agents"}
		}
		return nil
	}
	if len(r.Actions) == 0 {
		return &auth.FieldError{Field: "actions", Reason: "an automation rule needs at least one action"}
	}
	for i, a := range r.Actions {
		need, ok := actionTypes[a.Type]
		field := fmt.Sprintf("actions[%d]", i)
		if !ok {
			return &auth.FieldError{Field: field + ".type", Reason: "unknown action " + strconv.Quote(a.Type)}
		}
		empty := map[string]bool{"user_id": a.UserID == "", "team_id": a.TeamID == "", "tag": a.Tag == "", "priority": a.Priority == "",
			"text": strings.TrimSpace(a.Text) == "", "minutes": a.Minutes <= 0, "url": !strings.HasPrefix(a.URL, "https://") && !strings.HasPrefix(a.URL, "http://"),
			"stage_id": a.StageID == ""}
		if need != "" && empty[need] {
			return &auth.FieldError{Field: field + "." + need, Reason: "is required for " + a.Type}
		}
		if a.Type == "webhook" {
			if err := egress.CheckURL(a.URL, allowPrivate); err != nil {
				return &auth.FieldError{Field: field + ".url", Reason: err.Error()}
			}
		}
		if a.Type == "set_priority" && !slices.Contains(workflows.Priorities, a.Priority) {
			return &auth.FieldError{Field: field + ".priority", Reason: "must be one of " + strings.Join(workflows.Priorities, ", ")}
		}
	}
	return nil
}

func (s *Server) ruleJSON(c *gin.Context, r store.Rule) RuleJSON {
	var actions []Action
	_ = json.Unmarshal([]byte(r.Actions), &actions)
	if actions == nil {
		actions = []Action{}
	}
	out := RuleJSON{ID: r.ID, Kind: r.Kind, Name: r.Name, Event: r.Event, Condition: r.Condition, Position: r.Position, Enabled: r.Enabled,
		Version: r.Version, Strategy: r.Strategy, TargetTeamID: r.TargetTeamID, TargetUserIDs: store.SplitTags(r.TargetUserIDs),
		OfferTimeoutS: r.OfferTimeoutS, IdleMinutes: r.IdleMinutes, Schedule: r.Schedule, Actions: actions, Warnings: []string{}, UpdatedAt: r.UpdatedAt}
	exists := func(table, id string, extra string) bool {
		var n int64
		q := s.DB.WithContext(c).Table(table).Where("id = ? AND account_id = ?", id, r.AccountID)
		if extra != "" {
			q = q.Where(extra)
		}
		q.Count(&n)
		return n > 0
	}
	if r.TargetTeamID != nil && *r.TargetTeamID != "" && !exists("teams", *r.TargetTeamID, "") {
		out.Warnings = append(out.Warnings, "target team no longer exists: the rule is skipped")
	}
	for _, u := range out.TargetUserIDs {
		if !exists("users", u, "active") {
			out.Warnings = append(out.Warnings, "target agent "+u+" no longer exists or is deactivated")
		}
	}
	for i, a := range actions {
		if a.UserID != "" && !exists("users", a.UserID, "active") {
			out.Warnings = append(out.Warnings, fmt.Sprintf("action %d: agent no longer exists or is deactivated: the rule is skipped", i+1))
		}
		if a.TeamID != "" && !exists("teams", a.TeamID, "") {
			out.Warnings = append(out.Warnings, fmt.Sprintf("action %d: team no longer exists: the rule is skipped", i+1))
		}
		if a.StageID != "" && !exists("stages", a.StageID, "") {
			out.Warnings = append(out.Warnings, fmt.Sprintf("action %d: CRM stage no longer exists: the rule is skipped", i+1))
		}
		if a.Type == "send_quick_reply" && !s.quickReplyExists(c, r.AccountID, a.Text) {
			out.Warnings = append(out.Warnings, fmt.Sprintf("action %d: quick reply /%s no longer exists: the rule is skipped", i+1, a.Text))
		}
	}
	return out
}

func (s *Server) listRules(c *gin.Context) {
	q := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("kind, position, created_at")
	if k := c.Query("kind"); k != "" {
		q = q.Where("kind = ?", k)
	}
	var rs []store.Rule
	if err := q.Find(&rs).Error; err != nil {
		s.internalError(c, "rules", err)
		return
	}
	items := make([]RuleJSON, len(rs))
	for i, r := range rs {
		items[i] = s.ruleJSON(c, r)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "events": rules.Events, "strategies": rules.Strategies})
}

// validateConditionRequest is the body validateCondition accepts.
type validateConditionRequest struct {
	Event     string `json:"event"`
	Condition string `json:"condition"`
}

// validateCondition is the editor's live check.
func (s *Server) validateCondition(c *gin.Context) {
	var req validateConditionRequest
	if !bindJSON(c, &req) {
		return
	}
	if _, err := rules.Compile(req.Event, req.Condition); err != nil {
		compileProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, validity{Valid: true})
}

func (s *Server) saveRule(c *gin.Context) {
	p := principal(c)
	var r store.Rule
	var req ruleRequest
	if id := c.Param("id"); id != "" {
		if err := s.DB.WithContext(c).Take(&r, "id = ? AND account_id = ?", id, p.AccountID).Error; err != nil {
			problem(c, http.StatusNotFound, "no such rule", "id")
			return
		}
		// A PATCH changes only the fields it sends: start from the rule.
		cur := s.ruleJSON(c, r)
		req = ruleRequest{Kind: cur.Kind, Name: cur.Name, Event: cur.Event, Condition: cur.Condition, Position: &cur.Position,
			Enabled: &cur.Enabled, Strategy: cur.Strategy, TargetTeamID: cur.TargetTeamID, TargetUserIDs: cur.TargetUserIDs,
			OfferTimeoutS: cur.OfferTimeoutS, IdleMinutes: cur.IdleMinutes, Schedule: cur.Schedule, Actions: cur.Actions}
	}
	if !bindJSON(c, &req) {
		return
	}
	if s.fieldOrInternal(c, "rule", validateRule(req, s.AllowPrivateURLs)) {
		return
	}
	if _, err := rules.Compile(req.Event, req.Condition); err != nil {
		compileProblem(c, err)
		return
	}
	actions, _ := json.Marshal(req.Actions)
	if req.Actions == nil {
		actions = []byte("[]")
	}
	isNew := r.ID == ""
	if isNew {
		r = store.Rule{ID: store.NewID(), AccountID: p.AccountID, Enabled: true}
		var n int64
		s.DB.WithContext(c).Model(&store.Rule{}).Where("account_id = ? AND kind = ?", p.AccountID, req.Kind).Count(&n)
		r.Position = int(n)
	}
	r.Kind, r.Name, r.Event, r.Condition, r.Strategy = req.Kind, strings.TrimSpace(req.Name), req.Event, req.Condition, req.Strategy
	r.TargetTeamID, r.TargetUserIDs, r.OfferTimeoutS, r.Actions = req.TargetTeamID, strings.Join(req.TargetUserIDs, ","), req.OfferTimeoutS, string(actions)
	r.IdleMinutes = req.IdleMinutes
	r.Schedule = ""
	if req.Event == rules.Scheduled {
		r.Schedule = strings.Join(strings.Fields(req.Schedule), " ")
	}
	r.Version++
	if req.Position != nil {
		r.Position = *req.Position
	}
	if req.Enabled != nil {
		r.Enabled = *req.Enabled
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "rule.saved", r.ID, fmt.Sprintf("%s v%d", r.Name, r.Version))
	})
	if err != nil {
		s.internalError(c, "rule", err)
		return
	}
	if err := s.syncRuleSchedule(c, r); err != nil {
		s.internalError(c, "rule schedule", err)
		return
	}
	status := http.StatusOK
	if isNew {
		status = http.StatusCreated
	}
	c.JSON(status, s.ruleJSON(c, r))
}

func (s *Server) deleteRule(c *gin.Context) {
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var r store.Rule
		if err := tx.Take(&r, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
			return err
		}
		if err := tx.Delete(&r).Error; err != nil {
			return err
		}
		if r.Schedule != "" {
			if err := s.deleteRuleSchedule(c, r.ID); err != nil {
				return err
			}
		}
		return s.audit(c, tx, "rule.deleted", r.ID, r.Name)
	})
	if s.fieldOrInternal(c, "rule", err) {
		return
	}
	c.Status(http.StatusNoContent)
}

// DryRunResult is what a rule would have done to one conversation.
type DryRunResult struct {
	ConversationID string   `json:"conversation_id"`
	Contact        string   `json:"contact"`
	Matched        bool     `json:"matched"`
	Would          []string `json:"would"`
	Error          string   `json:"error,omitempty"`
}

// dryRun evaluates a rule against the account's latest conversations and
// says what it would do, changing nothing.
func (s *Server) dryRun(c *gin.Context) {
	p := principal(c)
	var r store.Rule
	if err := s.DB.WithContext(c).Take(&r, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such rule", "id")
		return
	}
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "20"))
	if limit < 1 || limit > 200 {
		problem(c, http.StatusUnprocessableEntity, "limit must be between 1 and 200", "limit")
		return
	}
	if r.Event == rules.CardMoved {
		problem(c, http.StatusUnprocessableEntity, "dry runs cover conversation, message and scheduled rules", "event")
		return
	}
	prog, err := rules.Compile(r.Event, r.Condition)
	if err != nil {
		compileProblem(c, err)
		return
	}
	var convs []store.Conversation
	if err := s.DB.WithContext(c).Where("account_id = ?", p.AccountID).Order("updated_at DESC").Limit(limit).Find(&convs).Error; err != nil {
		s.internalError(c, "dry run", err)
		return
	}
	hours := activities.AccountHours(c, s.DB, p.AccountID)
	rj := s.ruleJSON(c, r)
	out := make([]DryRunResult, 0, len(convs))
	for _, conv := range convs {
		env, contactName, err := activities.RuleEnv(c, s.DB, r.Event, conv, hours)
		res := DryRunResult{ConversationID: conv.ID, Contact: contactName, Would: []string{}}
		if err == nil {
			res.Matched, err = rules.Match(prog, env)
		}
		if err != nil {
			res.Error = err.Error()
		}
		if res.Matched {
			res.Would = s.describe(c, rj, conv)
		}
		out = append(out, res)
	}
	c.JSON(http.StatusOK, DryRun{RuleID: r.ID, Version: r.Version, Warnings: rj.Warnings, Results: out})
}

// describe says in words what a matching rule would do.
func (s *Server) describe(c *gin.Context, r RuleJSON, conv store.Conversation) []string {
	if len(r.Warnings) > 0 {
		return []string{"skip: " + r.Warnings[0]}
	}
	if r.Kind == ruleDistribution {
		cands, err := activities.Candidates(c, s.DB, r.TargetTeamID, r.TargetUserIDs)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		d := rules.Pick(r.Strategy, cands, "", "")
		if d.AgentID == "" {
			return []string{d.Reason}
		}
		return []string{"assign to " + d.AgentID + " (" + d.Reason + ")"}
	}
	var out []string
	for _, a := range r.Actions {
		switch a.Type {
		case "assign_agent":
			out = append(out, "assign to agent "+a.UserID)
		case "assign_team":
			out = append(out, "transfer to team "+a.TeamID)
		case "add_tag", "remove_tag":
			out = append(out, strings.ReplaceAll(a.Type, "_", " ")+" "+a.Tag)
		case "set_priority":
			out = append(out, "set priority "+a.Priority)
		case "send_message", "add_note":
			out = append(out, strings.ReplaceAll(a.Type, "_", " ")+": "+a.Text)
		case "snooze":
			out = append(out, fmt.Sprintf("snooze for %d minutes", a.Minutes))
		case "close":
			out = append(out, "close the conversation")
		case "webhook":
			out = append(out, "POST to "+a.URL)
		case "send_quick_reply":
			out = append(out, "send quick reply /"+a.Text)
		case "create_card":
			out = append(out, "create a CRM card in stage "+a.StageID)
		case "move_card":
			out = append(out, "move the conversation's CRM cards to stage "+a.StageID)
		}
	}
	return out
}

// ruleTrail lists which rules acted on a conversation and what they did.
func (s *Server) ruleTrail(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	runs := []store.RuleRun{}
	if err := s.DB.WithContext(c).Where("conversation_id = ?", conv.ID).Order("created_at, id").Find(&runs).Error; err != nil {
		s.internalError(c, "rule trail", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": runs})
}

func (s *Server) quickReplyExists(ctx context.Context, accountID, shortcut string) bool {
	var n int64
	s.DB.WithContext(ctx).Model(&store.QuickReply{}).Where("account_id = ? AND shortcut = ?", accountID, strings.TrimPrefix(shortcut, "/")).Count(&n)
	return n > 0
}

// syncRuleSchedule makes the rule's Temporal schedule match it: an enabled
// scheduled rule has one firing at its cron times in the account's time
// zone; any other rule has none.
func (s *Server) syncRuleSchedule(ctx context.Context, r store.Rule) error {
	if r.Event != rules.Scheduled || !r.Enabled {
		if r.Event == rules.Scheduled || r.Schedule != "" {
			return s.deleteRuleSchedule(ctx, r.ID)
		}
		return nil
	}
	var acc store.Account
	if err := s.DB.WithContext(ctx).Select("timezone").Take(&acc, "id = ?", r.AccountID).Error; err != nil {
		return err
	}
	spec := client.ScheduleSpec{CronExpressions: []string{r.Schedule}, TimeZoneName: acc.Timezone}
	action := &client.ScheduleWorkflowAction{ID: workflows.ScheduledRuleWorkflowID(r.ID), Workflow: workflows.ScheduledRule,
		Args: []any{workflows.ScheduledRuleInput{AccountID: r.AccountID, RuleID: r.ID}}, TaskQueue: s.Inbox.Queue()}
	sc := s.Temporal.ScheduleClient()
	_, err := sc.Create(ctx, client.ScheduleOptions{ID: workflows.RuleScheduleID(r.ID), Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return err
	}
	return sc.GetHandle(ctx, workflows.RuleScheduleID(r.ID)).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			sched := in.Description.Schedule
			sched.Spec, sched.Action = &spec, action
			return &client.ScheduleUpdate{Schedule: &sched}, nil
		},
	})
}

func (s *Server) deleteRuleSchedule(ctx context.Context, ruleID string) error {
	err := s.Temporal.ScheduleClient().GetHandle(ctx, workflows.RuleScheduleID(ruleID)).Delete(ctx)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil
	}
	return err
}

// runRule starts a scheduled rule now, as if its time had come, for
// integrators and managers who want a run on demand; it answers with the
// run's workflow so its history can be followed.
func (s *Server) runRule(c *gin.Context) {
	var r store.Rule
	if err := s.DB.WithContext(c).Take(&r, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such rule", "id")
		return
	}
	if r.Event != rules.Scheduled || !r.Enabled {
		problem(c, http.StatusUnprocessableEntity, "only an enabled scheduled rule runs on demand; the others run on their event", "id")
		return
	}
	run, err := s.Temporal.ExecuteWorkflow(c, client.StartWorkflowOptions{
		ID: workflows.ScheduledRuleWorkflowID(r.ID) + "/manual-" + store.NewID(), TaskQueue: s.Inbox.Queue(),
	}, workflows.ScheduledRule, workflows.ScheduledRuleInput{AccountID: r.AccountID, RuleID: r.ID})
	if err != nil {
		s.internalError(c, "run rule", err)
		return
	}
	c.JSON(http.StatusAccepted, RuleStarted{RuleID: r.ID, WorkflowID: run.GetID(), RunID: run.GetRunID()})
}

// DryRun is what a rule would have done to the latest conversations.
type DryRun struct {
	RuleID   string         `json:"rule_id"`
	Version  int            `json:"version"`
	Warnings []string       `json:"warnings"`
	Results  []DryRunResult `json:"results"`
}

// RuleStarted names the workflow a manual run of a rule started.
type RuleStarted struct {
	RuleID     string `json:"rule_id"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// validity answers a valid condition (an invalid one is a 422 problem).
type validity struct {
	Valid bool `json:"valid"`
}
