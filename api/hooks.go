package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/store"
)

// apiChannel loads an active API channel and checks its bearer token; it
// answers the request itself when either fails.
func (s *Server) apiChannel(c *gin.Context) (store.Channel, bool) {
	var ch store.Channel
	err := s.DB.WithContext(c).Where("id = ? AND kind = ? AND active", c.Param("channel_id"), channels.KindAPI).Take(&ch).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		problem(c, http.StatusNotFound, "no active API channel with this id", "channel_id")
		return ch, false
	}
	if err != nil {
		s.internalError(c, "api channel", err)
		return ch, false
	}
	settings, err := apichannel.ParseSettings(ch.Settings)
	token := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
	if err != nil || !settings.Verify(token) {
		problem(c, http.StatusUnauthorized, "missing or wrong channel token (Authorization: Bearer <token>)", "Authorization")
		return ch, false
	}
	return ch, true
}

// apiChannelFile lets the integrator fetch a file of an outbound message
// of its channel.
func (s *Server) apiChannelFile(c *gin.Context) {
	ch, ok := s.apiChannel(c)
	if !ok {
		return
	}
	var a store.Attachment
	err := s.DB.WithContext(c).Where("id = ? AND account_id = ? AND message_id IN (SELECT id FROM messages WHERE channel_id = ?)", c.Param("id"), ch.AccountID, ch.ID).Take(&a).Error
	if err != nil {
		problem(c, http.StatusNotFound, "no such file on this channel", "id")
		return
	}
	serveFile(c, a)
}

// apiChannelInbound takes a customer message posted by an integrator to an
// API channel. 202 for a new message, 200 for a replay of one already
// accepted; either way the answer carries the message id.
func (s *Server) apiChannelInbound(c *gin.Context) {
	ch, ok := s.apiChannel(c)
	if !ok {
		return
	}
	var req apichannel.InboundRequest
	if !bindJSON(c, &req) {
		return
	}
	in, err := req.Normalise(ch.ID)
	var fe *channels.FieldError
	if errors.As(err, &fe) {
		problem(c, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
		return
	}
	res, err := s.Inbox.Ingest(c, ch, in)
	if errors.Is(err, inbox.ErrChannelNotInPlan) {
		problem(c, http.StatusForbidden, err.Error(), "channel_id")
		return
	}
	if err != nil {
		s.Logger.Error("inbound message", "channel", ch.ID, "error", err)
		if res.Message.ID != "" {
			// Stored but not yet handed to its workflow: the sender's retry
			// completes the hand-over without storing it twice.
			problem(c, http.StatusServiceUnavailable, "message stored but not yet delivered to its conversation; retry the same request", "")
			return
		}
		problem(c, http.StatusInternalServerError, "could not store the message", "")
		return
	}
	status := http.StatusAccepted
	if res.Duplicate {
		status = http.StatusOK
	}
	c.JSON(status, gin.H{"message_id": res.Message.ID, "contact_id": res.Message.ContactID, "duplicate": res.Duplicate})
}
