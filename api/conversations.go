package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// scope is what part of the account's conversations a caller may see.
type scope struct {
	all     bool
	userID  string
	teamIDs []string
	none    bool
}

func (s *Server) scopeOf(c *gin.Context) (scope, error) {
	p := principal(c)
	switch {
	case p.Perms.Has(auth.ViewAllConversations):
		return scope{all: true, userID: p.UserID}, nil
	case p.Perms.Has(auth.ViewTeamConversations):
		var teams []string
		err := s.DB.WithContext(c).Model(&store.TeamMember{}).Where("user_id = ?", p.UserID).Pluck("team_id", &teams).Error
		return scope{userID: p.UserID, teamIDs: teams}, err
	case p.Perms.Has(auth.ViewAssignedConversations):
		return scope{userID: p.UserID}, nil
	}
	return scope{none: true, userID: p.UserID}, nil
}

// where restricts a conversations query to the scope. Team members see
// their teams' tickets, the unrouted queue and their own.
func (sc scope) where(q *gorm.DB) *gorm.DB {
	switch {
	case sc.none:
		return q.Where("1 = 0")
	case sc.all:
		return q
	case sc.teamIDs != nil:
		return q.Where("(conversations.assignee_id = ? OR conversations.team_id IN ? OR (conversations.team_id IS NULL AND conversations.assignee_id IS NULL))", sc.userID, sc.teamIDs)
	}
	return q.Where("conversations.assignee_id = ?", sc.userID)
}

// sees reports whether an event of a conversation with this assignee and
// team is visible in the scope.
func (sc scope) sees(assigneeID, teamID *string) bool {
	switch {
	case sc.none:
		return false
	case sc.all:
		return true
	case assigneeID != nil && *assigneeID == sc.userID:
		return true
	case sc.teamIDs != nil:
		if assigneeID == nil && teamID == nil {
			return true
		}
		for _, t := range sc.teamIDs {
			if teamID != nil && *teamID == t {
				return true
			}
		}
	}
	return false
}

func (s *Server) listConversations(c *gin.Context) {
	p := principal(c)
	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "conversations", err)
		return
	}
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "50"))
	if limit < 1 || limit > 200 {
		problem(c, http.StatusUnprocessableEntity, "limit must be between 1 and 200", "limit")
		return
	}
	q := sc.where(s.DB.WithContext(c).Model(&store.Conversation{}).Where("conversations.account_id = ?", p.AccountID))
	switch c.DefaultQuery("view", "all") {
	case "mine":
		q = q.Where("conversations.assignee_id = ?", p.UserID)
	case "unassigned":
		q = q.Where("conversations.assignee_id IS NULL")
	case "team":
		var teams []string
		s.DB.WithContext(c).Model(&store.TeamMember{}).Where("user_id = ?", p.UserID).Pluck("team_id", &teams)
		q = q.Where("conversations.team_id IN ?", append(teams, ""))
	case "all":
	default:
		problem(c, http.StatusUnprocessableEntity, "view must be mine, unassigned, team or all", "view")
		return
	}
	if v := c.Query("status"); v != "" {
		q = q.Where("conversations.status = ?", v)
	}
	if v := c.Query("channel_id"); v != "" {
		q = q.Where("conversations.channel_id = ?", v)
	}
	if v := c.Query("priority"); v != "" {
		q = q.Where("conversations.priority = ?", v)
	}
	if v := strings.ToLower(c.Query("tag")); v != "" {
		q = q.Where("(',' || conversations.tags || ',') LIKE ?", "%,"+v+",%")
	}
	if v := strings.TrimSpace(c.Query("q")); v != "" {
		like := "%" + strings.ToLower(v) + "%"
		q = q.Where(`(conversations.contact_id IN (SELECT id FROM contacts WHERE account_id = ? AND (LOWER(name) LIKE ? OR phone LIKE ? OR LOWER(email) LIKE ?))
			OR conversations.id IN (SELECT conversation_id FROM messages WHERE account_id = ? AND kind = 'text' AND LOWER(body) LIKE ?))`,
			p.AccountID, like, like, like, p.AccountID, like)
	}
	// Cursor: the updated_at and id of the last row of the previous page.
	if cur := c.Query("cursor"); cur != "" {
		at, id, ok := strings.Cut(cur, "_")
		ts, err := time.Parse(time.RFC3339Nano, at)
		if !ok || err != nil {
			problem(c, http.StatusUnprocessableEntity, "cursor is not one this API returned", "cursor")
			return
		}
		q = q.Where("(conversations.updated_at < ? OR (conversations.updated_at = ? AND conversations.id < ?))", ts, ts, id)
	}
	var convs []store.Conversation
	if err := q.Order("conversations.updated_at DESC, conversations.id DESC").Limit(limit + 1).Find(&convs).Error; err != nil {
		s.internalError(c, "conversations", err)
		return
	}
	var next *string
	if len(convs) > limit {
		convs = convs[:limit]
		last := convs[limit-1]
		cur := last.UpdatedAt.UTC().Format(time.RFC3339Nano) + "_" + last.ID
		next = &cur
	}
	views, err := store.ConversationViews(c, s.DB, convs)
	if err != nil {
		s.internalError(c, "conversations", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": views, "next_cursor": next})
}

// visibleConversation loads a conversation of the caller's account that
// the caller may see; it answers 404 itself otherwise.
func (s *Server) visibleConversation(c *gin.Context, id string) (store.Conversation, bool) {
	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "conversation", err)
		return store.Conversation{}, false
	}
	var conv store.Conversation
	err = sc.where(s.DB.WithContext(c).Where("conversations.id = ? AND conversations.account_id = ?", id, principal(c).AccountID)).Take(&conv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		problem(c, http.StatusNotFound, "no such conversation", "id")
		return conv, false
	}
	if err != nil {
		s.internalError(c, "conversation", err)
		return conv, false
	}
	return conv, true
}

