package api

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/store"
)

// hookRoutes mounts /hooks/<kind>/<channel> for every kind whose provider
// calls us, and records them for the OpenAPI document.
func (s *Server) hookRoutes(r *gin.Engine) {
	s.hooks = nil
	for _, k := range s.channels().Kinds() {
		a, ok := s.channels().Adapter(k.Name)
		if !ok {
			continue
		}
		wh, ok := a.(channels.Webhook)
		if !ok {
			continue
		}
		path := "/hooks/" + k.Name + "/:channel_id"
		h := s.channelHook(k.Name, a, wh)
		r.POST(path, h)
		r.GET(path, h) // providers' verification requests (Meta's hub.challenge)
		s.hooks = append(s.hooks, hookRoute{Kind: k, Path: path})
	}
	r.POST(activities.MercadoPagoHookPath, s.mercadoPagoHook)
	r.GET("/hooks/api/:channel_id/attachments/:id", s.apiChannelFile)
	r.GET("/hooks/files/:channel_id/:id", s.signedChannelFile)
}

// hookRoute is a mounted channel webhook.
type hookRoute struct {
	Kind channels.KindInfo
	Path string
}

// channelHook is the one inbound path of every webhook kind: load the
// active channel, let the adapter verify and parse the request (in
// constant time; a bad signature stores nothing), ingest what it carried
// through the inbox, and answer. The answer asks the provider to retry
// only when retrying helps: a 5xx means nothing of the request was stored
// past its last good message, a 2xx that everything is stored (what the
// workflows have not taken in yet, the sweeper hands over).
func (s *Server) channelHook(kind string, a channels.Adapter, wh channels.Webhook) gin.HandlerFunc {
	return func(c *gin.Context) {
		var ch store.Channel
		err := s.DB.WithContext(c).Where("id = ? AND kind = ? AND active", c.Param("channel_id"), kind).Take(&ch).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			problem(c, http.StatusNotFound, "no active "+a.Kind().Label+" channel with this id", "channel_id")
			return
		}
		if err != nil {
			s.internalError(c, "channel hook", err)
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				problem(c, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB", "")
				return
			}
			problem(c, http.StatusBadRequest, "could not read the request body", "")
			return
		}
		opened, err := s.box.OpenJSON(ch.Settings)
		if err != nil {
			s.internalError(c, "channel hook: open settings", err)
			return
		}
		sealed := ch
		ch.Settings = opened
		req := channels.Request{Method: c.Request.Method, Header: c.Request.Header, Query: c.Request.URL.Query(), Body: body,
			URL: strings.TrimRight(s.BaseURL, "/") + c.Request.URL.RequestURI()}
		batch, reply, err := wh.Receive(c, ch, req)
		if s.hookError(c, err) {
			return
		}
		if reply != nil {
			c.Data(reply.Status, reply.ContentType, reply.Body)
			return
		}
		results, err := s.Inbox.Receive(c, sealed, batch)
		if errors.Is(err, inbox.ErrChannelNotInPlan) {
			problem(c, http.StatusForbidden, err.Error(), "channel_id")
			return
		}
		if err != nil {
			s.Logger.Error("inbound message", "channel", ch.ID, "error", err)
			problem(c, http.StatusInternalServerError, "could not store the message; retry the same request", "")
			return
		}
		if r, ok := a.(channels.Responder); ok {
			out := r.Respond(results)
			c.Data(out.Status, out.ContentType, out.Body)
			return
		}
		c.JSON(http.StatusOK, gin.H{"ok": true})
	}
}

// hookError answers a refused or unreadable webhook request; false when
// there is none.
func (s *Server) hookError(c *gin.Context, err error) bool {
	var fe *channels.FieldError
	var bad *channels.MalformedError
	var ae *channels.AuthError
	switch {
	case err == nil:
		return false
	case errors.As(err, &ae):
		problem(c, http.StatusUnauthorized, ae.Reason, ae.Field)
	case errors.As(err, &fe):
		problem(c, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
	case errors.As(err, &bad):
		problem(c, http.StatusBadRequest, bad.Reason, bad.Field)
	default:
		s.internalError(c, "channel hook", err)
	}
	return true
}

// apiChannelFile lets the integrator fetch a file of an outbound message
// of its channel, with the channel's inbound token.
func (s *Server) apiChannelFile(c *gin.Context) {
	var ch store.Channel
	err := s.DB.WithContext(c).Where("id = ? AND kind = ? AND active", c.Param("channel_id"), channels.KindAPI).Take(&ch).Error
	if err != nil {
		problem(c, http.StatusNotFound, "no active API channel with this id", "channel_id")
		return
	}
	if !apichannel.VerifyToken(ch, strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")) {
		problem(c, http.StatusUnauthorized, "missing or wrong channel token (Authorization: Bearer <token>)", "Authorization")
		return
	}
	var a store.Attachment
	err = s.DB.WithContext(c).Where("id = ? AND account_id = ? AND message_id IN (SELECT id FROM messages WHERE channel_id = ?)", c.Param("id"), ch.AccountID, ch.ID).Take(&a).Error
	if err != nil {
		problem(c, http.StatusNotFound, "no such file on this channel", "id")
		return
	}
	serveFile(c, a)
}
