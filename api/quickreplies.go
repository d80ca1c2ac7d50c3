package api

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/chatspot/chatspot/internal/store"
)

var shortcutPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func (s *Server) listQuickReplies(c *gin.Context) {
	items := []store.QuickReply{}
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("shortcut").Find(&items).Error; err != nil {
		s.internalError(c, "quick replies", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type quickReplyRequest struct {
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
}

func (r *quickReplyRequest) valid(c *gin.Context) bool {
	r.Shortcut = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.Shortcut), "/"))
	switch {
	case !shortcutPattern.MatchString(r.Shortcut):
		problem(c, http.StatusUnprocessableEntity, "shortcut: 1 to 40 lower-case letters, digits, - or _", "shortcut")
	case strings.TrimSpace(r.Text) == "" || utf8.RuneCountInString(r.Text) > 4096:
		problem(c, http.StatusUnprocessableEntity, "text: 1 to 4096 characters", "text")
	default:
		return true
	}
	return false
}

func (s *Server) createQuickReply(c *gin.Context) {
	var req quickReplyRequest
	if !bindJSON(c, &req) || !req.valid(c) {
		return
	}
	qr := store.QuickReply{ID: store.NewID(), AccountID: principal(c).AccountID, Shortcut: req.Shortcut, Text: req.Text}
	if err := s.DB.WithContext(c).Create(&qr).Error; err != nil {
		if store.IsDuplicate(err) {
			problem(c, http.StatusConflict, "shortcut: another quick reply uses /"+req.Shortcut, "shortcut")
			return
		}
		s.internalError(c, "quick reply", err)
		return
	}
	c.JSON(http.StatusCreated, qr)
}

func (s *Server) updateQuickReply(c *gin.Context) {
	var qr store.QuickReply
	if err := s.DB.WithContext(c).Take(&qr, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such quick reply", "id")
		return
	}
	var req quickReplyRequest
	if !bindJSON(c, &req) || !req.valid(c) {
		return
	}
	if err := s.DB.WithContext(c).Model(&qr).Updates(map[string]any{"shortcut": req.Shortcut, "text": req.Text}).Error; err != nil {
		if store.IsDuplicate(err) {
			problem(c, http.StatusConflict, "shortcut: another quick reply uses /"+req.Shortcut, "shortcut")
			return
		}
		s.internalError(c, "quick reply", err)
		return
	}
	qr.Shortcut, qr.Text = req.Shortcut, req.Text
	c.JSON(http.StatusOK, qr)
}

func (s *Server) deleteQuickReply(c *gin.Context) {
	res := s.DB.WithContext(c).Where("id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Delete(&store.QuickReply{})
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
