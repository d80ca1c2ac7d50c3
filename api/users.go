package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
)

// UserJSON is a user as the API shows it; the password hash never leaves.
type UserJSON struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	ProfileID   string     `json:"profile_id"`
	Active      bool       `json:"active"`
	Status      string     `json:"status"`
	Capacity    int        `json:"capacity"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
	TeamIDs     []string   `json:"team_ids"`
}

func userJSON(u store.User, teams []string) UserJSON {
	if teams == nil {
		teams = []string{}
	}
	return UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, ProfileID: u.ProfileID, Active: u.Active, Status: u.Status,
		Capacity: u.Capacity, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, TeamIDs: teams}
}

func (s *Server) listUsers(c *gin.Context) {
	p := principal(c)
	q := s.DB.WithContext(c).Where("account_id = ?", p.AccountID).Order("name")
	if v := c.Query("active"); v != "" {
		q = q.Where("active = ?", v == "true")
	}
	var users []store.User
	if err := q.Find(&users).Error; err != nil {
		s.internalError(c, "users", err)
		return
	}
	var members []store.TeamMember
	if err := s.DB.WithContext(c).Where("account_id = ?", p.AccountID).Find(&members).Error; err != nil {
		s.internalError(c, "users", err)
		return
	}
	teams := map[string][]string{}
	for _, m := range members {
		teams[m.UserID] = append(teams[m.UserID], m.TeamID)
	}
	items := make([]UserJSON, len(users))
	for i, u := range users {
		items[i] = userJSON(u, teams[u.ID])
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// createUserRequest is the body createUser accepts.
type createUserRequest struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	Password  string `json:"password"`
	ProfileID string `json:"profile_id"`
	Capacity  int    `json:"capacity"`
}

func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	var u store.User
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var err error
		u, err = auth.CreateUser(c, tx, p.AccountID, auth.NewUser{Email: req.Email, Name: req.Name, Password: req.Password, ProfileID: req.ProfileID, Capacity: req.Capacity})
		if err != nil {
			return err
		}
		return s.audit(c, tx, "user.created", u.ID, u.Email+" profile "+u.ProfileID)
	})
	if s.fieldOrInternal(c, "create user", err) {
		return
	}
	c.JSON(http.StatusCreated, userJSON(u, nil))
}

// updateUserRequest is the body updateUser accepts.
type updateUserRequest struct {
	Name      *string `json:"name"`
	ProfileID *string `json:"profile_id"`
	Active    *bool   `json:"active"`
	Capacity  *int    `json:"capacity"`
}

func (s *Server) updateUser(c *gin.Context) {
	var req updateUserRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	var u store.User
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&u, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		updates := map[string]any{}
		var changes []string
		if req.Name != nil {
			if strings.TrimSpace(*req.Name) == "" {
				return &auth.FieldError{Field: "name", Reason: "must not be empty"}
			}
			updates["name"] = strings.TrimSpace(*req.Name)
		}
		if req.Capacity != nil {
			if *req.Capacity < 1 || *req.Capacity > 100 {
				return &auth.FieldError{Field: "capacity", Reason: "must be between 1 and 100"}
			}
			updates["capacity"] = *req.Capacity
		}
		if req.ProfileID != nil && *req.ProfileID != u.ProfileID {
			var prof store.Profile
			if err := tx.Take(&prof, "id = ? AND account_id = ?", *req.ProfileID, p.AccountID).Error; err != nil {
				return &auth.FieldError{Field: "profile_id", Reason: "no such profile in this account"}
			}
			if u.ID == p.UserID {
				return &auth.FieldError{Field: "profile_id", Reason: "you cannot change your own profile"}
			}
			updates["profile_id"] = prof.ID
			changes = append(changes, "profile "+u.ProfileID+" -> "+prof.ID)
		}
		if req.Active != nil && *req.Active != u.Active {
			if u.ID == p.UserID {
				return &auth.FieldError{Field: "active", Reason: "you cannot deactivate yourself"}
			}
			updates["active"] = *req.Active
			if !*req.Active {
				changes = append(changes, "deactivated")
				if err := auth.EndUserSessions(tx, u.ID, "deactivated", time.Now().UTC()); err != nil {
					return err
				}
			} else {
				changes = append(changes, "reactivated")
			}
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&u).Updates(updates).Error; err != nil {
			return err
		}
		if len(changes) > 0 {
			return s.audit(c, tx, "user.updated", u.ID, strings.Join(changes, "; "))
		}
		return nil
	})
	if s.fieldOrInternal(c, "update user", err) {
		return
	}
	var teams []string
	s.DB.WithContext(c).Model(&store.TeamMember{}).Where("user_id = ?", u.ID).Pluck("team_id", &teams)
	c.JSON(http.StatusOK, userJSON(u, teams))
}

// resetPasswordRequest is the body resetPassword accepts.
type resetPasswordRequest struct {
	Password string `json:"password"`
}

func (s *Server) resetPassword(c *gin.Context) {
	var req resetPasswordRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var u store.User
		if err := tx.Take(&u, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		if err := auth.CheckPasswordStrength(req.Password); err != nil {
			return err
		}
		hash, err := auth.HashPassword(req.Password)
		if err != nil {
			return &auth.FieldError{Field: "password", Reason: err.Error()}
		}
		if err := tx.Model(&u).Updates(map[string]any{"password_hash": hash, "failed_logins": 0, "locked_until": nil}).Error; err != nil {
			return err
		}
		if err := auth.EndUserSessions(tx, u.ID, "password reset", time.Now().UTC()); err != nil {
			return err
		}
		return s.audit(c, tx, "user.password_reset", u.ID, u.Email)
	})
	if s.fieldOrInternal(c, "reset password", err) {
		return
	}
	c.Status(http.StatusNoContent)
}

// ProfileJSON is a profile with its expanded permissions.
type ProfileJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	BuiltinKey  *string  `json:"builtin_key"`
	Permissions []string `json:"permissions"`
	Editable    bool     `json:"editable"`
}

func profileJSON(p store.Profile) ProfileJSON {
	perms := auth.ParseSet(p.Permissions)
	admin := p.BuiltinKey != nil && *p.BuiltinKey == auth.ProfileAdmin
	if admin {
		perms = auth.AllSet()
	}
	return ProfileJSON{ID: p.ID, Name: p.Name, BuiltinKey: p.BuiltinKey, Permissions: perms.List(), Editable: !admin}
}

func (s *Server) listProfiles(c *gin.Context) {
	var profiles []store.Profile
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("created_at").Find(&profiles).Error; err != nil {
		s.internalError(c, "profiles", err)
		return
	}
	items := make([]ProfileJSON, len(profiles))
	for i, p := range profiles {
		items[i] = profileJSON(p)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "all_permissions": auth.All})
}

type profileRequest struct {
	Name        *string  `json:"name"`
	Permissions []string `json:"permissions"`
}

func (r profileRequest) validate() error {
	if r.Name != nil && strings.TrimSpace(*r.Name) == "" {
		return &auth.FieldError{Field: "name", Reason: "must not be empty"}
	}
	if bad := auth.Validate(r.Permissions); bad != "" {
		return &auth.FieldError{Field: "permissions", Reason: "unknown permission " + bad}
	}
	return nil
}

func (s *Server) createProfile(c *gin.Context) {
	var req profileRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Name == nil {
		problem(c, http.StatusUnprocessableEntity, "name is required", "name")
		return
	}
	if s.fieldOrInternal(c, "profile", req.validate()) {
		return
	}
	p := principal(c)
	prof := store.Profile{ID: store.NewID(), AccountID: p.AccountID, Name: strings.TrimSpace(*req.Name), Permissions: auth.FromNames(req.Permissions).String()}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&prof).Error; err != nil {
			if store.IsDuplicate(err) {
				return &auth.FieldError{Field: "name", Reason: "a profile with this name exists"}
			}
			return err
		}
		return s.audit(c, tx, "profile.created", prof.ID, prof.Name+": "+prof.Permissions)
	})
	if s.fieldOrInternal(c, "profile", err) {
		return
	}
	c.JSON(http.StatusCreated, profileJSON(prof))
}

func (s *Server) updateProfile(c *gin.Context) {
	var req profileRequest
	if !bindJSON(c, &req) {
		return
	}
	if s.fieldOrInternal(c, "profile", req.validate()) {
		return
	}
	p := principal(c)
	var prof store.Profile
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&prof, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		if prof.BuiltinKey != nil && *prof.BuiltinKey == auth.ProfileAdmin {
			return &auth.FieldError{Field: "permissions", Reason: "the Admin profile always holds every permission"}
		}
		updates := map[string]any{}
		if req.Name != nil {
			updates["name"] = strings.TrimSpace(*req.Name)
		}
		if req.Permissions != nil {
			updates["permissions"] = auth.FromNames(req.Permissions).String()
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&prof).Updates(updates).Error; err != nil {
			if store.IsDuplicate(err) {
				return &auth.FieldError{Field: "name", Reason: "a profile with this name exists"}
			}
			return err
		}
		return s.audit(c, tx, "profile.updated", prof.ID, prof.Name+": "+prof.Permissions)
	})
	if s.fieldOrInternal(c, "profile", err) {
		return
	}
	c.JSON(http.StatusOK, profileJSON(prof))
}

func (s *Server) deleteProfile(c *gin.Context) {
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var prof store.Profile
		if err := tx.Take(&prof, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		if prof.BuiltinKey != nil {
			return &auth.FieldError{Field: "id", Reason: "built-in profiles cannot be deleted"}
		}
		var n int64
		if err := tx.Model(&store.User{}).Where("profile_id = ?", prof.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &auth.FieldError{Field: "id", Reason: "users still have this profile; move them first"}
		}
		if err := tx.Delete(&prof).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "profile.deleted", prof.ID, prof.Name)
	})
	if s.fieldOrInternal(c, "profile", err) {
		return
	}
	c.Status(http.StatusNoContent)
}

// TeamJSON is a team with its members.
type TeamJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	MemberIDs []string `json:"member_ids"`
}

func (s *Server) listTeams(c *gin.Context) {
	p := principal(c)
	var teams []store.Team
	if err := s.DB.WithContext(c).Where("account_id = ?", p.AccountID).Order("name").Find(&teams).Error; err != nil {
		s.internalError(c, "teams", err)
		return
	}
	var members []store.TeamMember
	if err := s.DB.WithContext(c).Where("account_id = ?", p.AccountID).Find(&members).Error; err != nil {
		s.internalError(c, "teams", err)
		return
	}
	byTeam := map[string][]string{}
	for _, m := range members {
		byTeam[m.TeamID] = append(byTeam[m.TeamID], m.UserID)
	}
	items := make([]TeamJSON, len(teams))
	for i, t := range teams {
		ids := byTeam[t.ID]
		if ids == nil {
			ids = []string{}
		}
		items[i] = TeamJSON{ID: t.ID, Name: t.Name, MemberIDs: ids}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type teamRequest struct {
	Name      *string  `json:"name"`
	MemberIDs []string `json:"member_ids"`
}

func (s *Server) createTeam(c *gin.Context) {
	var req teamRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Name == nil || strings.TrimSpace(*req.Name) == "" {
		problem(c, http.StatusUnprocessableEntity, "name is required", "name")
		return
	}
	p := principal(c)
	team := store.Team{ID: store.NewID(), AccountID: p.AccountID, Name: strings.TrimSpace(*req.Name)}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&team).Error; err != nil {
			if store.IsDuplicate(err) {
				return &auth.FieldError{Field: "name", Reason: "a team with this name exists"}
			}
			return err
		}
		if err := setMembers(tx, team, req.MemberIDs); err != nil {
			return err
		}
		return s.audit(c, tx, "team.created", team.ID, team.Name)
	})
	if s.fieldOrInternal(c, "team", err) {
		return
	}
	c.JSON(http.StatusCreated, TeamJSON{ID: team.ID, Name: team.Name, MemberIDs: nonNil(req.MemberIDs)})
}

func (s *Server) updateTeam(c *gin.Context) {
	var req teamRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	var team store.Team
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&team, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		if req.Name != nil {
			if strings.TrimSpace(*req.Name) == "" {
				return &auth.FieldError{Field: "name", Reason: "must not be empty"}
			}
			if err := tx.Model(&team).Update("name", strings.TrimSpace(*req.Name)).Error; err != nil {
				if store.IsDuplicate(err) {
					return &auth.FieldError{Field: "name", Reason: "a team with this name exists"}
				}
				return err
			}
		}
		if req.MemberIDs != nil {
			if err := setMembers(tx, team, req.MemberIDs); err != nil {
				return err
			}
		}
		return s.audit(c, tx, "team.updated", team.ID, team.Name)
	})
	if s.fieldOrInternal(c, "team", err) {
		return
	}
	var ids []string
	s.DB.WithContext(c).Model(&store.TeamMember{}).Where("team_id = ?", team.ID).Pluck("user_id", &ids)
	c.JSON(http.StatusOK, TeamJSON{ID: team.ID, Name: team.Name, MemberIDs: nonNil(ids)})
}

// setMembers replaces a team's members; every id must be a user of the
// team's account.
func setMembers(tx *gorm.DB, team store.Team, userIDs []string) error {
	if len(userIDs) > 0 {
		var n int64
		if err := tx.Model(&store.User{}).Where("account_id = ? AND id IN ?", team.AccountID, userIDs).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(uniq(userIDs)) {
			return &auth.FieldError{Field: "member_ids", Reason: "every member must be a user of this account"}
		}
	}
	if err := tx.Where("team_id = ?", team.ID).Delete(&store.TeamMember{}).Error; err != nil {
		return err
	}
	for _, id := range uniq(userIDs) {
		if err := tx.Create(&store.TeamMember{TeamID: team.ID, UserID: id, AccountID: team.AccountID}).Error; err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) deleteTeam(c *gin.Context) {
	p := principal(c)
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		var team store.Team
		if err := tx.Take(&team, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
			return err
		}
		if err := tx.Where("team_id = ?", team.ID).Delete(&store.TeamMember{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&team).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "team.deleted", team.ID, team.Name)
	})
	if s.fieldOrInternal(c, "team", err) {
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listSessions(c *gin.Context) {
	items, err := s.Sessions.Active(c, principal(c).AccountID)
	if err != nil {
		s.internalError(c, "sessions", err)
		return
	}
	rows := make([]SessionJSON, len(items))
	for i, it := range items {
		rows[i] = SessionJSON{it, it.ID == principal(c).SessionID}
	}
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", principal(c).AccountID).Error; err != nil {
		s.internalError(c, "sessions", err)
		return
	}
	c.JSON(http.StatusOK, sessionList{Items: rows, Seats: acc.Seats})
}

// SessionJSON is an active login.
type SessionJSON struct {
	auth.ActiveSession
	Current bool `json:"current"` // the caller's own session
}

// sessionList is GET /sessions' answer: the logins and the seats they use.
type sessionList struct {
	Items []SessionJSON `json:"items"`
	Seats int           `json:"seats"`
}

// AuditEntryJSON is one line of the audit log.
type AuditEntryJSON struct {
	ID        string    `json:"id"`
	ActorID   string    `json:"actor_id"`
	ActorKind string    `json:"actor_kind"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	Detail    string    `json:"detail"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) endSession(c *gin.Context) {
	p := principal(c)
	ended, err := s.Sessions.End(c, p.AccountID, c.Param("id"), "ended by an administrator")
	if err != nil {
		s.internalError(c, "end session", err)
		return
	}
	if !ended {
		problem(c, http.StatusNotFound, "no active session with this id", "id")
		return
	}
	if err := s.audit(c, s.DB.WithContext(c), "session.ended", c.Param("id"), ""); err != nil {
		s.internalError(c, "end session", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// TokenJSON is an API token without its secret.
type TokenJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Permissions []string   `json:"permissions"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	Token       string     `json:"token,omitempty"` // only in the creation response
}

