package api

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// requireModule refuses every request of an account without the module.
func (s *Server) requireModule(module, name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var acc store.Account
		if err := s.DB.WithContext(c).Select("modules").Take(&acc, "id = ?", principal(c).AccountID).Error; err != nil {
			s.internalError(c, "account", err)
			return
		}
		if !hasModule(acc.Modules, module) {
			problem(c, http.StatusForbidden, "the "+name+" module is not enabled for this account", "")
			return
		}
		c.Next()
	}
}

// accountZone is the account's time zone (America/Sao_Paulo when unset or
// unknown): scheduled times without an offset are read in it.
func (s *Server) accountZone(ctx context.Context, accountID string) *time.Location {
	var acc store.Account
	if err := s.DB.WithContext(ctx).Select("timezone").Take(&acc, "id = ?", accountID).Error; err == nil && acc.Timezone != "" {
		if loc, err := time.LoadLocation(acc.Timezone); err == nil {
			return loc
		}
	}
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.UTC
	}
	return loc
}

// parseWhen reads an RFC 3339 instant, or a wall-clock time
// ("2026-11-28T09:00" or with seconds) in loc, as a datetime-local field
// sends it.
func parseWhen(v string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// startAndWait starts (or finds) the account's workflow with this
// business key on the inbox's queue and waits until it is ready.
func (s *Server) startAndWait(ctx context.Context, accountID, id string, wf any, arg any) error {
	return activities.StartAndWait(ctx, s.Temporal, client.StartWorkflowOptions{ID: id, TaskQueue: s.Inbox.Queue(),
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AccountIDKey.ValueSet(accountID))}, wf, arg)
}

// Pipelines and stages.

// StageView is a stage with its quick replies and open card count.
type StageView struct {
	ID           string           `json:"id"`
	PipelineID   string           `json:"pipeline_id"`
	Name         string           `json:"name"`
	Position     int              `json:"position"`
	EntryMessage string           `json:"entry_message"`
	StaleDays    int              `json:"stale_days"`
	CardCount    int              `json:"card_count"`
	QuickReplies []StageReplyView `json:"quick_replies"`
}

// StageReplyView is a stage's quick reply.
type StageReplyView struct {
	ID      string `json:"id"`
	StageID string `json:"stage_id"`
	Title   string `json:"title"`
	Text    string `json:"text"`
}

// PipelineView is a pipeline with its stages in order.
type PipelineView struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Position int         `json:"position"`
	Stages   []StageView `json:"stages"`
}

