package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// templateChannel is the account's channel of the request, when its kind
// has templates.
func (s *Server) templateChannel(c *gin.Context) (store.Channel, bool) {
	var ch store.Channel
	err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error
	a, _ := s.channels().Adapter(ch.Kind)
	if _, has := a.(channels.Templater); err != nil || !has {
		problem(c, http.StatusNotFound, "no channel with templates has this id", "id")
		return ch, false
	}
	return ch, true
}

// listTemplates answers a channel's templates by name and language.
func (s *Server) listTemplates(c *gin.Context) {
	ch, ok := s.templateChannel(c)
	if !ok {
		return
	}
	var items []store.MessageTemplate
	if err := s.DB.WithContext(c).Where("channel_id = ?", ch.ID).Order("name, language").Find(&items).Error; err != nil {
		s.internalError(c, "templates", err)
		return
	}
	if items == nil {
		items = []store.MessageTemplate{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// syncTemplates reads the channel's templates from the provider again, in
// the background (204: started; template.updated events follow).
func (s *Server) syncTemplates(c *gin.Context) {
	ch, ok := s.templateChannel(c)
	if !ok {
		return
	}
	opts := client.StartWorkflowOptions{ID: workflows.TemplateSyncWorkflowID(ch.ID), TaskQueue: s.Inbox.Queue()}
	if _, err := s.Temporal.ExecuteWorkflow(c, opts, workflows.TemplateSync, activities.ChannelRef{AccountID: ch.AccountID, ChannelID: ch.ID}); err != nil {
		s.internalError(c, "template sync", err)
		return
	}
	c.Status(http.StatusNoContent)
}

type createTemplateRequest struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Category string   `json:"category"`
	Header   string   `json:"header"`
	Body     string   `json:"body"`
	Footer   string   `json:"footer"`
	Examples []string `json:"examples"`
}

var (
	templateNamePattern     = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	templateLanguagePattern = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
)

// Meta's limits on a template's parts.
const (
	maxTemplateBody   = 1024
	maxTemplateHeader = 60
	maxTemplateFooter = 60
)

// createTemplate stores a template for review and submits it to the
// provider in the background (template-submit/<id>).
func (s *Server) createTemplate(c *gin.Context) {
	ch, ok := s.templateChannel(c)
	if !ok {
		return
	}
	var req createTemplateRequest
	if !bindJSON(c, &req) {
		return
	}
	req.Name, req.Body = strings.TrimSpace(req.Name), strings.TrimSpace(req.Body)
	if req.Language == "" {
		req.Language = "pt_BR"
	}
	params := channels.TemplateVariables(req.Body)
	switch {
	case !templateNamePattern.MatchString(req.Name):
		problem(c, http.StatusUnprocessableEntity, "name must be lowercase letters, digits and underscores", "name")
	case !templateLanguagePattern.MatchString(req.Language):
		problem(c, http.StatusUnprocessableEntity, "language must be a code like pt_BR", "language")
	case req.Category != "MARKETING" && req.Category != "UTILITY" && req.Category != "AUTHENTICATION":
		problem(c, http.StatusUnprocessableEntity, "category must be MARKETING, UTILITY or AUTHENTICATION", "category")
	case req.Body == "" || len([]rune(req.Body)) > maxTemplateBody:
		problem(c, http.StatusUnprocessableEntity, "body is required, at most 1024 characters", "body")
	case len([]rune(req.Header)) > maxTemplateHeader || strings.Contains(req.Header, "{{"):
		problem(c, http.StatusUnprocessableEntity, "header is at most 60 characters, without variables", "header")
	case len([]rune(req.Footer)) > maxTemplateFooter || strings.Contains(req.Footer, "{{"):
		problem(c, http.StatusUnprocessableEntity, "footer is at most 60 characters, without variables", "footer")
	case !contiguousVariables(req.Body, params):
		problem(c, http.StatusUnprocessableEntity, "number the body's variables {{1}}, {{2}}, … without gaps", "body")
	case len(req.Examples) != params || slicesHasBlank(req.Examples):
		problem(c, http.StatusUnprocessableEntity, "give one example value for each variable of the body (Meta reviews them)", "examples")
	default:
		s.submitTemplate(c, ch, req, params)
	}
}

// contiguousVariables: each of {{1}}..{{n}} appears in the body (Meta
// refuses gaps).
func contiguousVariables(body string, n int) bool {
	for i := 1; i <= n; i++ {
		if !regexp.MustCompile(`\{\{\s*` + strconv.Itoa(i) + `\s*\}\}`).MatchString(body) {
			return false
		}
	}
	return true
}

func slicesHasBlank(xs []string) bool {
	for _, x := range xs {
		if strings.TrimSpace(x) == "" {
			return true
		}
	}
	return false
}

func (s *Server) submitTemplate(c *gin.Context, ch store.Channel, req createTemplateRequest, params int) {
	examples, _ := json.Marshal(req.Examples)
	now := time.Now().UTC()
	row := store.MessageTemplate{ID: store.NewID(), AccountID: ch.AccountID, ChannelID: ch.ID, Name: req.Name, Language: req.Language,
		Category: req.Category, Status: store.TemplateSubmitting, Header: strings.TrimSpace(req.Header), Body: req.Body,
		Footer: strings.TrimSpace(req.Footer), Params: params, Examples: string(examples), CreatedAt: now, UpdatedAt: now}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return events.Append(tx, ch.AccountID, events.TemplateUpdated, nil, row)
	})
	if store.IsDuplicate(err) {
		problem(c, http.StatusConflict, "a template with this name and language exists", "name")
		return
	}
	if err != nil {
		s.internalError(c, "template", err)
		return
	}
	opts := client.StartWorkflowOptions{ID: workflows.TemplateSubmitWorkflowID(row.ID), TaskQueue: s.Inbox.Queue()}
	if _, err := s.Temporal.ExecuteWorkflow(c, opts, workflows.TemplateSubmit, activities.TemplateRef{AccountID: row.AccountID, TemplateID: row.ID}); err != nil {
		s.internalError(c, "template submit", err)
		return
	}
	s.notify(ch.AccountID)
	c.JSON(http.StatusCreated, row)
}

// templateSend checks a template send against the conversation's channel
// and returns its rendered text and what the delivery needs.
func (s *Server) templateSend(c *gin.Context, conv store.Conversation, req templateRequest) (body, template string, ok bool) {
	var t store.MessageTemplate
	err := s.DB.WithContext(c).Take(&t, "id = ? AND channel_id = ?", req.ID, conv.ChannelID).Error
	switch {
	case err != nil:
		problem(c, http.StatusUnprocessableEntity, "no template of this conversation's channel has this id", "template")
		return "", "", false
	case t.Unsupported != "":
		problem(c, http.StatusUnprocessableEntity, "this template cannot be sent from CHATSPOT: "+t.Unsupported, "template")
		return "", "", false
	case t.Status != store.TemplateApproved:
		problem(c, http.StatusUnprocessableEntity, "the template is "+strings.ToLower(t.Status)+", not approved: only approved templates can be sent", "template")
		return "", "", false
	case len(req.Params) != t.Params || slicesHasBlank(req.Params):
		problem(c, http.StatusUnprocessableEntity, "fill in every variable of the template", "template.params")
		return "", "", false
	}
	send, _ := json.Marshal(channels.TemplateSend{Name: t.Name, Language: t.Language, Params: req.Params})
	return channels.RenderTemplate(t.Body, req.Params), string(send), true
}
