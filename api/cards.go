package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/crm"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// CardContact is the card's customer.
type CardContact struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// CardView is a card as the board shows it. ConversationTags are the tags
// of its linked conversations, so the board shows the support context.
type CardView struct {
	ID               string            `json:"id"`
	PipelineID       string            `json:"pipeline_id"`
	StageID          string            `json:"stage_id"`
	Position         int               `json:"position"`
	Title            string            `json:"title"`
	ValueCents       int64             `json:"value_cents"`
	Contact          *CardContact      `json:"contact"`
	AssigneeIDs      []string          `json:"assignee_ids"`
	DueAt            *time.Time        `json:"due_at"`
	Priority         string            `json:"priority"`
	Tags             []string          `json:"tags"`
	ConversationTags []string          `json:"conversation_tags"`
	ConversationIDs  []string          `json:"conversation_ids"`
	CustomFields     map[string]string `json:"custom_fields"`
	Status           string            `json:"status"`
	EnteredStageAt   time.Time         `json:"entered_stage_at"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// CardDetail is a card with everything the card drawer shows.
type CardDetail struct {
	CardView
	Conversations     []CardConversationView       `json:"conversations"`
	Notes             []CardNoteView               `json:"notes"`
	Events            []CardEventView              `json:"events"`
	FollowUps         []FollowUpView               `json:"follow_ups"`
	ScheduledMessages []store.ScheduledMessageView `json:"scheduled_messages"`
}

// CardConversationView is a conversation linked to a card.
type CardConversationView struct {
	ID          string   `json:"id"`
	ChannelID   string   `json:"channel_id"`
	ChannelName string   `json:"channel_name"`
	ChannelKind string   `json:"channel_kind"`
	Status      string   `json:"status"`
	Tags        []string `json:"tags"`
}

// CardNoteView is a note on a card.
type CardNoteView struct {
	ID         string    `json:"id"`
	AuthorID   *string   `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// CardEventView is a line of a card's history.
type CardEventView struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Detail    string    `json:"detail"`
	ActorName string    `json:"actor_name"`
	CreatedAt time.Time `json:"created_at"`
}