func (s *Server) pipelineViews(ctx context.Context, accountID string, ids ...string) ([]PipelineView, error) {
	db := s.DB.WithContext(ctx)
	q := db.Where("account_id = ?", accountID)
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	var ps []store.Pipeline
	if err := q.Order("position, created_at").Find(&ps).Error; err != nil {
		return nil, err
	}
	out := make([]PipelineView, 0, len(ps))
	for _, p := range ps {
		var stages []store.Stage
		if err := db.Where("pipeline_id = ?", p.ID).Order("position, created_at").Find(&stages).Error; err != nil {
			return nil, err
		}
		v := PipelineView{ID: p.ID, Name: p.Name, Position: p.Position, Stages: []StageView{}}
		for _, st := range stages {
			sv, err := s.stageView(ctx, st)
			if err != nil {
				return nil, err
			}
			v.Stages = append(v.Stages, sv)
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) stageView(ctx context.Context, st store.Stage) (StageView, error) {
	db := s.DB.WithContext(ctx)
	v := StageView{ID: st.ID, PipelineID: st.PipelineID, Name: st.Name, Position: st.Position, EntryMessage: st.EntryMessage,
		StaleDays: st.StaleDays, QuickReplies: []StageReplyView{}}
	var n int64
	if err := db.Model(&store.Card{}).Where("stage_id = ? AND status = ?", st.ID, store.CardOpen).Count(&n).Error; err != nil {
		return v, err
	}
	v.CardCount = int(n)
	var qrs []store.StageQuickReply
	if err := db.Where("stage_id = ?", st.ID).Order("created_at").Find(&qrs).Error; err != nil {
		return v, err
	}
	for _, q := range qrs {
		v.QuickReplies = append(v.QuickReplies, StageReplyView{ID: q.ID, StageID: q.StageID, Title: q.Title, Text: q.Text})
	}
	return v, nil
}

func (s *Server) listPipelines(c *gin.Context) {
	ps, err := s.pipelineViews(c, principal(c).AccountID)
	if err != nil {
		s.internalError(c, "pipelines", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ps})
}

// defaultStages are a new pipeline's stages when none are given.
var defaultStages = []string{"Novo", "Em andamento", "Concluído"}

func validName(c *gin.Context, field, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" || utf8.RuneCountInString(v) > 80 {
		problem(c, http.StatusUnprocessableEntity, field+": 1 to 80 characters", field)
		return "", false
	}
	return v, true
}

// createPipelineRequest is the body createPipeline accepts.
type createPipelineRequest struct {
	Name   string   `json:"name"`
	Stages []string `json:"stages"`
}

func (s *Server) createPipeline(c *gin.Context) {
	var req createPipelineRequest
	if !bindJSON(c, &req) {
		return
	}
	name, ok := validName(c, "name", req.Name)
	if !ok {
		return
	}
	if len(req.Stages) == 0 {
		req.Stages = defaultStages
	}
	if len(req.Stages) > 30 {
		problem(c, http.StatusUnprocessableEntity, "stages: at most 30", "stages")
		return
	}
	for i, st := range req.Stages {
		if req.Stages[i], ok = validName(c, "stages", st); !ok {
			return
		}
	}
	accountID := principal(c).AccountID
	p := store.Pipeline{ID: store.NewID(), AccountID: accountID, Name: name}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Pipeline{}).Where("account_id = ?", accountID).Count(&n).Error; err != nil {
			return err
		}
		p.Position = int(n)
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		for i, st := range req.Stages {
			if err := tx.Create(&store.Stage{ID: store.NewID(), AccountID: accountID, PipelineID: p.ID, Name: st, Position: i}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.internalError(c, "pipeline", err)
		return
	}
	s.respondPipeline(c, http.StatusCreated, p.ID)
}

func (s *Server) respondPipeline(c *gin.Context, status int, id string) {
	ps, err := s.pipelineViews(c, principal(c).AccountID, id)
	if err != nil || len(ps) == 0 {
		s.internalError(c, "pipeline", err)
		return
	}
	c.JSON(status, ps[0])
}

func (s *Server) pipelineOf(c *gin.Context, id string) (store.Pipeline, bool) {
	var p store.Pipeline
	if err := s.DB.WithContext(c).Take(&p, "id = ? AND account_id = ?", id, principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such pipeline", "id")
		return p, false
	}
	return p, true
}

// updatePipelineRequest is the body updatePipeline accepts.
type updatePipelineRequest struct {
	Name string `json:"name"`
}

func (s *Server) updatePipeline(c *gin.Context) {
	p, ok := s.pipelineOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req updatePipelineRequest
	if !bindJSON(c, &req) {
		return
	}
	name, ok := validName(c, "name", req.Name)
	if !ok {
		return
	}
	if err := s.DB.WithContext(c).Model(&p).Update("name", name).Error; err != nil {
		s.internalError(c, "pipeline", err)
		return
	}
	s.respondPipeline(c, http.StatusOK, p.ID)
}

// deletePipeline removes a pipeline whose cards are all closed (won, lost
// or archived), with them; open cards must be closed first.
func (s *Server) deletePipeline(c *gin.Context) {
	p, ok := s.pipelineOf(c, c.Param("id"))
	if !ok {
		return
	}
	var open int64
	if err := s.DB.WithContext(c).Model(&store.Card{}).Where("pipeline_id = ? AND status = ?", p.ID, store.CardOpen).Count(&open).Error; err != nil {
		s.internalError(c, "pipeline", err)
		return
	}
	if open > 0 {
		problem(c, http.StatusConflict, "the pipeline still has open cards; win, lose or archive them first", "id")
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		cards := tx.Model(&store.Card{}).Select("id").Where("pipeline_id = ?", p.ID)
		if err := tx.Model(&store.ScheduledMessage{}).Where("card_id IN (?)", cards).Update("card_id", nil).Error; err != nil {
			return err
		}
		for _, m := range []any{&store.CardAssignee{}, &store.CardConversation{}, &store.CardNote{}, &store.CardEvent{}, &store.FollowUp{}} {
			if err := tx.Where("card_id IN (?)", cards).Delete(m).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("pipeline_id = ?", p.ID).Delete(&store.Card{}).Error; err != nil {
			return err
		}
		stages := tx.Model(&store.Stage{}).Select("id").Where("pipeline_id = ?", p.ID)
		if err := tx.Where("stage_id IN (?)", stages).Delete(&store.StageQuickReply{}).Error; err != nil {
			return err
		}
		if err := tx.Where("pipeline_id = ?", p.ID).Delete(&store.Stage{}).Error; err != nil {
			return err
		}
		return tx.Delete(&p).Error
	})
	if err != nil {
		s.internalError(c, "pipeline", err)
		return
	}
	c.Status(http.StatusNoContent)
}

type stageRequest struct {
	Name         *string `json:"name"`
	EntryMessage *string `json:"entry_message"`
	StaleDays    *int    `json:"stale_days"`
}

// apply validates the fields given and copies them onto st.
func (r stageRequest) apply(c *gin.Context, st *store.Stage) bool {
	if r.Name != nil {
		name, ok := validName(c, "name", *r.Name)
		if !ok {
			return false
		}
		st.Name = name
	}
	if r.EntryMessage != nil {
		if utf8.RuneCountInString(*r.EntryMessage) > 4096 {
			problem(c, http.StatusUnprocessableEntity, "entry_message: at most 4096 characters", "entry_message")
			return false
		}
		st.EntryMessage = strings.TrimSpace(*r.EntryMessage)
	}
	if r.StaleDays != nil {
		if *r.StaleDays < 0 || *r.StaleDays > 365 {
			problem(c, http.StatusUnprocessableEntity, "stale_days: 0 (off) to 365", "stale_days")
			return false
		}
		st.StaleDays = *r.StaleDays
	}
	return true
}

func (s *Server) createStage(c *gin.Context) {
	p, ok := s.pipelineOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req stageRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Name == nil {
		problem(c, http.StatusUnprocessableEntity, "name: 1 to 80 characters", "name")
		return
	}
	st := store.Stage{ID: store.NewID(), AccountID: p.AccountID, PipelineID: p.ID}
	if !req.apply(c, &st) {
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Stage{}).Where("pipeline_id = ?", p.ID).Count(&n).Error; err != nil {
			return err
		}
		st.Position = int(n)
		return tx.Create(&st).Error
	})
	if err != nil {
		s.internalError(c, "stage", err)
		return
	}
	s.respondStage(c, http.StatusCreated, st)
}

