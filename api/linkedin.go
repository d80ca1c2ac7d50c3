package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/extension"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/linkedin"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// linkedInCapturePath is where the extension posts; its tokens work
// without the API module (they are the agents' own, for this only).
const linkedInCapturePath = "/api/v1/linkedin/captures"

// captureRequest is what the extension posts: the person on the screen
// and the visible conversation.
type captureRequest struct {
	ChannelID string           `json:"channel_id"` // "" is the account's one LinkedIn channel
	Profile   captureProfile   `json:"profile"`
	Messages  []captureMessage `json:"messages"`
	// CreateCard asks for a CRM card in the channel's pipeline and stage
	// (the contact's open card there is kept, not doubled).
	CreateCard bool `json:"create_card"`
}

// captureProfile is the person on the screen.
type captureProfile struct {
	URL      string `json:"url"`
	Name     string `json:"name"`
	Headline string `json:"headline"`
	Company  string `json:"company"`
}

// captureMessage is one message of the visible conversation.
type captureMessage struct {
	From string `json:"from"` // contact or me
	Text string `json:"text"`
	At   string `json:"at"` // ISO 8601 when the page showed it
}

// CaptureResult is what a capture did.
type CaptureResult struct {
	ContactID      string  `json:"contact_id"`
	ConversationID *string `json:"conversation_id"`
	NewMessages    int     `json:"new_messages"`
	KnownMessages  int     `json:"known_messages"` // captured before: not stored again
	CardID         *string `json:"card_id"`
	CardCreated    bool    `json:"card_created"`
}

