package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
)

// Cookie names. The session cookie is HttpOnly; the CSRF cookie is read by
// the UI and sent back in the X-CSRF-Token header (double submit), which a
// cross-site page cannot do.
const (
	sessionCookie = "chatspot_session"
	csrfCookie    = "chatspot_csrf"
	csrfHeader    = "X-CSRF-Token"
)

const principalKey = "principal"

// authenticate resolves the caller from the session cookie or a bearer API
// token and refuses anonymous requests with 401. Cookie requests that
// change state must carry the CSRF token.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := s.resolve(c)
		if err != nil {
			if errors.Is(err, auth.ErrNoSession) {
				problem(c, http.StatusUnauthorized, "log in first, or send an API token as Authorization: Bearer cst_...", "")
				return
			}
			if errors.Is(err, errAPIModuleOff) {
				problem(c, http.StatusForbidden, err.Error(), "")
				return
			}
			s.internalError(c, "authenticate", err)
			return
		}
		if p.TokenID != "" {
			if ok, wait := s.tokenLimit.allow(p.TokenID, orDefault(s.TokenRate, DefaultTokenRate)); !ok {
				retryAfter(c, wait)
				problem(c, http.StatusTooManyRequests, "this API token is over its rate limit; retry after the time in Retry-After", "")
				return
			}
		}
		if p.TokenID == "" && !safeMethod(c.Request.Method) && c.GetHeader(csrfHeader) != p.CSRFToken {
			problem(c, http.StatusForbidden, "missing or wrong "+csrfHeader+" header", csrfHeader)
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

var errAPIModuleOff = errors.New("the API module is not enabled for this account; ask CHATSPOT to enable it")

func (s *Server) resolve(c *gin.Context) (auth.Principal, error) {
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		p, err := auth.AuthenticateToken(c, s.DB, strings.TrimPrefix(h, "Bearer "))
		if err != nil {
			return p, err
		}
		var acc store.Account
		if err := s.DB.WithContext(c).Select("modules").Take(&acc, "id = ?", p.AccountID).Error; err != nil {
			return p, err
		}
		// The LinkedIn extension's tokens are the agents' own, for captures.
		if !hasModule(acc.Modules, "api") && c.Request.URL.Path != linkedInCapturePath {
			return p, errAPIModuleOff
		}
		return p, nil
	}
	token, _ := c.Cookie(sessionCookie)
	return s.Sessions.Authenticate(c, token)
}

func hasModule(modules, m string) bool {
	for _, x := range strings.Split(modules, ",") {
		if strings.TrimSpace(x) == m {
			return true
		}
	}
	return false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// require refuses callers whose profile or token lacks perm.
func require(perm auth.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if perm != "" && !principal(c).Perms.Has(perm) {
			problem(c, http.StatusForbidden, "your profile does not allow this (needs "+string(perm)+")", "")
			return
		}
		c.Next()
	}
}

func principal(c *gin.Context) auth.Principal {
	p, _ := c.Get(principalKey)
	return p.(auth.Principal)
}

// Rate is how many requests one key (a client address, a visitor) may
// make: a burst, then one per interval.
type Rate struct {
	Burst int
	Every time.Duration
}

// LoginRate limits login attempts per client address.
type LoginRate = Rate

// DefaultTokenRate is what one API token may call: bursts of 100, 20 per
// second sustained.
var DefaultTokenRate = Rate{Burst: 100, Every: 50 * time.Millisecond}

// DefaultLoginRate is enough for typos, too slow for guessing.
var DefaultLoginRate = Rate{Burst: 10, Every: 6 * time.Second}

// keyedLimiter keeps one token bucket per key.
type keyedLimiter struct {
	mu  sync.Mutex
	ips map[string]*rate.Limiter
}

func (l *keyedLimiter) allow(ip string, r Rate) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ips == nil || len(l.ips) > 10_000 {
		l.ips = map[string]*rate.Limiter{} // bounded memory; forgetting is harmless
	}
	lim, ok := l.ips[ip]
	if !ok {
		lim = rate.NewLimiter(rate.Every(r.Every), r.Burst)
		l.ips[ip] = lim
	}
	res := lim.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return false, d
	}
	return true, 0
}

func orDefault(r, def Rate) Rate {
	if r.Burst == 0 {
		return def
	}
	return r
}

