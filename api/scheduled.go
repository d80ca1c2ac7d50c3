package api

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// listScheduled lists scheduled messages of a conversation or a card, or
// else the account's pending ones, among the conversations the caller sees.
func (s *Server) listScheduled(c *gin.Context) {
	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "scheduled messages", err)
		return
	}
	p := principal(c)
	visible := sc.where(s.DB.Model(&store.Conversation{}).Select("id").Where("account_id = ?", p.AccountID))
	q := s.DB.WithContext(c).Where("account_id = ? AND conversation_id IN (?)", p.AccountID, visible)
	switch {
	case c.Query("conversation_id") != "":
		q = q.Where("conversation_id = ?", c.Query("conversation_id"))
	case c.Query("card_id") != "":
		q = q.Where("card_id = ?", c.Query("card_id"))
	default:
		q = q.Where("status = ?", store.ScheduledPending)
	}
	var ms []store.ScheduledMessage
	if err := q.Order("send_at").Limit(500).Find(&ms).Error; err != nil {
		s.internalError(c, "scheduled messages", err)
		return
	}
	items := make([]store.ScheduledMessageView, 0, len(ms))
	for _, m := range ms {
		items = append(items, store.ScheduledView(m))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) checkBody(c *gin.Context, body string) bool {
	if strings.TrimSpace(body) == "" || utf8.RuneCountInString(body) > 4096 {
		problem(c, http.StatusUnprocessableEntity, "body: 1 to 4096 characters", "body")
		return false
	}
	return true
}

// checkSendAt reads send_at in the account's time zone; it must be ahead.
func (s *Server) checkSendAt(c *gin.Context, v string) (time.Time, bool) {
	t, ok := parseWhen(v, s.accountZone(c, principal(c).AccountID))
	if !ok {
		problem(c, http.StatusUnprocessableEntity, "send_at: a date and time, e.g. 2026-11-28T09:00 (the account's time zone) or RFC 3339", "send_at")
		return t, false
	}
	if !t.After(time.Now()) {
		problem(c, http.StatusUnprocessableEntity, "send_at: must be in the future", "send_at")
		return t, false
	}
	return t, true
}

// createScheduledRequest is the body createScheduled accepts.
type createScheduledRequest struct {
	ConversationID string `json:"conversation_id"`
	CardID         string `json:"card_id"`
	Body           string `json:"body"`
	SendAt         string `json:"send_at"`
}

// createScheduled schedules a message; its workflow stores it and holds
// the timer.
func (s *Server) createScheduled(c *gin.Context) {
	var req createScheduledRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.ConversationID == "" {
		problem(c, http.StatusUnprocessableEntity, "conversation_id is required", "conversation_id")
		return
	}
	conv, ok := s.visibleConversation(c, req.ConversationID)
	if !ok || !s.checkBody(c, req.Body) {
		return
	}
	sendAt, ok := s.checkSendAt(c, req.SendAt)
	if !ok {
		return
	}
	p := principal(c)
	if req.CardID != "" {
		var n int64
		s.DB.WithContext(c).Model(&store.Card{}).Where("id = ? AND account_id = ?", req.CardID, p.AccountID).Count(&n)
		if n == 0 {
			problem(c, http.StatusUnprocessableEntity, "card_id: no such card", "card_id")
			return
		}
	}
	in := workflows.ScheduledInput{New: activities.NewScheduled{ID: store.NewID(), AccountID: p.AccountID, ConversationID: conv.ID,
		CardID: req.CardID, Body: req.Body, CreatedBy: p.UserID, SendAt: sendAt, CreatedAt: time.Now().UTC()}}
	if err := s.startAndWait(c, p.AccountID, workflows.ScheduledMessageWorkflowID(in.New.ID), workflows.ScheduledMessage, in); err != nil {
		s.internalError(c, "schedule", err)
		return
	}
	s.respondScheduled(c, http.StatusCreated, in.New.ID)
}

func (s *Server) respondScheduled(c *gin.Context, status int, id string) {
	var m store.ScheduledMessage
	if err := s.DB.WithContext(c).Take(&m, "id = ?", id).Error; err != nil {
		s.internalError(c, "scheduled message", err)
		return
	}
	c.JSON(status, store.ScheduledView(m))
}

func (s *Server) scheduledOf(c *gin.Context) (store.ScheduledMessage, bool) {
	var m store.ScheduledMessage
	if err := s.DB.WithContext(c).Take(&m, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such scheduled message", "id")
		return m, false
	}
	_, ok := s.visibleConversation(c, m.ConversationID)
	return m, ok
}

