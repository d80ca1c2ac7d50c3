package api

import (
	"errors"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// errOpenDuplicate refuses a merge that would strand an open ticket: its
// workflow is keyed by the duplicate's id.
var errOpenDuplicate = errors.New("the duplicate contact has open conversations; close them before merging")

// mergeContactRequest is the body mergeContact accepts.
type mergeContactRequest struct {
	DuplicateID string `json:"duplicate_id"`
}

// mergeContact folds a duplicate contact into this one: its channel
// identities, conversations and messages move over, blank details are
// filled from it, and it is deleted.
func (s *Server) mergeContact(c *gin.Context) {
	var req mergeContactRequest
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

// contactFields are a contact's editable details; nil leaves one as is.
type contactFields struct {
	Name  *string `json:"name"`
	Phone *string `json:"phone"`
	Email *string `json:"email"`
}

var phoneChars = regexp.MustCompile(`^\+?[0-9 ().-]{8,25}$`)

// check validates and normalises the fields given: trimmed name, phone
// as "+" and digits, e-mail lower-cased.
func (f *contactFields) check(c *gin.Context) bool {
	if f.Name != nil {
		n := strings.TrimSpace(*f.Name)
		if utf8.RuneCountInString(n) > 200 {
			problem(c, http.StatusUnprocessableEntity, "name: at most 200 characters", "name")
			return false
		}
		f.Name = &n
	}
	if f.Phone != nil {
		p := strings.TrimSpace(*f.Phone)
		if p != "" {
			if !phoneChars.MatchString(p) {
				problem(c, http.StatusUnprocessableEntity, "phone: digits with an optional leading + (e.g. +5511999990000)", "phone")
				return false
			}
			p = normalPhone(p)
		}
		f.Phone = &p
	}
	if f.Email != nil {
		e := strings.ToLower(strings.TrimSpace(*f.Email))
		if e != "" {
			if _, err := mail.ParseAddress(e); err != nil || len(e) > 254 || strings.ContainsAny(e, " <>") {
				problem(c, http.StatusUnprocessableEntity, "email: an e-mail address", "email")
				return false
			}
		}
		f.Email = &e
	}
	return true
}

// normalPhone keeps the digits, with "+" when the number was written with it.
func normalPhone(p string) string {
	var b strings.Builder
	if strings.HasPrefix(p, "+") {
		b.WriteByte('+')
	}
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (f contactFields) apply(ct *store.Contact) {
	if f.Name != nil {
		ct.Name = *f.Name
	}
	if f.Phone != nil {
		ct.Phone = *f.Phone
	}
	if f.Email != nil {
		ct.Email = *f.Email
	}
}

// listContacts searches the account's contacts: q matches name, phone or
// e-mail; phone and email match exactly. Newest first, cursor paged.
func (s *Server) listContacts(c *gin.Context) {
	q := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID)
	if v := strings.TrimSpace(c.Query("q")); v != "" {
		like := "%" + strings.ToLower(v) + "%"
		q = q.Where("(LOWER(name) LIKE ? OR phone LIKE ? OR email LIKE ?)", like, like, like)
	}
	if v := c.Query("phone"); v != "" {
		q = q.Where("phone = ?", normalPhone(v))
	}
	if v := c.Query("email"); v != "" {
		q = q.Where("email = ?", strings.ToLower(strings.TrimSpace(v)))
	}
	if cur := c.Query("cursor"); cur != "" {
		q = q.Where("id < ?", cur)
	}
	const page = 50
	var cts []store.Contact
	if err := q.Order("id DESC").Limit(page + 1).Find(&cts).Error; err != nil {
		s.internalError(c, "contacts", err)
		return
	}
	next := ""
	if len(cts) > page {
		cts = cts[:page]
		next = cts[page-1].ID
	}
	items := make([]gin.H, 0, len(cts))
	for _, ct := range cts {
		items = append(items, webhooks.ContactData(ct))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

func (s *Server) getContact(c *gin.Context) {
	var ct store.Contact
	if err := s.DB.WithContext(c).Take(&ct, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such contact", "id")
		return
	}
	s.respondContact(c, http.StatusOK, ct.ID)
}

func (s *Server) respondContact(c *gin.Context, status int, id string) {
	d, err := s.contactDetail(c, id)
	if err != nil {
		s.internalError(c, "contact", err)
		return
	}
	c.JSON(status, d)
}

// createContact adds a contact; upsert=true (or PUT) updates the one with
// the same phone, else the same e-mail, instead of adding a second.
func (s *Server) createContact(c *gin.Context) {
	var f contactFields
	if !bindJSON(c, &f) || !f.check(c) {
		return
	}
	if (f.Phone == nil || *f.Phone == "") && (f.Email == nil || *f.Email == "") && (f.Name == nil || *f.Name == "") {
		problem(c, http.StatusUnprocessableEntity, "a contact needs a name, a phone or an e-mail", "name")
		return
	}
	upsert := c.Request.Method == http.MethodPut || c.Query("upsert") == "true"
	if upsert && (f.Phone == nil || *f.Phone == "") && (f.Email == nil || *f.Email == "") {
		problem(c, http.StatusUnprocessableEntity, "upsert needs a phone or an e-mail to match on", "phone")
		return
	}
	p := principal(c)
	var ct store.Contact
	created := false
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if upsert {
			if tx.Dialector.Name() == "postgres" {
				// Two upserts of the same person wait for each other.
				if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "contact:"+p.AccountID).Error; err != nil {
					return err
				}
			}
			if found, err := s.matchContact(tx, p.AccountID, f); err != nil || found != nil {
				if found != nil {
					ct = *found
					f.apply(&ct)
					if err := tx.Model(&ct).Updates(map[string]any{"name": ct.Name, "phone": ct.Phone, "email": ct.Email}).Error; err != nil {
						return err
					}
					return webhooks.Enqueue(tx, p.AccountID, webhooks.ContactUpdated, webhooks.ContactData(ct))
				}
				return err
			}
		}
		ct = store.Contact{ID: store.NewID(), AccountID: p.AccountID}
		f.apply(&ct)
		created = true
		if err := tx.Create(&ct).Error; err != nil {
			return err
		}
		return webhooks.Enqueue(tx, p.AccountID, webhooks.ContactCreated, webhooks.ContactData(ct))
	})
	if err != nil {
		s.internalError(c, "contact", err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.respondContact(c, status, ct.ID)
}

// matchContact finds the oldest contact with the phone, else the e-mail.
func (s *Server) matchContact(tx *gorm.DB, accountID string, f contactFields) (*store.Contact, error) {
	for _, m := range []struct {
		col string
		v   *string
	}{{"phone", f.Phone}, {"email", f.Email}} {
		if m.v == nil || *m.v == "" {
			continue
		}
		var ct store.Contact
		err := tx.Where("account_id = ? AND "+m.col+" = ?", accountID, *m.v).Order("created_at, id").Take(&ct).Error
		if err == nil {
			return &ct, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	return nil, nil
}

func (s *Server) updateContact(c *gin.Context) {
	var ct store.Contact
	if err := s.DB.WithContext(c).Take(&ct, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such contact", "id")
		return
	}
	var f contactFields
	if !bindJSON(c, &f) || !f.check(c) {
		return
	}
	f.apply(&ct)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ct).Updates(map[string]any{"name": ct.Name, "phone": ct.Phone, "email": ct.Email}).Error; err != nil {
			return err
		}
		return webhooks.Enqueue(tx, ct.AccountID, webhooks.ContactUpdated, webhooks.ContactData(ct))
	})
	if err != nil {
		s.internalError(c, "contact", err)
		return
	}
	s.respondContact(c, http.StatusOK, ct.ID)
}
