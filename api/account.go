package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// AccountSettings are the account-wide settings admins edit: the time zone
// (scheduled messages, the agenda, rule clocks) and the business hours
// rules see through inBusinessHours().
type AccountSettings struct {
	Timezone      string               `json:"timezone"`
	BusinessHours map[string][2]string `json:"business_hours"` // {"mon":["09:00","18:00"]}; a missing day is closed
}

func accountSettings(acc store.Account) AccountSettings {
	out := AccountSettings{Timezone: acc.Timezone, BusinessHours: map[string][2]string{}}
	if acc.BusinessHours != "" {
		_ = json.Unmarshal([]byte(acc.BusinessHours), &out.BusinessHours)
	}
	return out
}

func (s *Server) getAccountSettings(c *gin.Context) {
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", principal(c).AccountID).Error; err != nil {
		s.internalError(c, "account", err)
		return
	}
	c.JSON(http.StatusOK, accountSettings(acc))
}

// updateAccountSettingsRequest is the body updateAccountSettings accepts.
type updateAccountSettingsRequest struct {
	Timezone      *string               `json:"timezone"`
	BusinessHours *map[string][2]string `json:"business_hours"`
}

func (s *Server) updateAccountSettings(c *gin.Context) {
	var req updateAccountSettingsRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", p.AccountID).Error; err != nil {
		s.internalError(c, "account", err)
		return
	}
	fields := map[string]any{"updated_at": time.Now().UTC()}
	loc, err := time.LoadLocation(acc.Timezone)
	if req.Timezone != nil {
		if loc, err = time.LoadLocation(*req.Timezone); err != nil || *req.Timezone == "" {
			problem(c, http.StatusUnprocessableEntity, "timezone: an IANA time zone such as America/Sao_Paulo", "timezone")
			return
		}
		fields["timezone"] = *req.Timezone
	}
	if req.BusinessHours != nil {
		raw, _ := json.Marshal(*req.BusinessHours)
		if len(*req.BusinessHours) == 0 {
			raw = nil
		}
		if err != nil {
			loc = time.UTC
		}
		if _, err := rules.ParseHours(string(raw), loc); err != nil {
			problem(c, http.StatusUnprocessableEntity, err.Error(), "business_hours")
			return
		}
		fields["business_hours"] = string(raw)
	}
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&acc).Updates(fields).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "account.updated", acc.ID, acc.Name)
	})
	if err != nil {
		s.internalError(c, "account", err)
		return
	}
	s.DB.WithContext(c).Take(&acc, "id = ?", acc.ID)
	c.JSON(http.StatusOK, accountSettings(acc))
}