// scheduledUpdate asks the schedule's workflow; once it has fired or was
// canceled it refuses.
func (s *Server) scheduledUpdate(c *gin.Context, m store.ScheduledMessage, name string, args ...any) bool {
	if m.Status != store.ScheduledPending {
		problem(c, http.StatusConflict, "the message is already "+m.Status, "id")
		return false
	}
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ScheduledMessageWorkflowID(m.ID), UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	switch {
	case err == nil:
		return true
	case isRejection(err) || isNotFound(err):
		problem(c, http.StatusConflict, "the message was already sent or canceled", "id")
	default:
		s.internalError(c, "scheduled "+name, err)
	}
	return false
}

// updateScheduledRequest is the body updateScheduled accepts.
type updateScheduledRequest struct {
	Body   *string `json:"body"`
	SendAt *string `json:"send_at"`
}

func (s *Server) updateScheduled(c *gin.Context) {
	m, ok := s.scheduledOf(c)
	if !ok {
		return
	}
	var req updateScheduledRequest
	if !bindJSON(c, &req) {
		return
	}
	edit := workflows.EditScheduledRequest{Body: m.Body, SendAt: m.SendAt}
	if req.Body != nil {
		if !s.checkBody(c, *req.Body) {
			return
		}
		edit.Body = *req.Body
	}
	if req.SendAt != nil {
		if edit.SendAt, ok = s.checkSendAt(c, *req.SendAt); !ok {
			return
		}
	}
	if s.scheduledUpdate(c, m, workflows.UpdateScheduledEdit, edit) {
		s.respondScheduled(c, http.StatusOK, m.ID)
	}
}

func (s *Server) cancelScheduled(c *gin.Context) {
	m, ok := s.scheduledOf(c)
	if ok && s.scheduledUpdate(c, m, workflows.UpdateScheduledCancel) {
		s.respondScheduled(c, http.StatusOK, m.ID)
	}
}

// Follow-ups.

func (s *Server) checkFollowUp(c *gin.Context, title *string, dueAt *string, f *store.FollowUp) bool {
	if title != nil {
		t := strings.TrimSpace(*title)
		if t == "" || utf8.RuneCountInString(t) > 200 {
			problem(c, http.StatusUnprocessableEntity, "title: 1 to 200 characters", "title")
			return false
		}
		f.Title = t
	}
	if dueAt != nil {
		t, ok := parseWhen(*dueAt, s.accountZone(c, principal(c).AccountID))
		if !ok {
			problem(c, http.StatusUnprocessableEntity, "due_at: a date and time, e.g. 2026-11-28T09:00", "due_at")
			return false
		}
		f.DueAt = t
	}
	return true
}

// createFollowUpRequest is the body createFollowUp accepts.
type createFollowUpRequest struct {
	Title *string `json:"title"`
	DueAt *string `json:"due_at"`
}

func (s *Server) createFollowUp(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req createFollowUpRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Title == nil {
		problem(c, http.StatusUnprocessableEntity, "title is required", "title")
		return
	}
	if req.DueAt == nil {
		problem(c, http.StatusUnprocessableEntity, "due_at is required", "due_at")
		return
	}
	p := principal(c)
	now := time.Now().UTC()
	f := store.FollowUp{ID: store.NewID(), AccountID: cd.AccountID, CardID: cd.ID, CreatedAt: now, UpdatedAt: now}
	if p.UserID != "" {
		f.CreatedBy = &p.UserID
	}
	if !s.checkFollowUp(c, req.Title, req.DueAt, &f) {
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		return activities.RecordCardChange(tx, cd, "follow_up", f.Title, p.UserID)
	})
	if err != nil {
		s.internalError(c, "follow-up", err)
		return
	}
	s.notify(p.AccountID)
	s.reloadCards(c, "id = ?", cd.ID)
	c.JSON(http.StatusCreated, followUpView(f))
}

func (s *Server) followUpOf(c *gin.Context) (store.FollowUp, bool) {
	var f store.FollowUp
	if err := s.DB.WithContext(c).Take(&f, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such follow-up", "id")
		return f, false
	}
	return f, true
}

// updateFollowUpRequest is the body updateFollowUp accepts.
type updateFollowUpRequest struct {
	Title *string `json:"title"`
	DueAt *string `json:"due_at"`
	Done  *bool   `json:"done"`
}

func (s *Server) updateFollowUp(c *gin.Context) {
	f, ok := s.followUpOf(c)
	if !ok {
		return
	}
	var req updateFollowUpRequest
	if !bindJSON(c, &req) || !s.checkFollowUp(c, req.Title, req.DueAt, &f) {
		return
	}
	if req.Done != nil {
		f.Done = *req.Done
	}
	if err := s.DB.WithContext(c).Model(&f).Updates(map[string]any{"title": f.Title, "due_at": f.DueAt, "done": f.Done, "updated_at": time.Now().UTC()}).Error; err != nil {
		s.internalError(c, "follow-up", err)
		return
	}
	s.reloadCards(c, "id = ?", f.CardID)
	c.JSON(http.StatusOK, followUpView(f))
}