// ContactDetail is the contact panel.
type ContactDetail struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Phone      string         `json:"phone"`
	Email      string         `json:"email"`
	Identities []IdentityJSON `json:"identities"`
	Tags       []string       `json:"tags"`
	Past       []store.Ref    `json:"past_conversations"`
}

// IdentityJSON is how a contact is known on a channel.
type IdentityJSON struct {
	ChannelID   string `json:"channel_id"`
	ChannelKind string `json:"channel_kind"`
	ExternalID  string `json:"external_id"`
}

func (s *Server) getConversation(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	view, err := store.ConversationViewOf(c, s.DB, conv)
	if err != nil {
		s.internalError(c, "conversation", err)
		return
	}
	detail, err := s.contactDetail(c, conv.ContactID)
	if err != nil {
		s.internalError(c, "conversation", err)
		return
	}
	c.JSON(http.StatusOK, ConversationDetail{ConversationView: view, Contact: detail})
}

// ConversationDetail is one conversation with its contact in full.
type ConversationDetail struct {
	store.ConversationView
	Contact ContactDetail `json:"contact"` // in place of the list's reference
}

func (s *Server) contactDetail(ctx context.Context, contactID string) (ContactDetail, error) {
	var ct store.Contact
	if err := s.DB.WithContext(ctx).Take(&ct, "id = ?", contactID).Error; err != nil {
		return ContactDetail{}, err
	}
	d := ContactDetail{ID: ct.ID, Name: ct.Name, Phone: ct.Phone, Email: ct.Email, Identities: []IdentityJSON{}, Tags: []string{}, Past: []store.Ref{}}
	err := s.DB.WithContext(ctx).Table("contact_identities ci").
		Select("ci.channel_id, channels.kind AS channel_kind, ci.external_id").
		Joins("JOIN channels ON channels.id = ci.channel_id").Where("ci.contact_id = ?", ct.ID).Scan(&d.Identities).Error
	if err != nil {
		return d, err
	}
	var convs []store.Conversation
	if err := s.DB.WithContext(ctx).Where("contact_id = ?", ct.ID).Order("created_at DESC").Find(&convs).Error; err != nil {
		return d, err
	}
	seen := map[string]bool{}
	for _, cv := range convs {
		d.Past = append(d.Past, store.Ref{ID: cv.ID, Name: cv.Status + " · " + cv.CreatedAt.Format("2006-01-02")})
		for _, t := range store.SplitTags(cv.Tags) {
			if !seen[t] {
				seen[t] = true
				d.Tags = append(d.Tags, t)
			}
		}
	}
	return d, nil
}