func (s *Server) respondStage(c *gin.Context, status int, st store.Stage) {
	v, err := s.stageView(c, st)
	if err != nil {
		s.internalError(c, "stage", err)
		return
	}
	c.JSON(status, v)
}

func (s *Server) stageOf(c *gin.Context, id string) (store.Stage, bool) {
	var st store.Stage
	if err := s.DB.WithContext(c).Take(&st, "id = ? AND account_id = ?", id, principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such stage", "id")
		return st, false
	}
	return st, true
}

func (s *Server) updateStage(c *gin.Context) {
	st, ok := s.stageOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req stageRequest
	if !bindJSON(c, &req) || !req.apply(c, &st) {
		return
	}
	if err := s.DB.WithContext(c).Model(&st).Updates(map[string]any{"name": st.Name, "entry_message": st.EntryMessage, "stale_days": st.StaleDays}).Error; err != nil {
		s.internalError(c, "stage", err)
		return
	}
	if req.StaleDays != nil {
		s.reloadCards(c, "stage_id = ?", st.ID)
	}
	s.respondStage(c, http.StatusOK, st)
}

// reloadCards tells the workflows of the open cards matching the query to
// re-read their card (a due date or a stage's stale days changed).
func (s *Server) reloadCards(ctx context.Context, query string, args ...any) {
	var ids []string
	if err := s.DB.WithContext(ctx).Model(&store.Card{}).Where("status = ?", store.CardOpen).Where(query, args...).Pluck("id", &ids).Error; err != nil {
		s.Logger.Warn("reload cards", "error", err)
		return
	}
	for _, id := range ids {
		if err := s.Temporal.SignalWorkflow(ctx, workflows.CardWorkflowID(id), "", workflows.SignalCardReload, nil); err != nil {
			s.Logger.Warn("reload card", "card", id, "error", err)
		}
	}
}

// reorderStagesRequest is the body reorderStages accepts.
type reorderStagesRequest struct {
	StageIDs []string `json:"stage_ids"`
}

