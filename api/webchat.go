package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/webchat"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/messaging"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// DefaultVisitorRate lets a visitor type fast for a while but not flood.
var DefaultVisitorRate = Rate{Burst: 20, Every: 3 * time.Second}

// maxVisitorText is the longest message a visitor may send.
const maxVisitorText = 2000

const (
	webchatChannelKey  = "webchat_channel"
	webchatSettingsKey = "webchat_settings"
	visitorKey         = "webchat_visitor"
)

// webchatRoutes are the public endpoints the widget calls from the
// customer's site; CORS is granted to the channel's allowed origins only.
func (s *Server) webchatRoutes(r *gin.Engine) {
	g := r.Group("/hooks/webchat/:channel_id", s.webchatChannel())
	g.OPTIONS("/*any", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	g.GET("/config", s.webchatConfig)
	g.POST("/visitors", s.webchatStart)
	g.POST("/contact-form", s.webchatContactForm)
	v := g.Group("", s.webchatVisitor())
	v.GET("/messages", s.webchatHistory)
	v.POST("/messages", s.webchatSend)
	v.POST("/read", s.webchatRead)
	v.GET("/stream", s.webchatStream)
	v.POST("/attachments", s.webchatUpload)
	v.GET("/attachments/:attachment_id", s.webchatFile)
}

// webchatChannel loads the channel, checks the page's origin and answers
// CORS.
func (s *Server) webchatChannel() gin.HandlerFunc {
	return func(c *gin.Context) {
		var ch store.Channel
		err := s.DB.WithContext(c).Where("id = ? AND kind = ? AND active", c.Param("channel_id"), channels.KindWebchat).Take(&ch).Error
		if err != nil {
			if origin := c.GetHeader("Origin"); origin != "" {
				c.Header("Access-Control-Allow-Origin", origin) // let the widget read why
			}
			problem(c, http.StatusNotFound, "no active webchat with this id", "channel_id")
			return
		}
		var acc store.Account
		if err := s.DB.WithContext(c).Select("id, channels").Take(&acc, "id = ?", ch.AccountID).Error; err != nil || !acc.ChannelEnabled(ch.Kind) {
			problem(c, http.StatusForbidden, inbox.ErrChannelNotInPlan.Error(), "channel_id")
			return
		}
		settings, err := webchat.ParseSettings(ch.Settings)
		if err != nil {
			s.internalError(c, "webchat settings", err)
			return
		}
		if origin := c.GetHeader("Origin"); origin != "" {
			if !settings.OriginAllowed(origin) {
				problem(c, http.StatusForbidden, "this site is not allowed to use this chat", "Origin")
				return
			}
			c.Header("Access-Control-Allow-Origin", origin)
			c.Header("Vary", "Origin")
			c.Header("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
			c.Header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			c.Header("Access-Control-Expose-Headers", "Retry-After")
			c.Header("Access-Control-Max-Age", "600")
		}
		c.Set(webchatChannelKey, ch)
		c.Set(webchatSettingsKey, settings)
		c.Next()
	}
}

func webchatOf(c *gin.Context) (store.Channel, webchat.Settings) {
	ch, _ := c.Get(webchatChannelKey)
	st, _ := c.Get(webchatSettingsKey)
	return ch.(store.Channel), st.(webchat.Settings)
}

func (s *Server) webchatConfig(c *gin.Context) {
	_, st := webchatOf(c)
	c.JSON(http.StatusOK, gin.H{
		"title": st.Title, "color": st.Color, "welcome_message": st.WelcomeMessage, "offline_message": st.OfflineMessage,
		"prechat": st.PreChat, "online": st.Open(time.Now()),
	})
}

// webchatStart takes the pre-chat form and returns the visitor's token.
func (s *Server) webchatStart(c *gin.Context) {
	var v webchat.Visitor
	if !bindJSON(c, &v) {
		return
	}
	ch, st := webchatOf(c)
	if s.webchatFieldError(c, st.PreChat.Validate(v)) {
		return
	}
	token, visitorID, err := s.newVisitor(c, ch, v)
	if err != nil {
		s.internalError(c, "webchat visitor", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"visitor_token": token, "visitor": gin.H{"id": visitorID, "name": v.Name}})
}

// newVisitor creates the contact and its identity on the channel.
func (s *Server) newVisitor(c *gin.Context, ch store.Channel, v webchat.Visitor) (string, string, error) {
	visitorID := "v_" + uuid.NewString()
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		contact := store.Contact{ID: store.NewID(), AccountID: ch.AccountID, Name: strings.TrimSpace(v.Name),
			Email: strings.ToLower(strings.TrimSpace(v.Email)), Phone: strings.TrimSpace(v.Phone)}
		if err := tx.Create(&contact).Error; err != nil {
			return err
		}
		if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.ContactCreated, webhooks.ContactData(contact)); err != nil {
			return err
		}
		return tx.Create(&store.ContactIdentity{ID: store.NewID(), AccountID: ch.AccountID, ContactID: contact.ID, ChannelID: ch.ID, ExternalID: visitorID}).Error
	})
	return webchat.SignToken(s.SecretKey, ch.ID, visitorID, time.Now()), visitorID, err
}

