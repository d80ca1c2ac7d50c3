package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/workflows"
)

// assistRequest is the body assist accepts.
type assistRequest struct {
	Operation      string `json:"operation"`
	Draft          string `json:"draft"`
	TargetLanguage string `json:"target_language"`
	Audience       string `json:"audience"`
}

// assist runs an AI Assist operation on the agent's draft through the
// conversation's workflow and answers with the suggestion. Nothing is
// sent: the agent decides what to do with it.
func (s *Server) assist(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	var req assistRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx, cancel := context.WithTimeout(c, 60*time.Second)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: conv.WorkflowID, RunID: conv.RunID, UpdateName: workflows.UpdateAssist, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{activities.AssistInput{Operation: req.Operation, Draft: req.Draft, TargetLanguage: req.TargetLanguage, Audience: req.Audience}},
	})
	var suggestion string
	if err == nil {
		err = h.Get(ctx, &suggestion)
	}
	if err != nil {
		s.assistProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, AssistAnswer{Suggestion: suggestion, Operation: req.Operation})
}

// assistProblem says plainly why AI Assist could not help; never a 500
// for the provider's or the plan's reasons.
func (s *Server) assistProblem(c *gin.Context, err error) {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		problem(c, http.StatusConflict, "conversation is closed; reopen it first", "id")
		return
	}
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		if errors.Is(err, context.DeadlineExceeded) {
			problem(c, http.StatusGatewayTimeout, "AI Assist took too long; try again", "")
			return
		}
		s.internalError(c, "assist", err)
		return
	}
	status, field := http.StatusBadGateway, ""
	switch app.Type() {
	case activities.ErrAINotConfigured:
		status = http.StatusServiceUnavailable
	case activities.ErrAIModuleOff:
		status = http.StatusForbidden
	case activities.ErrAIQuota:
		status = http.StatusTooManyRequests
	case activities.ErrAIInput:
		status, field = http.StatusUnprocessableEntity, "draft"
		if f, _, ok := strings.Cut(app.Message(), ":"); ok && !strings.Contains(f, " ") {
			field = f // the prompt's FieldError names operation, draft, target_language or audience
		}
	}
	problem(c, status, app.Message(), field)
}

// AssistAnswer is AI Assist's suggestion for the composer.
type AssistAnswer struct {
	Suggestion string `json:"suggestion"`
	Operation  string `json:"operation"`
}