func (s *Server) deleteFollowUp(c *gin.Context) {
	f, ok := s.followUpOf(c)
	if !ok {
		return
	}
	if err := s.DB.WithContext(c).Delete(&f).Error; err != nil {
		s.internalError(c, "follow-up", err)
		return
	}
	s.reloadCards(c, "id = ?", f.CardID)
	c.Status(http.StatusNoContent)
}

// AgendaItem is one entry of the agenda: a card's due date, a scheduled
// message or a follow-up.
type AgendaItem struct {
	Kind           string    `json:"kind"`
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	At             time.Time `json:"at"`
	CardID         *string   `json:"card_id"`
	PipelineID     *string   `json:"pipeline_id"`
	ConversationID *string   `json:"conversation_id"`
	Status         string    `json:"status"`
	Done           bool      `json:"done"`
}

// agenda lists what falls between from and to (at most 62 days): open
// cards' due dates, follow-ups and scheduled messages; mine=true keeps
// the caller's (cards they are assigned to, what they scheduled).
func (s *Server) agenda(c *gin.Context) {
	from, err1 := time.Parse(time.RFC3339, c.Query("from"))
	to, err2 := time.Parse(time.RFC3339, c.Query("to"))
	if err1 != nil || err2 != nil || !to.After(from) || to.Sub(from) > 62*24*time.Hour {
		problem(c, http.StatusBadRequest, "from and to: RFC 3339 instants, from before to, at most 62 days apart", "from")
		return
	}
	p := principal(c)
	mine := c.Query("mine") == "true"
	db := s.DB.WithContext(c)
	assigned := s.DB.Model(&store.CardAssignee{}).Select("card_id").Where("user_id = ?", p.UserID)
	items := []AgendaItem{}

	cq := db.Where("account_id = ? AND status = ? AND due_at >= ? AND due_at < ?", p.AccountID, store.CardOpen, from.UTC(), to.UTC())
	if mine {
		cq = cq.Where("id IN (?)", assigned)
	}
	var cards []store.Card
	if err := cq.Find(&cards).Error; err != nil {
		s.internalError(c, "agenda", err)
		return
	}
	for _, cd := range cards {
		items = append(items, AgendaItem{Kind: "due", ID: cd.ID, Title: cd.Title, At: cd.DueAt.UTC(), CardID: &cd.ID, PipelineID: &cd.PipelineID, Status: cd.Status})
	}

	fq := db.Where("account_id = ? AND due_at >= ? AND due_at < ?", p.AccountID, from.UTC(), to.UTC())
	if mine {
		fq = fq.Where("(card_id IN (?) OR created_by = ?)", assigned, p.UserID)
	}
	var fus []store.FollowUp
	if err := fq.Find(&fus).Error; err != nil {
		s.internalError(c, "agenda", err)
		return
	}
	pipelines := map[string]string{}
	for _, f := range fus {
		if _, ok := pipelines[f.CardID]; !ok {
			var cd store.Card
			db.Select("pipeline_id").Take(&cd, "id = ?", f.CardID)
			pipelines[f.CardID] = cd.PipelineID
		}
		pid := pipelines[f.CardID]
		items = append(items, AgendaItem{Kind: "follow_up", ID: f.ID, Title: f.Title, At: f.DueAt.UTC(), CardID: &f.CardID, PipelineID: &pid, Done: f.Done, Status: followUpStatus(f)})
	}

	sc, err := s.scopeOf(c)
	if err != nil {
		s.internalError(c, "agenda", err)
		return
	}
	visible := sc.where(s.DB.Model(&store.Conversation{}).Select("id").Where("account_id = ?", p.AccountID))
	sq := db.Where("account_id = ? AND conversation_id IN (?) AND send_at >= ? AND send_at < ? AND status <> ?", p.AccountID, visible, from.UTC(), to.UTC(), store.ScheduledCanceled)
	if mine {
		sq = sq.Where("created_by = ?", p.UserID)
	}
	var sms []store.ScheduledMessage
	if err := sq.Find(&sms).Error; err != nil {
		s.internalError(c, "agenda", err)
		return
	}
	for _, m := range sms {
		it := AgendaItem{Kind: "scheduled_message", ID: m.ID, Title: m.Body, At: m.SendAt.UTC(), CardID: m.CardID, ConversationID: &m.ConversationID, Status: m.Status}
		if m.CardID != nil {
			var cd store.Card
			if db.Select("pipeline_id").Take(&cd, "id = ?", *m.CardID).Error == nil {
				it.PipelineID = &cd.PipelineID
			}
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.Before(items[j].At) })
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func followUpStatus(f store.FollowUp) string {
	if f.Done {
		return "done"
	}
	return "pending"
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