// webchatContactForm is the offline form: the visitor's details and one
// message, which lands in the inbox like any other.
func (s *Server) webchatContactForm(c *gin.Context) {
	var req struct {
		webchat.Visitor
		Message string `json:"message"`
	}
	if !bindJSON(c, &req) {
		return
	}
	ch, st := webchatOf(c)
	if s.webchatFieldError(c, st.PreChat.Validate(req.Visitor)) || s.webchatFieldError(c, checkVisitorText(req.Message, "message")) {
		return
	}
	token, visitorID, err := s.newVisitor(c, ch, req.Visitor)
	if err != nil {
		s.internalError(c, "webchat contact form", err)
		return
	}
	in := channels.Inbound{ChannelID: ch.ID, ExternalID: "form_" + uuid.NewString(), Contact: channels.InboundContact{ExternalID: visitorID}, Text: req.Message}
	res, err := s.Inbox.Ingest(c, ch, in)
	if err != nil && res.Message.ID == "" {
		s.internalError(c, "webchat contact form", err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"visitor_token": token, "message_id": res.Message.ID})
}

func checkVisitorText(text, field string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return &channels.FieldError{Field: field, Reason: "is empty"}
	case utf8.RuneCountInString(text) > maxVisitorText:
		return &channels.FieldError{Field: field, Reason: fmt.Sprintf("is longer than %d characters", maxVisitorText)}
	}
	return nil
}

