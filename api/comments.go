package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// Comments on posts (Instagram): what a thread is about, and hiding or
// deleting a customer's comment.

// threadInfoTTL is how long a provider's description of a thread is
// shown before it is read again (Instagram's media URLs expire).
const threadInfoTTL = 6 * time.Hour

// commentThread: the conversation is a thread of a kind that carries
// public comments.
func (s *Server) commentThread(c *gin.Context, conv store.Conversation) bool {
	if conv.ThreadKey == "" {
		return false
	}
	var ch store.Channel
	if s.DB.WithContext(c).Select("kind").Take(&ch, "id = ?", conv.ChannelID).Error != nil {
		return false
	}
	return s.channels().Capabilities(ch.Kind).Comments
}

// getThread answers what the conversation's thread is about, read from
// the provider when not known or stale. A provider that cannot answer
// leaves what is known.
func (s *Server) getThread(c *gin.Context) {
	conv, ok := s.visibleConversation(c, c.Param("id"))
	if !ok {
		return
	}
	if conv.ThreadKey == "" {
		problem(c, http.StatusNotFound, "this conversation is not a thread", "id")
		return
	}
	info := channels.ThreadInfo{Key: conv.ThreadKey}
	_ = json.Unmarshal([]byte(conv.ThreadInfo), &info)
	if conv.ThreadInfoAt == nil || time.Since(*conv.ThreadInfoAt) > threadInfoTTL {
		if fresh, err := s.describeThread(c, conv); err == nil {
			info = fresh
		} else if !errors.Is(err, channels.ErrThreadStored) {
			s.Logger.Warn("thread not described", "conversation", conv.ID, "error", err)
		}
	}
	c.JSON(http.StatusOK, info)
}

func (s *Server) describeThread(ctx context.Context, conv store.Conversation) (channels.ThreadInfo, error) {
	var ch store.Channel
	if err := s.DB.WithContext(ctx).Take(&ch, "id = ?", conv.ChannelID).Error; err != nil {
		return channels.ThreadInfo{}, err
	}
	a, _ := s.channels().Adapter(ch.Kind)
	d, ok := a.(channels.ThreadDescriber)
	if !ok {
		return channels.ThreadInfo{}, errors.New(ch.Kind + " threads cannot be described")
	}
	opened, err := s.box.OpenJSON(ch.Settings)
	if err != nil {
		return channels.ThreadInfo{}, err
	}
	ch.Settings = opened
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := d.DescribeThread(ctx, ch, conv.ThreadKey)
	if err != nil {
		return channels.ThreadInfo{}, err
	}
	raw, _ := json.Marshal(info)
	now := time.Now().UTC()
	err = s.DB.WithContext(ctx).Model(&store.Conversation{}).Where("id = ?", conv.ID).
		Updates(map[string]any{"thread_info": string(raw), "thread_info_at": now}).Error
	return info, err
}

type hideRequest struct {
	Hidden *bool `json:"hidden"`
}

// hideComment hides a customer's comment at the provider, or shows it
// again.
func (s *Server) hideComment(c *gin.Context) {
	msg, ok := s.commentOf(c)
	if !ok {
		return
	}
	var req hideRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Hidden == nil {
		problem(c, http.StatusUnprocessableEntity, "hidden (true or false) is required", "hidden")
		return
	}
	action := activities.ModerateUnhide
	if *req.Hidden {
		action = activities.ModerateHide
	}
	s.moderate(c, msg, action)
}

// deleteComment deletes a customer's comment at the provider; it stays
// for agents, marked deleted.
func (s *Server) deleteComment(c *gin.Context) {
	if msg, ok := s.commentOf(c); ok {
		s.moderate(c, msg, activities.ModerateDelete)
	}
}

// commentOf is the customer's comment named by the path, in a
// conversation the caller sees.
func (s *Server) commentOf(c *gin.Context) (store.Message, bool) {
	var msg store.Message
	err := s.DB.WithContext(c).Take(&msg, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error
	if err != nil || msg.ConversationID == nil {
		problem(c, http.StatusNotFound, "no such message", "id")
		return msg, false
	}
	if _, ok := s.visibleConversation(c, *msg.ConversationID); !ok {
		return msg, false
	}
	if msg.Kind != store.KindComment || msg.Direction != store.DirectionInbound {
		problem(c, http.StatusUnprocessableEntity, "only a customer's comment can be hidden or deleted", "id")
		return msg, false
	}
	return msg, true
}

// moderate runs a moderation workflow on a comment and answers the
// message as it is then.
func (s *Server) moderate(c *gin.Context, msg store.Message, action string) {
	ctx, cancel := context.WithTimeout(c, 45*time.Second)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ModerationWorkflowID(msg.ID), TaskQueue: s.Inbox.Queue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE},
		workflows.ModerateComment, activities.ModerationInput{AccountID: msg.AccountID, MessageID: msg.ID, Action: action})
	if err == nil {
		err = run.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	switch {
	case errors.As(err, &app) && app.Type() == activities.ErrModerationRefused:
		problem(c, http.StatusUnprocessableEntity, app.Message(), "id")
		return
	case isAlreadyStarted(err):
		problem(c, http.StatusConflict, "another action on this comment is running; try again in a moment", "id")
		return
	case err != nil:
		s.internalError(c, "moderate comment", err)
		return
	}
	s.respondMessage(c, http.StatusOK, msg.ID)
}

// signedChannelFile serves a file of an outbound message to the provider
// that fetches it by URL (Instagram), with the link's signature.
func (s *Server) signedChannelFile(c *gin.Context) {
	var ch store.Channel
	if err := s.DB.WithContext(c).Where("id = ? AND active", c.Param("channel_id")).Take(&ch).Error; err != nil {
		problem(c, http.StatusNotFound, "no such file", "id")
		return
	}
	opened, err := s.box.OpenJSON(ch.Settings)
	if err != nil {
		s.internalError(c, "file link", err)
		return
	}
	settings, err := channels.ParseSettings(opened)
	if err != nil || !channels.VerifyFileLink(settings, ch.ID, c.Param("id"), c.Query("exp"), c.Query("sig"), time.Now()) {
		problem(c, http.StatusForbidden, "the link is wrong or has expired", "sig")
		return
	}
	var a store.Attachment
	err = s.DB.WithContext(c).Where("id = ? AND account_id = ? AND message_id IN (SELECT id FROM messages WHERE channel_id = ? AND direction = 'outbound')",
		c.Param("id"), ch.AccountID, ch.ID).Take(&a).Error
	if err != nil {
		problem(c, http.StatusNotFound, "no such file", "id")
		return
	}
	serveFile(c, a)
}

func isAlreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}