func (s *Server) reorderStages(c *gin.Context) {
	p, ok := s.pipelineOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req reorderStagesRequest
	if !bindJSON(c, &req) {
		return
	}
	var ids []string
	if err := s.DB.WithContext(c).Model(&store.Stage{}).Where("pipeline_id = ?", p.ID).Pluck("id", &ids).Error; err != nil {
		s.internalError(c, "stages", err)
		return
	}
	if !sameSet(ids, req.StageIDs) {
		problem(c, http.StatusUnprocessableEntity, "stage_ids: list every stage of the pipeline exactly once", "stage_ids")
		return
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		for i, id := range req.StageIDs {
			if err := tx.Model(&store.Stage{}).Where("id = ?", id).Update("position", i).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.internalError(c, "stages", err)
		return
	}
	s.respondPipeline(c, http.StatusOK, p.ID)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}

// deleteStage removes a stage; its open cards go to the stage move_to
// names (without entry messages: it is a reorganisation, not a step of
// the deal), and without move_to a stage with cards is refused.
func (s *Server) deleteStage(c *gin.Context) {
	st, ok := s.stageOf(c, c.Param("id"))
	if !ok {
		return
	}
	var cards int64
	if err := s.DB.WithContext(c).Model(&store.Card{}).Where("stage_id = ?", st.ID).Count(&cards).Error; err != nil {
		s.internalError(c, "stage", err)
		return
	}
	var target store.Stage
	if cards > 0 {
		moveTo := c.Query("move_to")
		if moveTo == "" {
			problem(c, http.StatusConflict, "the stage has cards; say which stage they move to (move_to)", "move_to")
			return
		}
		if moveTo == st.ID || s.DB.WithContext(c).Take(&target, "id = ? AND pipeline_id = ?", moveTo, st.PipelineID).Error != nil {
			problem(c, http.StatusUnprocessableEntity, "move_to: another stage of the same pipeline", "move_to")
			return
		}
	}
	var moved []string
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if cards > 0 {
			if err := tx.Model(&store.Card{}).Where("stage_id = ?", st.ID).Pluck("id", &moved).Error; err != nil {
				return err
			}
			var last int
			if err := tx.Model(&store.Card{}).Where("stage_id = ?", target.ID).Select("COALESCE(MAX(position), -1)").Scan(&last).Error; err != nil {
				return err
			}
			now := time.Now().UTC()
			for i, id := range moved {
				if err := tx.Model(&store.Card{}).Where("id = ?", id).
					Updates(map[string]any{"stage_id": target.ID, "position": last + 1 + i, "entered_stage_at": now, "updated_at": now}).Error; err != nil {
					return err
				}
			}
		}
		if err := tx.Where("stage_id = ?", st.ID).Delete(&store.StageQuickReply{}).Error; err != nil {
			return err
		}
		return tx.Delete(&st).Error
	})
	if err != nil {
		s.internalError(c, "stage", err)
		return
	}
	if len(moved) > 0 {
		s.reloadCards(c, "id IN ?", moved)
	}
	c.Status(http.StatusNoContent)
}

type stageReplyRequest struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

func (r *stageReplyRequest) valid(c *gin.Context) bool {
	var ok bool
	if r.Title, ok = validName(c, "title", r.Title); !ok {
		return false
	}
	if strings.TrimSpace(r.Text) == "" || utf8.RuneCountInString(r.Text) > 4096 {
		problem(c, http.StatusUnprocessableEntity, "text: 1 to 4096 characters", "text")
		return false
	}
	return true
}

func (s *Server) createStageReply(c *gin.Context) {
	st, ok := s.stageOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req stageReplyRequest
	if !bindJSON(c, &req) || !req.valid(c) {
		return
	}
	q := store.StageQuickReply{ID: store.NewID(), AccountID: st.AccountID, StageID: st.ID, Title: req.Title, Text: req.Text}
	if err := s.DB.WithContext(c).Create(&q).Error; err != nil {
		s.internalError(c, "quick reply", err)
		return
	}
	c.JSON(http.StatusCreated, StageReplyView{ID: q.ID, StageID: q.StageID, Title: q.Title, Text: q.Text})
}

func (s *Server) updateStageReply(c *gin.Context) {
	var q store.StageQuickReply
	if err := s.DB.WithContext(c).Take(&q, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such quick reply", "id")
		return
	}
	var req stageReplyRequest
	if !bindJSON(c, &req) || !req.valid(c) {
		return
	}
	if err := s.DB.WithContext(c).Model(&q).Updates(map[string]any{"title": req.Title, "text": req.Text}).Error; err != nil {
		s.internalError(c, "quick reply", err)
		return
	}
	c.JSON(http.StatusOK, StageReplyView{ID: q.ID, StageID: q.StageID, Title: req.Title, Text: req.Text})
}

func (s *Server) deleteStageReply(c *gin.Context) {
	res := s.DB.WithContext(c).Where("id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Delete(&store.StageQuickReply{})
	if res.Error != nil {
		s.internalError(c, "quick reply", res.Error)
		return
	}
	if res.RowsAffected == 0 {
		problem(c, http.StatusNotFound, "no such quick reply", "id")
		return
	}
	c.Status(http.StatusNoContent)
}