func tokenJSON(t store.APIToken) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Permissions: auth.ParseSet(t.Permissions).List(),
		CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func (s *Server) listTokens(c *gin.Context) {
	var toks []store.APIToken
	if err := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("created_at DESC").Find(&toks).Error; err != nil {
		s.internalError(c, "tokens", err)
		return
	}
	items := make([]TokenJSON, len(toks))
	for i, t := range toks {
		items[i] = tokenJSON(t)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// createTokenRequest is the body createToken accepts.
type createTokenRequest struct {
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

func (s *Server) createToken(c *gin.Context) {
	var req createTokenRequest
	if !bindJSON(c, &req) {
		return
	}
	plain, tok, err := auth.CreateToken(c, s.DB, principal(c), req.Name, req.Permissions)
	if s.fieldOrInternal(c, "create token", err) {
		return
	}
	out := tokenJSON(tok)
	out.Token = plain
	c.JSON(http.StatusCreated, out)
}

func (s *Server) revokeToken(c *gin.Context) {
	found, err := auth.RevokeToken(c, s.DB, principal(c), c.Param("id"))
	if err != nil {
		s.internalError(c, "revoke token", err)
		return
	}
	if !found {
		problem(c, http.StatusNotFound, "no active token with this id", "id")
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listAudit(c *gin.Context) {
	var entries []store.AuditEntry
	q := s.DB.WithContext(c).Where("account_id = ?", principal(c).AccountID).Order("created_at DESC").Limit(200)
	if a := c.Query("action"); a != "" {
		q = q.Where("action = ?", a)
	}
	if err := q.Find(&entries).Error; err != nil {
		s.internalError(c, "audit", err)
		return
	}
	items := make([]AuditEntryJSON, len(entries))
	for i, e := range entries {
		items[i] = AuditEntryJSON{e.ID, e.ActorID, e.ActorKind, e.Action, e.Target, e.Detail, e.IP, e.CreatedAt}
	}
	c.JSON(http.StatusOK, list[AuditEntryJSON]{Items: items})
}

func (s *Server) audit(c *gin.Context, tx *gorm.DB, action, target, detail string) error {
	p := principal(c)
	return auth.Audit(tx, store.AuditEntry{AccountID: p.AccountID, ActorID: p.ActorID(), ActorKind: p.Kind(),
		Action: action, Target: target, Detail: detail, IP: c.ClientIP()})
}

// fieldOrInternal answers an error: 422 naming the field for input errors,
// 404 for rows not in the caller's account, 500 otherwise. It reports
// whether it answered.
func (s *Server) fieldOrInternal(c *gin.Context, what string, err error) bool {
	if err == nil {
		return false
	}
	var fe *auth.FieldError
	switch {
	case errors.As(err, &fe):
		status := http.StatusUnprocessableEntity
		if fe.Field == "email" && strings.Contains(fe.Reason, "already") {
			status = http.StatusConflict
		}
		problem(c, status, fe.Error(), fe.Field)
	case errors.Is(err, gorm.ErrRecordNotFound):
		problem(c, http.StatusNotFound, "not found", "id")
	default:
		s.internalError(c, what, err)
	}
	return true
}

func (s *Server) internalError(c *gin.Context, what string, err error) {
	s.Logger.Error(what, "error", err, "path", c.Request.URL.Path)
	problem(c, http.StatusInternalServerError, "internal error; it has been logged", "")
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