func (s *Server) webchatFieldError(c *gin.Context, err error) bool {
	var fe *channels.FieldError
	if errors.As(err, &fe) {
		problem(c, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
		return true
	}
	return false
}

// visitor is a verified visitor token's owner.
type visitor struct {
	ID        string
	ContactID string
}

// webchatVisitor verifies the visitor token (Authorization: Bearer, or
// ?token= for EventSource, which cannot set headers).
func (s *Server) webchatVisitor() gin.HandlerFunc {
	return func(c *gin.Context) {
		ch, _ := webchatOf(c)
		token := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
		if token == "" {
			token = c.Query("token")
		}
		id, err := webchat.VerifyToken(s.SecretKey, ch.ID, token, time.Now())
		for _, old := range s.PreviousSecretKeys { // signed before a key rotation
			if err == nil {
				break
			}
			if oldID, oldErr := webchat.VerifyToken(old, ch.ID, token, time.Now()); oldErr == nil {
				id, err = oldID, nil
			}
		}
		if err != nil {
			problem(c, http.StatusUnauthorized, err.Error(), "token")
			return
		}
		var ident store.ContactIdentity
		if err := s.DB.WithContext(c).Where("channel_id = ? AND external_id = ?", ch.ID, id).Take(&ident).Error; err != nil {
			problem(c, http.StatusUnauthorized, webchat.ErrBadToken.Error(), "token")
			return
		}
		c.Set(visitorKey, visitor{ID: id, ContactID: ident.ContactID})
		c.Next()
	}
}

func visitorOf(c *gin.Context) visitor {
	v, _ := c.Get(visitorKey)
	return v.(visitor)
}

func (s *Server) webchatSend(c *gin.Context) {
	v := visitorOf(c)
	if ok, wait := s.visitorLimit.allow(v.ID, orDefault(s.VisitorRate, DefaultVisitorRate)); !ok {
		retryAfter(c, wait)
		problem(c, http.StatusTooManyRequests, "you are sending messages too fast; wait a moment", "")
		return
	}
	var req struct {
		Text          string   `json:"text"`
		ClientID      string   `json:"client_id"` // the widget's id for the message, so a retry is not stored twice
		AttachmentIDs []string `json:"attachment_ids"`
	}
	if !bindJSON(c, &req) {
		return
	}
	fileOnly := len(req.AttachmentIDs) > 0 && strings.TrimSpace(req.Text) == ""
	if !fileOnly && s.webchatFieldError(c, checkVisitorText(req.Text, "text")) {
		return
	}
	if req.ClientID == "" || len(req.ClientID) > 100 {
		req.ClientID = uuid.NewString()
	}
	ch, _ := webchatOf(c)
	var sent int64 // a retry of a send that went through has its files linked already
	s.DB.WithContext(c).Model(&store.Message{}).Where("channel_id = ? AND external_id = ? AND direction = 'inbound'", ch.ID, v.ID+":"+req.ClientID).Count(&sent)
	if sent == 0 {
		if err := attachments.Check(s.DB.WithContext(c), ch.AccountID, v.ID, req.AttachmentIDs); err != nil {
			if !s.webchatFieldError(c, err) {
				problem(c, http.StatusUnprocessableEntity, err.Error(), "attachment_ids")
			}
			return
		}
	}
	in := channels.Inbound{ChannelID: ch.ID, ExternalID: v.ID + ":" + req.ClientID, Contact: channels.InboundContact{ExternalID: v.ID},
		Text: req.Text, AttachmentIDs: req.AttachmentIDs}
	res, err := s.Inbox.Ingest(c, ch, in)
	if err != nil && res.Message.ID == "" {
		s.internalError(c, "webchat send", err)
		return
	}
	if err != nil {
		s.Logger.Warn("webchat message stored, conversation hand-over pending", "error", err)
	}
	views, err := store.MessageViews(c, s.DB, []store.Message{res.Message})
	if err != nil {
		s.internalError(c, "webchat send", err)
		return
	}
	c.JSON(http.StatusAccepted, visitorMessage(ch.ID, res.Message, views[0]))
}

// VisitorMessage is a message as the visitor sees it: no notes, no agent
// internals. Attachment URLs need the visitor token as ?token=.
type VisitorMessage struct {
	ID          string                 `json:"id"`
	Direction   string                 `json:"direction"`
	Body        string                 `json:"body"`
	Status      string                 `json:"status"`
	Author      string                 `json:"author"`
	Attachments []store.AttachmentView `json:"attachments"`
	CreatedAt   time.Time              `json:"created_at"`
}

func visitorMessage(channelID string, m store.Message, v store.MessageView) VisitorMessage {
	author := ""
	if v.Author != nil {
		author = v.Author.Name
	}
	files := make([]store.AttachmentView, len(v.Attachments))
	for i, a := range v.Attachments {
		a.URL = "/hooks/webchat/" + channelID + "/attachments/" + a.ID
		files[i] = a
	}
	return VisitorMessage{ID: m.ID, Direction: m.Direction, Body: m.Body, Status: m.Status, Author: author, Attachments: files, CreatedAt: m.CreatedAt}
}

// visitorMessages lists the visitor's messages changed after since.
func (s *Server) visitorMessages(c *gin.Context, v visitor, since time.Time) ([]store.Message, error) {
	ch, _ := webchatOf(c)
	var msgs []store.Message
	err := s.DB.WithContext(c).Where("channel_id = ? AND contact_id = ? AND kind = ? AND updated_at > ?", ch.ID, v.ContactID, store.KindText, since).
		Order("updated_at, id").Limit(500).Find(&msgs).Error
	return msgs, err
}

// webchatHistory returns the visitor's newest 500 messages, oldest first.
func (s *Server) webchatHistory(c *gin.Context) {
	v := visitorOf(c)
	ch, _ := webchatOf(c)
	var msgs []store.Message
	err := s.DB.WithContext(c).Where("channel_id = ? AND contact_id = ? AND kind = ?", ch.ID, v.ContactID, store.KindText).
		Order("id DESC").Limit(500).Find(&msgs).Error
	if err != nil {
		s.internalError(c, "webchat history", err)
		return
	}
	slices.Reverse(msgs)
	views, err := store.MessageViews(c, s.DB, msgs)
	if err != nil {
		s.internalError(c, "webchat history", err)
		return
	}
	items := make([]VisitorMessage, len(msgs))
	for i, m := range msgs {
		items[i] = visitorMessage(ch.ID, m, views[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// webchatRead marks the agents' messages read: the visitor saw them.
func (s *Server) webchatRead(c *gin.Context) {
	v := visitorOf(c)
	ch, _ := webchatOf(c)
	var msgs []store.Message
	if err := s.DB.WithContext(c).Where("channel_id = ? AND contact_id = ? AND direction = ? AND kind = ? AND status IN ?",
		ch.ID, v.ContactID, store.DirectionOutbound, store.KindText, []string{store.MessageSent, store.MessageDelivered}).Find(&msgs).Error; err != nil {
		s.internalError(c, "webchat read", err)
		return
	}
	for _, m := range msgs {
		if err := messaging.SetStatus(c, s.DB, s.Bus, m, store.MessageRead, "", nil); err != nil {
			s.internalError(c, "webchat read", err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}

// webchatStream pushes the visitor's messages and their status changes.
// The event id is the last change time seen, so a reconnect resumes.
func (s *Server) webchatStream(c *gin.Context) {
	v := visitorOf(c)
	ch, _ := webchatOf(c)
	since := time.Time{}
	if id := c.GetHeader("Last-Event-ID"); id != "" {
		if t, err := time.Parse(time.RFC3339Nano, id); err == nil {
			since = t
		}
	}
	wake, ticker, done := s.startSSE(c, ch.AccountID)
	defer done()
	for {
		msgs, err := s.visitorMessages(c, v, since)
		if err != nil {
			return
		}
		views, err := store.MessageViews(c, s.DB, msgs)
		if err != nil {
			return
		}
		for i, m := range msgs {
			// Reaching the visitor's browser is delivery.
			if m.Direction == store.DirectionOutbound && m.Status == store.MessageSent {
				if err := messaging.SetStatus(c, s.DB, s.Bus, m, store.MessageDelivered, "", nil); err == nil {
					m.Status = store.MessageDelivered
				}
			}
			since = msgs[i].UpdatedAt
			data, _ := json.Marshal(visitorMessage(ch.ID, m, views[i]))
			fmt.Fprintf(c.Writer, "id: %s\nevent: message\ndata: %s\n\n", since.UTC().Format(time.RFC3339Nano), data)
		}
		c.Writer.Flush()
		select {
		case <-c.Request.Context().Done():
			return
		case <-wake:
		case <-ticker.C:
			fmt.Fprint(c.Writer, ": keep-alive\n\n")
			c.Writer.Flush()
		}
	}
}

func (s *Server) webchatUpload(c *gin.Context) {
	v := visitorOf(c)
	if ok, wait := s.visitorLimit.allow(v.ID, orDefault(s.VisitorRate, DefaultVisitorRate)); !ok {
		retryAfter(c, wait)
		problem(c, http.StatusTooManyRequests, "you are sending too fast; wait a moment", "")
		return
	}
	ch, _ := webchatOf(c)
	a, ok := s.saveUpload(c, ch.AccountID, v.ID)
	if !ok {
		return
	}
	c.JSON(http.StatusCreated, attachmentView(a, "/hooks/webchat/"+ch.ID+"/attachments/"+a.ID))
}

// webchatFile serves a file of the visitor's own conversation.
func (s *Server) webchatFile(c *gin.Context) {
	v := visitorOf(c)
	ch, _ := webchatOf(c)
	var a store.Attachment
	err := s.DB.WithContext(c).Where("attachments.id = ? AND attachments.account_id = ?", c.Param("attachment_id"), ch.AccountID).
		Where("attachments.uploader_id = ? OR attachments.message_id IN (SELECT id FROM messages WHERE contact_id = ? AND channel_id = ? AND kind = ?)",
			v.ID, v.ContactID, ch.ID, store.KindText).Take(&a).Error
	if err != nil {
		problem(c, http.StatusNotFound, "no such file", "attachment_id")
		return
	}
	serveFile(c, a)
}