// linkedInCapture stores a capture: the contact (by profile URL), the
// conversation threaded by the profile with its card, the messages not
// stored before, and on request a CRM card.
func (s *Server) linkedInCapture(c *gin.Context) {
	var req captureRequest
	if !bindJSON(c, &req) {
		return
	}
	profile, ok := linkedin.ProfileURL(req.Profile.URL)
	if !ok {
		problem(c, http.StatusUnprocessableEntity, "profile.url must be a LinkedIn member profile (https://www.linkedin.com/in/…)", "profile.url")
		return
	}
	name := strings.TrimSpace(req.Profile.Name)
	if name == "" || len([]rune(name)) > 200 {
		problem(c, http.StatusUnprocessableEntity, "profile.name: 1 to 200 characters", "profile.name")
		return
	}
	if len(req.Messages) > 500 {
		problem(c, http.StatusUnprocessableEntity, "messages: at most 500 per capture", "messages")
		return
	}
	var msgs []linkedin.CapturedMessage
	for i, m := range req.Messages {
		if m.From != "contact" && m.From != "me" {
			problem(c, http.StatusUnprocessableEntity, "messages[].from must be contact or me", "messages["+strconv.Itoa(i)+"].from")
			return
		}
		text := strings.TrimSpace(m.Text)
		if text == "" || len([]rune(text)) > 8000 {
			continue // an attachment or a reaction the page shows without text
		}
		msgs = append(msgs, linkedin.CapturedMessage{FromContact: m.From == "contact", Text: text, At: m.At})
	}
	p := principal(c)
	ch, ok := s.linkedInChannel(c, p.AccountID, req.ChannelID)
	if !ok {
		return
	}
	batch := channels.Batch{Messages: linkedin.Inbound(profile, name, msgs, time.Now())}
	var theirs, mine channels.Batch
	for _, in := range batch.Messages {
		if in.FromBusiness {
			mine.Messages = append(mine.Messages, in)
		} else {
			theirs.Messages = append(theirs.Messages, in)
		}
	}
	res := CaptureResult{}
	count := func(results []channels.Ingested) {
		for _, r := range results {
			if r.Duplicate {
				res.KnownMessages++
			} else {
				res.NewMessages++
			}
		}
	}
	// The contact's messages open (or join) the ticket; the person's own
	// follow into it once it exists.
	results, err := s.Inbox.Receive(c, ch, theirs)
	if err != nil {
		s.internalError(c, "capture", err)
		return
	}
	count(results)
	contact, err := s.captureContact(c, ch, profile, name)
	if err != nil {
		s.internalError(c, "capture", err)
		return
	}
	res.ContactID = contact.ID
	conv := s.waitTicket(c, ch, contact.ID, profile, len(theirs.Messages) > 0)
	// The person's own messages join the contact's ticket; with none yet
	// (only the person wrote) they wait for a capture once the contact
	// answers, instead of being stored outside any conversation.
	if len(mine.Messages) > 0 && conv != nil {
		results, err := s.Inbox.Receive(c, ch, mine)
		if err != nil {
			s.internalError(c, "capture", err)
			return
		}
		count(results)
	}
	if conv != nil {
		res.ConversationID = &conv.ID
		info := channels.ThreadInfo{Kind: channels.ThreadProfile, Key: profile, Title: name, Link: profile,
			Caption: strings.Join(nonEmpty(strings.TrimSpace(req.Profile.Headline), strings.TrimSpace(req.Profile.Company)), " · ")}
		raw, _ := json.Marshal(info)
		s.DB.WithContext(c).Model(conv).Updates(map[string]any{"thread_info": string(raw), "thread_info_at": time.Now().UTC()})
	}
	if req.CreateCard {
		if !s.captureCard(c, ch, contact, conv, req.Profile.Headline, req.Profile.Company, profile, &res) {
			return
		}
	}
	if err := s.noteCapture(c, ch); err != nil {
		s.internalError(c, "capture", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// linkedInChannel is the channel a capture goes to: the one named, or the
// account's only active LinkedIn channel.
func (s *Server) linkedInChannel(c *gin.Context, accountID, id string) (store.Channel, bool) {
	var chans []store.Channel
	q := s.DB.WithContext(c).Where("account_id = ? AND kind = ? AND active = ?", accountID, channels.KindLinkedIn, true)
	if id != "" {
		q = q.Where("id = ?", id)
	}
	if err := q.Find(&chans).Error; err != nil {
		s.internalError(c, "capture", err)
		return store.Channel{}, false
	}
	switch {
	case len(chans) == 0 && id != "":
		problem(c, http.StatusUnprocessableEntity, "channel_id names no active LinkedIn channel of this account", "channel_id")
	case len(chans) == 0:
		problem(c, http.StatusConflict, "the account has no active LinkedIn channel: an admin creates one in Administração › Canais", "channel_id")
	case len(chans) > 1:
		problem(c, http.StatusUnprocessableEntity, "the account has several LinkedIn channels: name one in channel_id", "channel_id")
	default:
		return chans[0], true
	}
	return store.Channel{}, false
}

// captureContact finds the contact of the profile, creating it (and its
// identity) for a capture without messages.
func (s *Server) captureContact(c *gin.Context, ch store.Channel, profile, name string) (store.Contact, error) {
	var contact store.Contact
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		err := tx.Joins("JOIN contact_identities ci ON ci.contact_id = contacts.id").
			Where("ci.channel_id = ? AND ci.external_id = ?", ch.ID, profile).Take(&contact).Error
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		contact = store.Contact{ID: store.NewID(), AccountID: ch.AccountID, Name: name}
		if err := tx.Create(&contact).Error; err != nil {
			return err
		}
		return tx.Create(&store.ContactIdentity{ID: store.NewID(), AccountID: ch.AccountID, ContactID: contact.ID, ChannelID: ch.ID, ExternalID: profile}).Error
	})
	if store.IsDuplicate(err) {
		return s.captureContact(c, ch, profile, name)
	}
	return contact, err
}

// waitTicket is the contact's open conversation, waiting a little for the
// one the contact's messages just opened (its workflow creates it).
func (s *Server) waitTicket(c *gin.Context, ch store.Channel, contactID, profile string, opened bool) *store.Conversation {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var conv store.Conversation
		err := s.DB.WithContext(c).Where("workflow_id = ? AND status <> ?", workflows.ThreadWorkflowID(ch.ID, contactID, profile), store.StatusClosed).
			Order("created_at DESC").Take(&conv).Error
		if err == nil {
			return &conv
		}
		if !opened || time.Now().After(deadline) || c.Request.Context().Err() != nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// captureCard creates the contact's card in the channel's pipeline and
// stage, or keeps the open one it has there.
func (s *Server) captureCard(c *gin.Context, ch store.Channel, contact store.Contact, conv *store.Conversation, headline, company, profile string, res *CaptureResult) bool {
	settings, _ := channels.ParseSettings(ch.Settings)
	p := principal(c)
	if !p.Perms.Has(auth.EditCRM) {
		problem(c, http.StatusForbidden, "creating a CRM card needs crm:edit", "create_card")
		return false
	}
	nc := activities.NewCard{ID: store.NewID(), AccountID: ch.AccountID, Title: contact.Name, Priority: "normal", ContactID: contact.ID,
		CreatedBy: p.UserID, CreatedAt: time.Now().UTC(), CustomFields: map[string]string{"linkedin": profile}}
	if h := strings.TrimSpace(headline); h != "" {
		nc.CustomFields["cargo"] = h
	}
	if co := strings.TrimSpace(company); co != "" {
		nc.CustomFields["empresa"] = co
	}
	if conv != nil {
		nc.ConversationIDs = []string{conv.ID}
	}
	if !s.placeNewCard(c, &nc, settings.String(linkedin.KeyPipelineID), settings.String(linkedin.KeyStageID)) {
		return false
	}
	var open store.Card
	err := s.DB.WithContext(c).Where("account_id = ? AND contact_id = ? AND pipeline_id = ? AND status = ?", ch.AccountID, contact.ID, nc.PipelineID, store.CardOpen).
		Take(&open).Error
	if err == nil {
		res.CardID = &open.ID
		return true
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		s.internalError(c, "capture card", err)
		return false
	}
	if err := s.startAndWait(c, ch.AccountID, workflows.CardWorkflowID(nc.ID), workflows.Card, workflows.CardInput{AccountID: ch.AccountID, CardID: nc.ID, New: &nc}); err != nil {
		s.internalError(c, "capture card", err)
		return false
	}
	res.CardID, res.CardCreated = &nc.ID, true
	return true
}

// noteCapture records on the channel when captures arrived, for the
// guided activation's screen, and tells the screens.
func (s *Server) noteCapture(c *gin.Context, ch store.Channel) error {
	now := time.Now().UTC().Format(time.RFC3339)
	return s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var cur store.Channel
		if err := tx.Take(&cur, "id = ?", ch.ID).Error; err != nil {
			return err
		}
		st, err := channels.ParseSettings(cur.Settings)
		if err != nil {
			return err
		}
		if st.String(linkedin.KeyFirstCapture) == "" {
			st[linkedin.KeyFirstCapture] = now
		}
		st[linkedin.KeyLastCapture] = now
		updates := map[string]any{"settings": st.JSON(), "updated_at": time.Now().UTC()}
		if cur.Status != store.ChannelConnected {
			at := time.Now().UTC()
			updates["status"], updates["status_reason"], updates["status_at"] = store.ChannelConnected, "first capture received", at
		}
		if err := tx.Model(&cur).Updates(updates).Error; err != nil {
			return err
		}
		return tx.Take(&cur, "id = ?", ch.ID).Error
	})
}