// retryAfter sets the Retry-After header for a wait.
func retryAfter(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	if ok, wait := s.loginLimit.allow(c.ClientIP(), orDefault(s.LoginRate, DefaultLoginRate)); !ok {
		retryAfter(c, wait)
		problem(c, http.StatusTooManyRequests, "too many login attempts from this address; wait and try again", "")
		return
	}
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	token, sess, err := s.Sessions.Login(c, req.Email, req.Password, c.Request.UserAgent(), c.ClientIP())
	var locked *auth.LockedError
	var full *auth.SeatsFullError
	switch {
	case errors.As(err, &locked):
		retryAfter(c, time.Until(locked.Until))
		problem(c, http.StatusTooManyRequests, locked.Error(), "")
		return
	case errors.As(err, &full):
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(http.StatusConflict, gin.H{"type": "about:blank", "title": "Seat limit reached", "status": http.StatusConflict,
			"detail": full.Error(), "seats": full.Seats, "holders": full.Holders})
		return
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrInactive):
		problem(c, http.StatusUnauthorized, err.Error(), "")
		return
	case err != nil:
		s.internalError(c, "login", err)
		return
	}
	secure := strings.HasPrefix(s.BaseURL, "https://")
	maxAge := int(s.Sessions.Policy.MaxAge.Seconds())
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(sessionCookie, token, maxAge, "/", "", secure, true)
	c.SetCookie(csrfCookie, sess.CSRFToken, maxAge, "/", "", secure, false)
	p := auth.Principal{AccountID: sess.AccountID, UserID: sess.UserID, SessionID: sess.ID}
	me, err := s.me(c, p)
	if err != nil {
		s.internalError(c, "login", err)
		return
	}
	c.JSON(http.StatusOK, me)
}

func (s *Server) logout(c *gin.Context) {
	p := principal(c)
	if p.SessionID != "" {
		if _, err := s.Sessions.End(c, p.AccountID, p.SessionID, "logout"); err != nil {
			s.internalError(c, "logout", err)
			return
		}
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", false, true)
	c.SetCookie(csrfCookie, "", -1, "/", "", false, false)
	c.Status(http.StatusNoContent)
}

// Me is who is logged in, with what they may do.
type Me struct {
	User          MeUser  `json:"user"`
	Account       Account `json:"account"`
	Namespace     string  `json:"namespace"`
	TemporalUIURL string  `json:"temporal_ui_url"`
}

// MeUser is the logged-in user.
type MeUser struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Email       string      `json:"email"`
	Role        string      `json:"role"`
	Status      string      `json:"status"`
	Permissions []string    `json:"permissions"`
	Teams       []store.Ref `json:"teams"`
}

// Account is the tenant as the UI sees it.
type Account struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Seats    int      `json:"seats"`
	Modules  []string `json:"modules"`
	Channels []string `json:"channels"` // enabled channel kinds; empty: every kind
	Timezone string   `json:"timezone"`
}

func (s *Server) me(c *gin.Context, p auth.Principal) (Me, error) {
	var u store.User
	if err := s.DB.WithContext(c).Take(&u, "id = ? AND account_id = ?", p.UserID, p.AccountID).Error; err != nil {
		return Me{}, err
	}
	var prof store.Profile
	if err := s.DB.WithContext(c).Take(&prof, "id = ?", u.ProfileID).Error; err != nil {
		return Me{}, err
	}
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", p.AccountID).Error; err != nil {
		return Me{}, err
	}
	perms := auth.ParseSet(prof.Permissions)
	if prof.BuiltinKey != nil && *prof.BuiltinKey == auth.ProfileAdmin {
		perms = auth.AllSet()
	}
	teams := []store.Ref{}
	if err := s.DB.WithContext(c).Table("teams").Select("teams.id, teams.name").
		Joins("JOIN team_members tm ON tm.team_id = teams.id").Where("tm.user_id = ?", u.ID).Order("teams.name").Scan(&teams).Error; err != nil {
		return Me{}, err
	}
	return Me{
		User:          MeUser{ID: u.ID, Name: u.Name, Email: u.Email, Role: prof.Name, Status: u.Status, Permissions: perms.List(), Teams: teams},
		Account:       accountJSON(acc),
		Namespace:     s.Namespace,
		TemporalUIURL: s.TemporalUIURL,
	}, nil
}

func accountJSON(a store.Account) Account {
	mods := []string{}
	for _, m := range strings.Split(a.Modules, ",") {
		if m = strings.TrimSpace(m); m != "" {
			mods = append(mods, m)
		}
	}
	return Account{ID: a.ID, Name: a.Name, Seats: a.Seats, Modules: mods, Channels: store.SplitTags(a.Channels), Timezone: a.Timezone}
}

func (s *Server) getMe(c *gin.Context) {
	me, err := s.me(c, principal(c))
	if err != nil {
		s.internalError(c, "me", err)
		return
	}
	c.JSON(http.StatusOK, me)
}

// setStatusRequest is the body setStatus accepts.
type setStatusRequest struct {
	Status string `json:"status"`
}

func (s *Server) setStatus(c *gin.Context) {
	var req setStatusRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Status != "online" && req.Status != "away" && req.Status != "offline" {
		problem(c, http.StatusUnprocessableEntity, "status must be online, away or offline", "status")
		return
	}
	p := principal(c)
	if err := s.DB.WithContext(c).Model(&store.User{}).Where("id = ? AND account_id = ?", p.UserID, p.AccountID).
		Update("status", req.Status).Error; err != nil {
		s.internalError(c, "status", err)
		return
	}
	if req.Status == "online" && s.Temporal != nil {
		s.recheckQueues(c, p.AccountID)
	}
	me, err := s.me(c, p)
	if err != nil {
		s.internalError(c, "status", err)
		return
	}
	c.JSON(http.StatusOK, me.User)
}