// contactMessages pages through every ticket of a contact, newest page
// first, each page oldest first.
func (s *Server) contactMessages(c *gin.Context) {
	p := principal(c)
	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "messages", err)
		return
	}
	var n int64
	err = sc.where(s.DB.WithContext(c).Model(&store.Conversation{}).
		Where("conversations.contact_id = ? AND conversations.account_id = ?", c.Param("id"), p.AccountID)).Count(&n).Error
	if err != nil {
		s.internalError(c, "messages", err)
		return
	}
	if n == 0 {
		problem(c, http.StatusNotFound, "no such contact, or none of its conversations is visible to you", "id")
		return
	}
	q := s.DB.WithContext(c).Where("contact_id = ? AND account_id = ?", c.Param("id"), p.AccountID)
	if cur := c.Query("cursor"); cur != "" {
		q = q.Where("id < ?", cur) // ids are time-ordered UUIDs
	}
	const page = 100
	var msgs []store.Message
	if err := q.Order("id DESC").Limit(page + 1).Find(&msgs).Error; err != nil {
		s.internalError(c, "messages", err)
		return
	}
	var next *string
	if len(msgs) > page {
		msgs = msgs[:page]
		next = &msgs[page-1].ID
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	views, err := store.MessageViews(c, s.DB, msgs)
	if err != nil {
		s.internalError(c, "messages", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": views, "next_cursor": next})
}

// update runs a workflow update on the conversation's running ticket and
// maps its refusals to HTTP.
func (s *Server) update(c *gin.Context, conv store.Conversation, name string, arg any, out any) bool {
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: conv.WorkflowID, RunID: conv.RunID, UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err == nil {
		return true
	}
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		problem(c, http.StatusConflict, "conversation is closed; reopen it first", "id")
	case insufficientBalance(c, err):
	case strings.Contains(err.Error(), "window closed"):
		problem(c, http.StatusUnprocessableEntity, "window closed: send an approved template", "body")
	case isRejection(err):
		problem(c, http.StatusConflict, rejection(err), "")
	default:
		s.internalError(c, "update "+name, err)
	}
	return false
}

// isRejection tells a validator's refusal (an application error) from an
// infrastructure failure.
func isRejection(err error) bool {
	var app interface{ Message() string }
	return errors.As(err, &app)
}

func rejection(err error) string {
	var app interface{ Message() string }
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// sendMessageRequest is the body sendMessage accepts.
type sendMessageRequest struct {
	Body string `json:"body"`
	Kind string `json:"kind"`
	// HumanAgentTag is ignored: the channel's human-agent setting decides
	// (kept so older clients' requests still validate).
	HumanAgentTag bool     `json:"human_agent_tag"`
	AttachmentIDs []string `json:"attachment_ids"`
	// Template sends an approved template instead of free text (the only
	// kind of message once WhatsApp's 24 h window has closed).
	Template *templateRequest `json:"template"`
	// ReplyToID is the message answered (in a thread of comments, the
	// comment; its latest one when absent).
	ReplyToID string `json:"reply_to_id"`
}

type templateRequest struct {
	ID     string   `json:"id"`
	Params []string `json:"params"`
}

func (s *Server) sendMessage(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	var req sendMessageRequest
	if !bindJSON(c, &req) {
		return
	}
	template := ""
	if req.Template != nil {
		var ok bool
		if req.Body, template, ok = s.templateSend(c, conv, *req.Template); !ok {
			return
		}
		req.Kind, req.AttachmentIDs = store.KindText, nil
	}
	if strings.TrimSpace(req.Body) == "" && len(req.AttachmentIDs) == 0 {
		problem(c, http.StatusUnprocessableEntity, "body is required (or attach a file)", "body")
		return
	}
	if len([]rune(req.Body)) > 4096 {
		problem(c, http.StatusUnprocessableEntity, "body must be at most 4096 characters", "body")
		return
	}
	if limit := s.maxText(c, conv); limit > 0 && req.Kind != store.KindNote && len([]rune(req.Body)) > limit {
		problem(c, http.StatusUnprocessableEntity, fmt.Sprintf("body must be at most %d characters on this channel", limit), "body")
		return
	}
	if req.Kind != "" && req.Kind != store.KindText && req.Kind != store.KindNote && req.Kind != store.KindComment {
		problem(c, http.StatusUnprocessableEntity, "kind must be text, note or comment", "kind")
		return
	}
	if req.Kind != store.KindNote && s.externalReplies(c, conv) {
		problem(c, http.StatusUnprocessableEntity, "replies on this channel are written on the provider's own site, by the person (LinkedIn); write a private note (kind note) here", "body")
		return
	}
	if req.Kind == store.KindComment && !s.commentThread(c, conv) {
		problem(c, http.StatusUnprocessableEntity, "kind comment (a public reply) is for conversations about a post's comments", "kind")
		return
	}
	if req.Kind == store.KindComment && len(req.AttachmentIDs) > 0 {
		problem(c, http.StatusUnprocessableEntity, "a public reply to a comment carries text only", "attachment_ids")
		return
	}
	p := principal(c)
	if err := attachments.Check(s.DB.WithContext(c), p.AccountID, p.UserID, req.AttachmentIDs); err != nil {
		var fe *channels.FieldError
		if errors.As(err, &fe) {
			problem(c, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
		} else if errors.Is(err, attachments.ErrNotYours) {
			problem(c, http.StatusUnprocessableEntity, err.Error(), "attachment_ids")
		} else {
			s.internalError(c, "send", err)
		}
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 {
		problem(c, http.StatusUnprocessableEntity, "Idempotency-Key must be at most 200 characters", "Idempotency-Key")
		return
	}
	if key == "" {
		key = uuid.NewString()
	}
	// Keys are per account; prefixing with the caller keeps two integrators'
	// keys from colliding.
	key = p.ActorID() + ":" + key
	var res workflows.SendResult
	// The human-agent tag is the channel's setting: its ticket carries the
	// longer window only when Meta approved it, so every send may use it.
	if !s.update(c, conv, workflows.UpdateSend, workflows.SendRequest{UserID: p.UserID, Body: req.Body, Note: req.Kind == store.KindNote,
		Comment: req.Kind == store.KindComment, ReplyToID: req.ReplyToID,
		IdempotencyKey: key, HumanAgentTag: true, AttachmentIDs: req.AttachmentIDs, Template: template}, &res) {
		return
	}
	s.respondMessage(c, http.StatusCreated, res.MessageID)
}

func (s *Server) respondMessage(c *gin.Context, status int, id string) {
	var msg store.Message
	if err := s.DB.WithContext(c).Take(&msg, "id = ?", id).Error; err != nil {
		s.internalError(c, "message", err)
		return
	}
	views, err := store.MessageViews(c, s.DB, []store.Message{msg})
	if err != nil {
		s.internalError(c, "message", err)
		return
	}
	c.JSON(status, views[0])
}

func (s *Server) retryMessage(c *gin.Context) {
	var msg store.Message
	err := s.DB.WithContext(c).Take(&msg, "id = ? AND account_id = ? AND direction = ?", c.Param("id"), principal(c).AccountID, store.DirectionOutbound).Error
	if err != nil || msg.ConversationID == nil {
		problem(c, http.StatusNotFound, "no such outbound message", "id")
		return
	}
	conv, ok := s.visibleConversation(c, *msg.ConversationID)
	if !ok {
		return
	}
	if msg.Status != store.MessageFailed {
		problem(c, http.StatusConflict, "only a failed message can be retried", "id")
		return
	}
	var res workflows.SendResult
	if !s.update(c, conv, workflows.UpdateRetry, workflows.RetryRequest{MessageID: msg.ID}, &res) {
		return
	}
	s.respondMessage(c, http.StatusOK, msg.ID)
}

func (s *Server) markRead(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	if conv.AssigneeID != nil && *conv.AssigneeID == principal(c).UserID {
		// The offered agent opened it: the distribution's offer is taken.
		s.signalDistribution(c, conv.ID, workflows.SignalOpened, workflows.OpenedSignal{UserID: principal(c).UserID})
	}
	if conv.Unread == 0 {
		c.Status(http.StatusNoContent)
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&conv).Update("unread", 0).Error; err != nil {
			return err
		}
		conv.Unread = 0
		v, err := store.ConversationViewOf(c, tx, conv)
		if err != nil {
			return err
		}
		return events.Append(tx, conv.AccountID, events.ConversationUpdated, &conv, v)
	})
	if err != nil {
		s.internalError(c, "read", err)
		return
	}
	s.notify(conv.AccountID)
	s.markReadAtProvider(c, conv)
	c.Status(http.StatusNoContent)
}

// markReadAtProvider tells the customer their messages were read, for
// kinds that can (WhatsApp's blue ticks), in the background: the agent's
// screen does not wait for the provider.
func (s *Server) markReadAtProvider(c *gin.Context, conv store.Conversation) {
	var ch store.Channel
	if s.Temporal == nil || s.DB.WithContext(c).Select("id, kind").Take(&ch, "id = ?", conv.ChannelID).Error != nil {
		return
	}
	a, _ := s.channels().Adapter(ch.Kind)
	if _, reads := a.(channels.Reader); !reads {
		return
	}
	opts := client.StartWorkflowOptions{ID: workflows.MarkReadWorkflowID(conv.ID), TaskQueue: s.Inbox.Queue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}
	in := activities.ReadInput{AccountID: conv.AccountID, ChannelID: ch.ID, ConversationID: conv.ID}
	if _, err := s.Temporal.ExecuteWorkflow(c, opts, workflows.MarkRead, in); err != nil {
		s.Logger.Warn("read receipts not sent", "conversation", conv.ID, "error", err)
	}
}

func (s *Server) notify(accountID string) {
	if s.Bus != nil {
		s.Bus.Notify(accountID)
	}
}

// conversationAction answers a ticket change with the new view.
func (s *Server) conversationAction(name string, decode func(c *gin.Context, p auth.Principal) (any, bool)) gin.HandlerFunc {
	return func(c *gin.Context) {
		conv, ok := s.visibleConversation(c, c.Param("id"))
		if !ok {
			return
		}
		arg, ok := decode(c, principal(c))
		if !ok {
			return
		}
		if !s.update(c, conv, name, arg, nil) {
			return
		}
		if name == workflows.UpdateClose || name == workflows.UpdateTransfer || name == workflows.UpdateAssign {
			s.recheckQueues(c, conv.AccountID)
		}
		if err := s.DB.WithContext(c).Take(&conv, "id = ?", conv.ID).Error; err != nil {
			s.internalError(c, name, err)
			return
		}
		v, err := store.ConversationViewOf(c, s.DB, conv)
		if err != nil {
			s.internalError(c, name, err)
			return
		}
		c.JSON(http.StatusOK, v)
	}
}

// assignRequest is the body of POST /conversations/:id/assign.
type assignRequest struct {
	UserID *string `json:"user_id"`
}

func (s *Server) decodeAssign(c *gin.Context, p auth.Principal) (any, bool) {
	var req assignRequest
	if !bindJSON(c, &req) {
		return nil, false
	}
	id := ""
	if req.UserID != nil && *req.UserID != "" {
		var n int64
		s.DB.WithContext(c).Model(&store.User{}).Where("id = ? AND account_id = ? AND active", *req.UserID, p.AccountID).Count(&n)
		if n == 0 {
			problem(c, http.StatusUnprocessableEntity, "no active user with this id in the account", "user_id")
			return nil, false
		}
		id = *req.UserID
	}
	return workflows.AssignRequest{UserID: id, By: p.UserID}, true
}

// transferRequest is the body of POST /conversations/:id/transfer.
type transferRequest struct {
	TeamID string `json:"team_id"`
}

func (s *Server) decodeTransfer(c *gin.Context, p auth.Principal) (any, bool) {
	var req transferRequest
	if !bindJSON(c, &req) {
		return nil, false
	}
	var n int64
	s.DB.WithContext(c).Model(&store.Team{}).Where("id = ? AND account_id = ?", req.TeamID, p.AccountID).Count(&n)
	if n == 0 {
		problem(c, http.StatusUnprocessableEntity, "no team with this id in the account", "team_id")
		return nil, false
	}
	return workflows.TransferRequest{TeamID: req.TeamID, By: p.UserID}, true
}

// tagsRequest is the body of POST /conversations/:id/tags.
type tagsRequest struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}

func decodeTags(c *gin.Context, _ auth.Principal) (any, bool) {
	var req tagsRequest
	if !bindJSON(c, &req) {
		return nil, false
	}
	for _, t := range append(req.Add, req.Remove...) {
		if strings.Contains(t, ",") || len(t) > 50 {
			problem(c, http.StatusUnprocessableEntity, "a tag has at most 50 characters and no commas", "add")
			return nil, false
		}
	}
	return workflows.TagsRequest{Add: req.Add, Remove: req.Remove}, true
}

// priorityRequest is the body of POST /conversations/:id/priority.
type priorityRequest struct {
	Priority string `json:"priority"`
}

func decodePriority(c *gin.Context, _ auth.Principal) (any, bool) {
	var req priorityRequest
	if !bindJSON(c, &req) {
		return nil, false
	}
	for _, p := range workflows.Priorities {
		if p == req.Priority {
			return workflows.PriorityRequest{Priority: p}, true
		}
	}
	problem(c, http.StatusUnprocessableEntity, "priority must be one of "+strings.Join(workflows.Priorities, ", "), "priority")
	return nil, false
}

// snoozeRequest is the body of POST /conversations/:id/snooze.
type snoozeRequest struct {
	Until time.Time `json:"until"`
}

func decodeSnooze(c *gin.Context, _ auth.Principal) (any, bool) {
	var req snoozeRequest
	if !bindJSON(c, &req) {
		return nil, false
	}
	if !req.Until.After(time.Now()) {
		problem(c, http.StatusUnprocessableEntity, "until must be a future RFC 3339 time", "until")
		return nil, false
	}
	return workflows.SnoozeRequest{Until: req.Until}, true
}

func decodeClose(c *gin.Context, p auth.Principal) (any, bool) {
	return workflows.CloseRequest{UserID: p.UserID}, true
}

// reopen reopens a snoozed ticket in place, or starts a new run that
// carries a closed ticket on.
func (s *Server) reopen(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	if conv.Status != store.StatusClosed {
		s.conversationAction(workflows.UpdateReopen, decodeClose)(c)
		return
	}
	_, err := s.Temporal.ExecuteWorkflow(c, client.StartWorkflowOptions{
		ID: conv.WorkflowID, TaskQueue: s.Inbox.Queue(), WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.Conversation, workflows.ConversationInput{AccountID: conv.AccountID, ChannelID: conv.ChannelID, ContactID: conv.ContactID, ThreadKey: conv.ThreadKey, ConversationID: conv.ID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		problem(c, http.StatusConflict, "the contact already has a newer open conversation on this channel", "id")
		return
	}
	if err != nil {
		s.internalError(c, "reopen", err)
		return
	}
	// The new run marks the ticket open; answer once it has.
	deadline := time.Now().Add(10 * time.Second)
	for conv.Status == store.StatusClosed && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		s.DB.WithContext(c).Take(&conv, "id = ?", conv.ID)
	}
	v, err := store.ConversationViewOf(c, s.DB, conv)
	if err != nil {
		s.internalError(c, "reopen", err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) listChannels(c *gin.Context) {
	var chans []store.Channel
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("name").Find(&chans).Error; err != nil {
		s.internalError(c, "channels", err)
		return
	}
	items := make([]channelItem, len(chans))
	for i, ch := range chans {
		items[i] = channelItem{ID: ch.ID, Kind: ch.Kind, Name: ch.Name, Active: ch.Active, Status: ch.Status, StatusReason: ch.StatusReason}
		if !ch.Active {
			items[i].Status = store.ChannelInactive
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// signalDistribution tells a conversation's distribution workflow
// something; a distribution that already ended is not an error.
func (s *Server) signalDistribution(ctx context.Context, conversationID, signal string, arg any) {
	err := s.Temporal.SignalWorkflow(ctx, workflows.DistributionWorkflowID(conversationID), "", signal, arg)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		s.Logger.Warn("signal distribution", "conversation", conversationID, "signal", signal, "error", err)
	}
}

// recheckQueues wakes the account's waiting distributions after capacity
// may have freed (an agent came online, a conversation closed); each one
// checks whether it is first in line. Their own timers catch anything
// this misses.
func (s *Server) recheckQueues(ctx context.Context, accountID string) {
	var ids []string
	s.DB.WithContext(ctx).Model(&store.Conversation{}).
		Where("account_id = ? AND queued_at IS NOT NULL AND assignee_id IS NULL AND status <> ?", accountID, store.StatusClosed).
		Order("queued_at").Limit(50).Pluck("id", &ids)
	for _, id := range ids {
		s.signalDistribution(ctx, id, workflows.SignalRecheck, nil)
	}
}

// channelItem is a channel in the list every user may read.
type channelItem struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Active       bool   `json:"active"`
	Status       string `json:"status"` // see ChannelJSON
	StatusReason string `json:"status_reason"`
}

// maxText is the longest text the conversation's channel takes; 0: no
// limit known.
// externalReplies tells whether the conversation's replies are written on
// the provider's own site (LinkedIn).
func (s *Server) externalReplies(c *gin.Context, conv store.Conversation) bool {
	var ch store.Channel
	if s.DB.WithContext(c).Select("kind").Take(&ch, "id = ?", conv.ChannelID).Error != nil {
		return false
	}
	return s.channels().Capabilities(ch.Kind).ExternalReplies
}

func (s *Server) maxText(c *gin.Context, conv store.Conversation) int {
	var ch store.Channel
	if s.DB.WithContext(c).Select("kind").Take(&ch, "id = ?", conv.ChannelID).Error != nil {
		return 0
	}
	return s.channels().Capabilities(ch.Kind).MaxText
}