// FollowUpView is a follow-up on a card.
type FollowUpView struct {
	ID        string    `json:"id"`
	CardID    string    `json:"card_id"`
	Title     string    `json:"title"`
	DueAt     time.Time `json:"due_at"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
}

// cardViews builds the views of cards with a handful of queries, whatever
// their number.
func (s *Server) cardViews(ctx context.Context, cards []store.Card) ([]CardView, error) {
	db := s.DB.WithContext(ctx)
	ids, contactIDs := make([]string, 0, len(cards)), []string{}
	for _, cd := range cards {
		ids = append(ids, cd.ID)
		if cd.ContactID != nil {
			contactIDs = append(contactIDs, *cd.ContactID)
		}
	}
	var assignees []store.CardAssignee
	var links []store.CardConversation
	var contacts []store.Contact
	if len(ids) > 0 {
		if err := db.Where("card_id IN ?", ids).Order("user_id").Find(&assignees).Error; err != nil {
			return nil, err
		}
		if err := db.Where("card_id IN ?", ids).Order("created_at").Find(&links).Error; err != nil {
			return nil, err
		}
	}
	if len(contactIDs) > 0 {
		if err := db.Where("id IN ?", contactIDs).Find(&contacts).Error; err != nil {
			return nil, err
		}
	}
	contactByID := map[string]store.Contact{}
	for _, ct := range contacts {
		contactByID[ct.ID] = ct
	}
	convTags := map[string][]string{}
	if len(links) > 0 {
		convIDs := make([]string, 0, len(links))
		for _, l := range links {
			convIDs = append(convIDs, l.ConversationID)
		}
		var convs []store.Conversation
		if err := db.Select("id, tags").Where("id IN ?", convIDs).Find(&convs).Error; err != nil {
			return nil, err
		}
		for _, cv := range convs {
			convTags[cv.ID] = store.SplitTags(cv.Tags)
		}
	}
	out := make([]CardView, 0, len(cards))
	for _, cd := range cards {
		v := CardView{ID: cd.ID, PipelineID: cd.PipelineID, StageID: cd.StageID, Position: cd.Position, Title: cd.Title, ValueCents: cd.ValueCents,
			DueAt: utcPtr(cd.DueAt), Priority: cd.Priority, Tags: store.SplitTags(cd.Tags), AssigneeIDs: []string{}, ConversationIDs: []string{},
			ConversationTags: []string{}, CustomFields: map[string]string{}, Status: cd.Status, EnteredStageAt: cd.EnteredStageAt.UTC(),
			CreatedAt: cd.CreatedAt.UTC(), UpdatedAt: cd.UpdatedAt.UTC()}
		_ = json.Unmarshal([]byte(cd.CustomFields), &v.CustomFields)
		for _, a := range assignees {
			if a.CardID == cd.ID {
				v.AssigneeIDs = append(v.AssigneeIDs, a.UserID)
			}
		}
		for _, l := range links {
			if l.CardID == cd.ID {
				v.ConversationIDs = append(v.ConversationIDs, l.ConversationID)
				for _, t := range convTags[l.ConversationID] {
					if !slices.Contains(v.ConversationTags, t) {
						v.ConversationTags = append(v.ConversationTags, t)
					}
				}
			}
		}
		sort.Strings(v.ConversationTags)
		if ct, ok := contactByID[deref(cd.ContactID)]; ok {
			v.Contact = &CardContact{ID: ct.ID, Name: ct.Name, Phone: ct.Phone, Email: ct.Email}
		}
		out = append(out, v)
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// cardDetail is the view of one card with its conversations, notes,
// history, follow-ups and scheduled messages.
func (s *Server) cardDetail(ctx context.Context, cd store.Card) (CardDetail, error) {
	db := s.DB.WithContext(ctx)
	views, err := s.cardViews(ctx, []store.Card{cd})
	if err != nil {
		return CardDetail{}, err
	}
	d := CardDetail{CardView: views[0], Conversations: []CardConversationView{}, Notes: []CardNoteView{}, Events: []CardEventView{},
		FollowUps: []FollowUpView{}, ScheduledMessages: []store.ScheduledMessageView{}}
	if len(d.ConversationIDs) > 0 {
		var convs []store.Conversation
		if err := db.Where("id IN ?", d.ConversationIDs).Order("created_at").Find(&convs).Error; err != nil {
			return d, err
		}
		for _, cv := range convs {
			var ch store.Channel
			db.Select("name, kind").Take(&ch, "id = ?", cv.ChannelID)
			d.Conversations = append(d.Conversations, CardConversationView{ID: cv.ID, ChannelID: cv.ChannelID, ChannelName: ch.Name,
				ChannelKind: ch.Kind, Status: cv.Status, Tags: store.SplitTags(cv.Tags)})
		}
	}
	names, err := s.userNames(ctx, cd.AccountID)
	if err != nil {
		return d, err
	}
	var notes []store.CardNote
	if err := db.Where("card_id = ?", cd.ID).Order("created_at").Find(&notes).Error; err != nil {
		return d, err
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, CardNoteView{ID: n.ID, AuthorID: n.AuthorID, AuthorName: names[deref(n.AuthorID)], Body: n.Body, CreatedAt: n.CreatedAt.UTC()})
	}
	var evs []store.CardEvent
	if err := db.Where("card_id = ?", cd.ID).Order("created_at DESC").Limit(200).Find(&evs).Error; err != nil {
		return d, err
	}
	for _, e := range evs {
		d.Events = append(d.Events, CardEventView{ID: e.ID, Kind: e.Kind, Detail: e.Detail, ActorName: names[deref(e.ActorID)], CreatedAt: e.CreatedAt.UTC()})
	}
	var fus []store.FollowUp
	if err := db.Where("card_id = ?", cd.ID).Order("due_at").Find(&fus).Error; err != nil {
		return d, err
	}
	for _, f := range fus {
		d.FollowUps = append(d.FollowUps, followUpView(f))
	}
	var sms []store.ScheduledMessage
	if err := db.Where("card_id = ?", cd.ID).Order("send_at").Find(&sms).Error; err != nil {
		return d, err
	}
	for _, m := range sms {
		d.ScheduledMessages = append(d.ScheduledMessages, store.ScheduledView(m))
	}
	return d, nil
}

func followUpView(f store.FollowUp) FollowUpView {
	return FollowUpView{ID: f.ID, CardID: f.CardID, Title: f.Title, DueAt: f.DueAt.UTC(), Done: f.Done, CreatedAt: f.CreatedAt.UTC()}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) userNames(ctx context.Context, accountID string) (map[string]string, error) {
	var users []store.User
	if err := s.DB.WithContext(ctx).Select("id, name").Where("account_id = ?", accountID).Find(&users).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, u := range users {
		out[u.ID] = u.Name
	}
	return out, nil
}

func (s *Server) cardOf(c *gin.Context, id string) (store.Card, bool) {
	var cd store.Card
	if err := s.DB.WithContext(c).Take(&cd, "id = ? AND account_id = ?", id, principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such card", "id")
		return cd, false
	}
	return cd, true
}

func (s *Server) respondCard(c *gin.Context, status int, id string) {
	cd, ok := s.cardOf(c, id)
	if !ok {
		return
	}
	d, err := s.cardDetail(c, cd)
	if err != nil {
		s.internalError(c, "card", err)
		return
	}
	c.JSON(status, d)
}

func (s *Server) getCard(c *gin.Context) { s.respondCard(c, http.StatusOK, c.Param("id")) }

// board answers a pipeline's stages and its cards matching the filters.
func (s *Server) board(c *gin.Context) {
	p, ok := s.pipelineOf(c, c.Param("id"))
	if !ok {
		return
	}
	q := s.DB.WithContext(c).Where("pipeline_id = ?", p.ID)
	status := c.DefaultQuery("status", store.CardOpen)
	if !slices.Contains([]string{store.CardOpen, store.CardWon, store.CardLost, store.CardArchived}, status) {
		problem(c, http.StatusBadRequest, "status: open, won, lost or archived", "status")
		return
	}
	q = q.Where("status = ?", status)
	if v := c.Query("assignee_id"); v != "" {
		q = q.Where("id IN (?)", s.DB.Model(&store.CardAssignee{}).Select("card_id").Where("user_id = ?", v))
	}
	if v := strings.ToLower(strings.TrimSpace(c.Query("tag"))); v != "" {
		tagged := s.DB.Model(&store.CardConversation{}).Select("card_id").
			Where("conversation_id IN (?)", s.DB.Model(&store.Conversation{}).Select("id").Where("(',' || tags || ',') LIKE ?", "%,"+v+",%"))
		q = q.Where("((',' || tags || ',') LIKE ? OR id IN (?))", "%,"+v+",%", tagged)
	}
	if v := c.Query("priority"); v != "" {
		if !slices.Contains(workflows.Priorities, v) {
			problem(c, http.StatusBadRequest, "priority: low, normal, high or urgent", "priority")
			return
		}
		q = q.Where("priority = ?", v)
	}
	if v := c.Query("due"); v != "" {
		now := time.Now()
		day := dayStart(now.In(s.accountZone(c, p.AccountID)))
		switch v {
		case "overdue":
			q = q.Where("due_at < ?", now.UTC())
		case "today":
			q = q.Where("due_at >= ? AND due_at < ?", day.UTC(), day.AddDate(0, 0, 1).UTC())
		case "week":
			start := day.AddDate(0, 0, -int(day.Weekday()))
			q = q.Where("due_at >= ? AND due_at < ?", start.UTC(), start.AddDate(0, 0, 7).UTC())
		default:
			problem(c, http.StatusBadRequest, "due: overdue, today or week", "due")
			return
		}
	}
	var cards []store.Card
	if err := q.Order("position, created_at").Limit(2000).Find(&cards).Error; err != nil {
		s.internalError(c, "board", err)
		return
	}
	views, err := s.cardViews(c, cards)
	if err != nil {
		s.internalError(c, "board", err)
		return
	}
	ps, err := s.pipelineViews(c, p.AccountID, p.ID)
	if err != nil || len(ps) == 0 {
		s.internalError(c, "board", err)
		return
	}
	order := map[string]int{}
	for _, st := range ps[0].Stages {
		order[st.ID] = st.Position
	}
	sort.SliceStable(views, func(i, j int) bool { return order[views[i].StageID] < order[views[j].StageID] })
	c.JSON(http.StatusOK, gin.H{"pipeline": ps[0], "cards": views})
}

func dayStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// cardFields are the editable fields of a card; nil leaves one unchanged.
type cardFields struct {
	Title        *string            `json:"title"`
	ValueCents   *int64             `json:"value_cents"`
	ContactID    *string            `json:"contact_id"`
	AssigneeIDs  *[]string          `json:"assignee_ids"`
	DueAt        json.RawMessage    `json:"due_at"` // a time, or null to clear
	Priority     *string            `json:"priority"`
	Tags         *[]string          `json:"tags"`
	CustomFields *map[string]string `json:"custom_fields"`
}

// checked is a validated change of a card.
type checked struct {
	title, priority, contactID string
	value                      *int64
	dueAt                      *time.Time
	dueSet                     bool
	assignees, tags            *[]string
	custom                     *map[string]string
}

func (s *Server) checkCardFields(c *gin.Context, f cardFields) (checked, bool) {
	var out checked
	accountID := principal(c).AccountID
	if f.Title != nil {
		t := strings.TrimSpace(*f.Title)
		if t == "" || utf8.RuneCountInString(t) > 200 {
			problem(c, http.StatusUnprocessableEntity, "title: 1 to 200 characters", "title")
			return out, false
		}
		out.title = t
	}
	if f.ValueCents != nil {
		if *f.ValueCents < 0 || *f.ValueCents > 1e15 {
			problem(c, http.StatusUnprocessableEntity, "value_cents: a non-negative amount in centavos", "value_cents")
			return out, false
		}
		out.value = f.ValueCents
	}
	if f.ContactID != nil && *f.ContactID != "" {
		var n int64
		s.DB.WithContext(c).Model(&store.Contact{}).Where("id = ? AND account_id = ?", *f.ContactID, accountID).Count(&n)
		if n == 0 {
			problem(c, http.StatusUnprocessableEntity, "contact_id: no such contact", "contact_id")
			return out, false
		}
		out.contactID = *f.ContactID
	}
	if f.AssigneeIDs != nil {
		ids := slices.Compact(slices.Sorted(slices.Values(*f.AssigneeIDs)))
		var n int64
		if len(ids) > 0 {
			s.DB.WithContext(c).Model(&store.User{}).Where("id IN ? AND account_id = ? AND active", ids, accountID).Count(&n)
		}
		if int(n) != len(ids) {
			problem(c, http.StatusUnprocessableEntity, "assignee_ids: every id must be an active user of the account", "assignee_ids")
			return out, false
		}
		out.assignees = &ids
	}
	if len(f.DueAt) > 0 {
		out.dueSet = true
		if string(f.DueAt) != "null" {
			var v string
			t, ok := time.Time{}, json.Unmarshal(f.DueAt, &v) == nil
			if ok {
				t, ok = parseWhen(v, s.accountZone(c, accountID))
			}
			if !ok {
				problem(c, http.StatusUnprocessableEntity, "due_at: a date and time (2026-11-28T09:00) or null", "due_at")
				return out, false
			}
			out.dueAt = &t
		}
	}
	if f.Priority != nil {
		if !slices.Contains(workflows.Priorities, *f.Priority) {
			problem(c, http.StatusUnprocessableEntity, "priority: low, normal, high or urgent", "priority")
			return out, false
		}
		out.priority = *f.Priority
	}
	if f.Tags != nil {
		tags := []string{}
		for _, t := range *f.Tags {
			t = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(t, ",", " ")))
			if t == "" || utf8.RuneCountInString(t) > 40 {
				problem(c, http.StatusUnprocessableEntity, "tags: each 1 to 40 characters", "tags")
				return out, false
			}
			tags = append(tags, t)
		}
		tags = slices.Compact(slices.Sorted(slices.Values(tags)))
		out.tags = &tags
	}
	if f.CustomFields != nil {
		if len(*f.CustomFields) > 50 {
			problem(c, http.StatusUnprocessableEntity, "custom_fields: at most 50", "custom_fields")
			return out, false
		}
		for k, v := range *f.CustomFields {
			if strings.TrimSpace(k) == "" || utf8.RuneCountInString(k) > 60 || utf8.RuneCountInString(v) > 1000 {
				problem(c, http.StatusUnprocessableEntity, "custom_fields: names of 1 to 60 characters, values up to 1000", "custom_fields")
				return out, false
			}
		}
		out.custom = f.CustomFields
	}
	return out, true
}

// createCardRequest is the body createCard accepts.
type createCardRequest struct {
	cardFields
	PipelineID     string `json:"pipeline_id"`
	StageID        string `json:"stage_id"`
	ConversationID string `json:"conversation_id"`
}

// createCard creates a card, from a conversation in one click (only
// conversation_id: the contact's name, the first stage of the first
// pipeline) or with its fields. The card's workflow stores it.
func (s *Server) createCard(c *gin.Context) {
	var req createCardRequest
	if !bindJSON(c, &req) {
		return
	}
	f, ok := s.checkCardFields(c, req.cardFields)
	if !ok {
		return
	}
	p := principal(c)
	nc := activities.NewCard{ID: store.NewID(), AccountID: p.AccountID, Title: f.title, Priority: f.priority, ContactID: f.contactID,
		DueAt: f.dueAt, CreatedBy: p.UserID, CreatedAt: time.Now().UTC()}
	if req.ConversationID != "" {
		conv, ok := s.visibleConversation(c, req.ConversationID)
		if !ok {
			return
		}
		nc.ConversationIDs = []string{conv.ID}
		if nc.ContactID == "" {
			nc.ContactID = conv.ContactID
		}
	}
	if nc.Title == "" {
		if nc.ContactID == "" {
			problem(c, http.StatusUnprocessableEntity, "title: 1 to 200 characters", "title")
			return
		}
		var ct store.Contact
		s.DB.WithContext(c).Take(&ct, "id = ?", nc.ContactID)
		nc.Title = cmpOr(strings.TrimSpace(ct.Name), ct.Phone, ct.Email, "Card")
	}
	if nc.Priority == "" {
		nc.Priority = "normal"
	}
	if f.value != nil {
		nc.ValueCents = *f.value
	}
	if f.assignees != nil {
		nc.AssigneeIDs = *f.assignees
	}
	if f.tags != nil {
		nc.Tags = *f.tags
	}
	nc.CustomFields = map[string]string{}
	if f.custom != nil {
		nc.CustomFields = *f.custom
	}
	if !s.placeNewCard(c, &nc, req.PipelineID, req.StageID) {
		return
	}
	if err := s.startAndWait(c, p.AccountID, workflows.CardWorkflowID(nc.ID), workflows.Card, workflows.CardInput{AccountID: p.AccountID, CardID: nc.ID, New: &nc}); err != nil {
		s.internalError(c, "create card", err)
		return
	}
	s.respondCard(c, http.StatusCreated, nc.ID)
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// placeNewCard resolves the pipeline and stage of a new card: the stage
// given, else the first stage of the pipeline given, else of the first
// pipeline.
func (s *Server) placeNewCard(c *gin.Context, nc *activities.NewCard, pipelineID, stageID string) bool {
	db := s.DB.WithContext(c)
	if stageID != "" {
		var st store.Stage
		if err := db.Take(&st, "id = ? AND account_id = ?", stageID, nc.AccountID).Error; err != nil || (pipelineID != "" && st.PipelineID != pipelineID) {
			problem(c, http.StatusUnprocessableEntity, "stage_id: no such stage in the pipeline", "stage_id")
			return false
		}
		nc.PipelineID, nc.StageID = st.PipelineID, st.ID
		return true
	}
	q := db.Where("account_id = ?", nc.AccountID)
	if pipelineID != "" {
		q = q.Where("id = ?", pipelineID)
	}
	var p store.Pipeline
	if err := q.Order("position, created_at").Take(&p).Error; err != nil {
		field, msg := "pipeline_id", "pipeline_id: no such pipeline"
		if pipelineID == "" {
			msg = "the account has no pipeline yet; create one first"
		}
		problem(c, http.StatusUnprocessableEntity, msg, field)
		return false
	}
	var st store.Stage
	if err := db.Where("pipeline_id = ?", p.ID).Order("position, created_at").Take(&st).Error; err != nil {
		problem(c, http.StatusUnprocessableEntity, "pipeline_id: the pipeline has no stage", "pipeline_id")
		return false
	}
	nc.PipelineID, nc.StageID = p.ID, st.ID
	return true
}

// updateCard edits a card's fields; a new due date re-arms its reminder.
func (s *Server) updateCard(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req cardFields
	if !bindJSON(c, &req) {
		return
	}
	f, ok := s.checkCardFields(c, req)
	if !ok {
		return
	}
	fields := map[string]any{"updated_at": time.Now().UTC()}
	changed := []string{}
	set := func(col string, v any) { fields[col] = v; changed = append(changed, col) }
	if f.title != "" {
		set("title", f.title)
	}
	if f.value != nil {
		set("value_cents", *f.value)
	}
	if req.ContactID != nil {
		set("contact_id", nullable(f.contactID))
	}
	if f.dueSet {
		set("due_at", f.dueAt)
	}
	if f.priority != "" {
		set("priority", f.priority)
	}
	if f.tags != nil {
		set("tags", strings.Join(*f.tags, ","))
	}
	if f.custom != nil {
		data, _ := json.Marshal(*f.custom)
		set("custom_fields", string(data))
	}
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&cd).Updates(fields).Error; err != nil {
			return err
		}
		if f.assignees != nil {
			changed = append(changed, "assignees")
			if err := tx.Where("card_id = ?", cd.ID).Delete(&store.CardAssignee{}).Error; err != nil {
				return err
			}
			for _, u := range *f.assignees {
				if err := tx.Create(&store.CardAssignee{CardID: cd.ID, UserID: u}).Error; err != nil {
					return err
				}
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return activities.RecordCardChange(tx, cd, "updated", strings.Join(changed, ", "), p.UserID)
	})
	if err != nil {
		s.internalError(c, "card", err)
		return
	}
	s.notify(p.AccountID)
	if f.dueSet {
		s.reloadCards(c, "id = ?", cd.ID)
	}
	s.respondCard(c, http.StatusOK, cd.ID)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cardUpdate runs an update on the card's workflow. A card whose workflow
// is gone while the card is open (it never should be) gets a new run.
func (s *Server) cardUpdate(c *gin.Context, cd store.Card, name string, arg any) bool {
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	run := func() error {
		h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.CardWorkflowID(cd.ID), UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return err
	}
	err := run()
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) && cd.Status == store.CardOpen {
		if err = s.startAndWait(ctx, cd.AccountID, workflows.CardWorkflowID(cd.ID), workflows.Card, workflows.CardInput{AccountID: cd.AccountID, CardID: cd.ID}); err == nil {
			err = run()
		}
	}
	var app *temporal.ApplicationError
	switch {
	case err == nil:
		return true
	case errors.As(err, &notFound):
		problem(c, http.StatusConflict, "the card is "+cd.Status+"; reopen it first", "id")
	case errors.As(err, &app) && strings.HasPrefix(app.Message(), "stage_id:"):
		problem(c, http.StatusUnprocessableEntity, app.Message(), "stage_id")
	case isRejection(err):
		problem(c, http.StatusConflict, rejection(err), "")
	default:
		s.internalError(c, "card "+name, err)
	}
	return false
}

// moveCardRequest is the body moveCard accepts.
type moveCardRequest struct {
	StageID  string `json:"stage_id"`
	Position *int   `json:"position"`
}

func (s *Server) moveCard(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req moveCardRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.StageID == "" {
		problem(c, http.StatusUnprocessableEntity, "stage_id is required", "stage_id")
		return
	}
	pos := -1
	if req.Position != nil {
		pos = *req.Position
	}
	if !s.cardUpdate(c, cd, workflows.UpdateCardMove, workflows.MoveRequest{StageID: req.StageID, Position: pos, ActorID: principal(c).UserID}) {
		return
	}
	s.respondCard(c, http.StatusOK, cd.ID)
}

// setCardStatusRequest is the body setCardStatus accepts.
type setCardStatusRequest struct {
	Status string `json:"status"`
}

// setCardStatus wins, loses or archives a card (its workflow ends), or
// reopens it (a new run).
func (s *Server) setCardStatus(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req setCardStatusRequest
	if !bindJSON(c, &req) {
		return
	}
	actor := principal(c).UserID
	switch {
	case req.Status == store.CardOpen && cd.Status == store.CardOpen:
	case req.Status == store.CardOpen:
		in := workflows.CardInput{AccountID: cd.AccountID, CardID: cd.ID, Reopen: &workflows.CardStatusRequest{Status: store.CardOpen, ActorID: actor}}
		if err := s.startAndWait(c, cd.AccountID, workflows.CardWorkflowID(cd.ID), workflows.Card, in); err != nil {
			s.internalError(c, "reopen card", err)
			return
		}
	case slices.Contains([]string{store.CardWon, store.CardLost, store.CardArchived}, req.Status):
		if !s.cardUpdate(c, cd, workflows.UpdateCardStatus, workflows.CardStatusRequest{Status: req.Status, ActorID: actor}) {
			return
		}
	default:
		problem(c, http.StatusUnprocessableEntity, "status: open, won, lost or archived", "status")
		return
	}
	s.respondCard(c, http.StatusOK, cd.ID)
}

// addCardNoteRequest is the body addCardNote accepts.
type addCardNoteRequest struct {
	Body string `json:"body"`
}

func (s *Server) addCardNote(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req addCardNoteRequest
	if !bindJSON(c, &req) {
		return
	}
	body := strings.TrimSpace(req.Body)
	if body == "" || utf8.RuneCountInString(body) > 4096 {
		problem(c, http.StatusUnprocessableEntity, "body: 1 to 4096 characters", "body")
		return
	}
	p := principal(c)
	n := store.CardNote{ID: store.NewID(), AccountID: cd.AccountID, CardID: cd.ID, Body: body, CreatedAt: time.Now().UTC()}
	if p.UserID != "" {
		n.AuthorID = &p.UserID
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		return activities.RecordCardChange(tx, cd, "note", "", p.UserID)
	})
	if err != nil {
		s.internalError(c, "note", err)
		return
	}
	s.notify(p.AccountID)
	names, _ := s.userNames(c, cd.AccountID)
	c.JSON(http.StatusCreated, CardNoteView{ID: n.ID, AuthorID: n.AuthorID, AuthorName: names[p.UserID], Body: n.Body, CreatedAt: n.CreatedAt})
}

// sendStageReplyRequest is the body sendStageReply accepts.
type sendStageReplyRequest struct {
	ConversationID string `json:"conversation_id"`
}

// sendStageReply sends one of the card's stage quick replies, with its
// variables filled, to a conversation linked to the card (the first one
// unless conversation_id says which), through the conversation workflow.
func (s *Server) sendStageReply(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var qr store.StageQuickReply
	if err := s.DB.WithContext(c).Take(&qr, "id = ? AND account_id = ?", c.Param("reply_id"), cd.AccountID).Error; err != nil || qr.StageID != cd.StageID {
		problem(c, http.StatusNotFound, "no such quick reply in the card's stage", "reply_id")
		return
	}
	var req sendStageReplyRequest
	if c.Request.ContentLength != 0 && !bindJSON(c, &req) {
		return
	}
	var links []string
	if err := s.DB.WithContext(c).Model(&store.CardConversation{}).Where("card_id = ?", cd.ID).Order("created_at").Pluck("conversation_id", &links).Error; err != nil {
		s.internalError(c, "quick reply", err)
		return
	}
	target := req.ConversationID
	if target == "" && len(links) > 0 {
		target = links[0]
	}
	if target == "" || !slices.Contains(links, target) {
		problem(c, http.StatusUnprocessableEntity, "conversation_id: the card has no such conversation; link one first", "conversation_id")
		return
	}
	conv, ok := s.visibleConversation(c, target)
	if !ok {
		return
	}
	p := principal(c)
	body, err := crm.RenderFor(c, s.DB, qr.Text, cd, p.UserID)
	if err != nil {
		s.internalError(c, "quick reply", err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		key = uuid.NewString()
	}
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	res, err := activities.SendToConversation(ctx, s.Temporal, s.Inbox.Queue(), conv,
		activities.SendRequest{UserID: p.UserID, Body: body, IdempotencyKey: p.ActorID() + ":" + key})
	var app *temporal.ApplicationError
	switch {
	case errors.As(err, &app) && app.Type() == activities.ErrSendRefused:
		problem(c, http.StatusUnprocessableEntity, app.Message(), "body")
		return
	case err != nil:
		s.internalError(c, "quick reply", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"message_id": res.MessageID, "conversation_id": conv.ID, "body": body})
}

// conversationCards lists the cards linked to a conversation.
func (s *Server) conversationCards(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	var cards []store.Card
	if err := s.DB.WithContext(c).Where("id IN (?)", s.DB.Model(&store.CardConversation{}).Select("card_id").Where("conversation_id = ?", conv.ID)).
		Order("created_at").Find(&cards).Error; err != nil {
		s.internalError(c, "cards", err)
		return
	}
	views, err := s.cardViews(c, cards)
	if err != nil {
		s.internalError(c, "cards", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": views})
}

// linkConversationRequest is the body linkConversation accepts.
type linkConversationRequest struct {
	ConversationID string `json:"conversation_id"`
}

// linkConversation links a conversation (one the caller sees) to a card;
// its tags show on the card and stage messages reach it.
func (s *Server) linkConversation(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	var req linkConversationRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.ConversationID == "" {
		problem(c, http.StatusUnprocessableEntity, "conversation_id is required", "conversation_id")
		return
	}
	conv, ok := s.visibleConversation(c, req.ConversationID)
	if !ok {
		return
	}
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var n int64
		tx.Model(&store.CardConversation{}).Where("card_id = ? AND conversation_id = ?", cd.ID, conv.ID).Count(&n)
		if n > 0 {
			return nil
		}
		if err := tx.Create(&store.CardConversation{CardID: cd.ID, ConversationID: conv.ID, CreatedAt: time.Now().UTC()}).Error; err != nil {
			return err
		}
		if cd.ContactID == nil {
			if err := tx.Model(&cd).Update("contact_id", conv.ContactID).Error; err != nil {
				return err
			}
		}
		return activities.RecordCardChange(tx, cd, "linked", conv.ID, p.UserID)
	})
	if err != nil {
		s.internalError(c, "link", err)
		return
	}
	s.notify(p.AccountID)
	s.respondCard(c, http.StatusOK, cd.ID)
}

func (s *Server) unlinkConversation(c *gin.Context) {
	cd, ok := s.cardOf(c, c.Param("id"))
	if !ok {
		return
	}
	p := principal(c)
	var removed int64
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("card_id = ? AND conversation_id = ?", cd.ID, c.Param("conversation_id")).Delete(&store.CardConversation{})
		if removed = res.RowsAffected; res.Error != nil || removed == 0 {
			return res.Error
		}
		return activities.RecordCardChange(tx, cd, "unlinked", c.Param("conversation_id"), p.UserID)
	})
	if err != nil {
		s.internalError(c, "unlink", err)
		return
	}
	if removed == 0 {
		problem(c, http.StatusNotFound, "the card has no such conversation", "conversation_id")
		return
	}
	s.notify(p.AccountID)
	s.respondCard(c, http.StatusOK, cd.ID)
}
