package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// errOpenDuplicate refuses a merge that would strand an open ticket: its
// workflow is keyed by the duplicate's id.
var errOpenDuplicate = errors.New("the duplicate contact has open conversations; close them before merging")

// mergeContact folds a duplicate contact into this one: its channel
// identities, conversations and messages move over, blank details are
// filled from it, and it is deleted.
func (s *Server) mergeContact(c *gin.Context) {
	var req struct {
		DuplicateID string `json:"duplicate_id"`
	}
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	var target store.Contact
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&target, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		var dup store.Contact
		if req.DuplicateID == target.ID {
			return &auth.FieldError{Field: "duplicate_id", Reason: "a contact cannot be merged into itself"}
		}
		if err := tx.Take(&dup, "id = ? AND account_id = ?", req.DuplicateID, p.AccountID).Error; err != nil {
			return &auth.FieldError{Field: "duplicate_id", Reason: "no such contact in this account"}
		}
		var open int64
		if err := tx.Model(&store.Conversation{}).Where("contact_id = ? AND status <> ?", dup.ID, store.StatusClosed).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return errOpenDuplicate
		}
		fill := map[string]any{}
		if target.Name == "" && dup.Name != "" {
			fill["name"] = dup.Name
		}
		if target.Phone == "" && dup.Phone != "" {
			fill["phone"] = dup.Phone
		}
		if target.Email == "" && dup.Email != "" {
			fill["email"] = dup.Email
		}
		if len(fill) > 0 {
			if err := tx.Model(&target).Updates(fill).Error; err != nil {
				return err
			}
		}
		for _, table := range []string{"contact_identities", "conversations", "messages", "cards"} {
			if err := tx.Table(table).Where("contact_id = ?", dup.ID).Update("contact_id", target.ID).Error; err != nil {
				return err
			}
		}
		if err := tx.Delete(&dup).Error; err != nil {
			return err
		}
		if err := tx.Take(&target, "id = ?", target.ID).Error; err != nil {
			return err
		}
		data := webhooks.ContactData(target)
		data["merged_contact_id"] = dup.ID
		if err := webhooks.Enqueue(tx, p.AccountID, webhooks.ContactUpdated, data); err != nil {
			return err
		}
		return s.audit(c, tx, "contact.merged", target.ID, "merged "+dup.ID)
	})
	if errors.Is(err, errOpenDuplicate) {
		problem(c, http.StatusConflict, err.Error(), "duplicate_id")
		return
	}
	if s.fieldOrInternal(c, "merge contacts", err) {
		return
	}
	detail, err := s.contactDetail(c, target.ID)
	if err != nil {
		s.internalError(c, "merge contacts", err)
		return
	}
	c.JSON(http.StatusOK, detail)
}