// linkedInToken makes the caller's own token for the extension: it may
// capture (conversations:reply) and, when the caller may, create cards.
func (s *Server) linkedInToken(c *gin.Context) {
	p := principal(c)
	perms := []string{string(auth.Reply)}
	if p.Perms.Has(auth.EditCRM) {
		perms = append(perms, string(auth.EditCRM))
	}
	var u store.User
	s.DB.WithContext(c).Select("name").Take(&u, "id = ?", p.UserID)
	plain, tok, err := auth.CreateToken(c, s.DB, p, "Extensão LinkedIn — "+cmpOr(u.Name, p.UserID), perms)
	if s.fieldOrInternal(c, "linkedin token", err) {
		return
	}
	out := tokenJSON(tok)
	out.Token = plain
	c.JSON(http.StatusCreated, out)
}

// extensionCORS lets the capture extension (its stable id's origin) call
// the capture endpoint from its service worker, errors included, and
// answers its preflight.
func (s *Server) extensionCORS(c *gin.Context) {
	if c.Request.URL.Path != linkedInCapturePath {
		return
	}
	if c.GetHeader("Origin") == "chrome-extension://"+extension.LinkedInID() {
		c.Header("Access-Control-Allow-Origin", c.GetHeader("Origin"))
		c.Header("Access-Control-Allow-Headers", "Authorization, Content-Type")
		c.Header("Access-Control-Allow-Methods", "POST, OPTIONS")
		c.Header("Vary", "Origin")
	}
	if c.Request.Method == http.MethodOptions {
		c.AbortWithStatus(http.StatusNoContent)
	}
}

// extensionZip hands out the LinkedIn extension, to unzip and load
// unpacked.
func (s *Server) extensionZip(c *gin.Context) {
	z, err := extension.LinkedInZip()
	if err != nil {
		s.internalError(c, "extension", err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="chatspot-linkedin.zip"`)
	c.Data(http.StatusOK, "application/zip", z)
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
