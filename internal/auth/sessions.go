package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/internal/store"
)

// Policy is how long sessions live and how failed logins are punished.
type Policy struct {
	IdleTimeout time.Duration // a session unused this long ends and frees its seat
	MaxAge      time.Duration // a session ends this long after login, used or not
	MaxFailures int           // wrong passwords in a row before a lockout
	LockFor     time.Duration
}

// DefaultPolicy: the agent UI's event stream touches the session while a
// tab is open, so 30 minutes idle means the browser is gone.
var DefaultPolicy = Policy{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, MaxFailures: 5, LockFor: 15 * time.Minute}

// Sessions logs users in and out and enforces the account's seats.
type Sessions struct {
	DB     *gorm.DB
	Policy Policy
	Now    func() time.Time // nil: time.Now
}

// Errors of Login and Authenticate.
var (
	ErrBadCredentials = errors.New("wrong e-mail or password")
	ErrInactive       = errors.New("this user is deactivated; ask an administrator")
	ErrNoSession      = errors.New("not logged in, or the session has ended")
)

// LockedError says when a locked user may try again.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed attempts: try again after %s", e.Until.Format(time.RFC3339))
}

// SeatHolder is a person holding one of the account's seats.
type SeatHolder struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Since time.Time `json:"since"`
}

// SeatsFullError is the refusal of a login over the contracted seats.
type SeatsFullError struct {
	Seats   int
	Holders []SeatHolder
}

func (e *SeatsFullError) Error() string {
	return fmt.Sprintf("all %d seats of this account are in use; an administrator can end a session to free one", e.Seats)
}

// Login checks the password and opens a session if a seat is free. The
// same user on a second device takes no extra seat: a seat is a person.
// It returns the cookie token, which is stored only as a hash.
func (s *Sessions) Login(ctx context.Context, email, password, userAgent, ip string) (string, store.Session, error) {
	now := s.now()
	var user store.User
	err := s.DB.WithContext(ctx).Where("email = ?", normaliseLoose(email)).Take(&user).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		CheckPassword(dummyHash(), password) // same time as a real check: no user enumeration
		return "", store.Session{}, ErrBadCredentials
	}
	if err != nil {
		return "", store.Session{}, err
	}
	if user.LockedUntil != nil && user.LockedUntil.After(now) {
		return "", store.Session{}, &LockedError{Until: *user.LockedUntil}
	}
	if !CheckPassword(user.PasswordHash, password) {
		return "", store.Session{}, s.recordFailure(ctx, user, ip)
	}
	if !user.Active {
		return "", store.Session{}, ErrInactive
	}
	token := randomToken(32)
	sess := store.Session{
		ID: HashToken(token), AccountID: user.AccountID, UserID: user.ID, CSRFToken: randomToken(24),
		UserAgent: truncate(userAgent, 300), IP: ip, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.Policy.MaxAge),
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.takeSeat(tx, user, now); err != nil {
			return err
		}
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		if err := tx.Model(&user).Updates(map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now}).Error; err != nil {
			return err
		}
		return Audit(tx, store.AuditEntry{AccountID: user.AccountID, ActorID: user.ID, ActorKind: "user", Action: "login", Target: user.Email, IP: ip})
	})
	if err != nil {
		return "", store.Session{}, err
	}
	return token, sess, nil
}

// takeSeat ends stale sessions and checks a seat is free for user. On
// PostgreSQL the account row is locked, so concurrent logins of one
// account queue here and can never exceed the seats; SQLite runs one
// writing transaction at a time anyway.
func (s *Sessions) takeSeat(tx *gorm.DB, user store.User, now time.Time) error {
	var acc store.Account
	q := tx.Where("id = ?", user.AccountID)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&acc).Error; err != nil {
		return err
	}
	if err := s.endStale(tx, user.AccountID, now); err != nil {
		return err
	}
	// One row per active session, oldest first; a person with two devices
	// holds one seat, since their first login.
	var rows []struct {
		UserID    string
		Name      string
		Email     string
		CreatedAt time.Time
	}
	err := tx.Table("sessions").
		Select("sessions.user_id, users.name, users.email, sessions.created_at").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.account_id = ? AND sessions.ended_at IS NULL", user.AccountID).
		Order("sessions.created_at").
		Scan(&rows).Error
	if err != nil {
		return err
	}
	type holder struct {
		UserID, Name, Email string
		Since               time.Time
	}
	var holders []holder
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.UserID] {
			seen[r.UserID] = true
			holders = append(holders, holder{r.UserID, r.Name, r.Email, r.CreatedAt})
		}
	}
	for _, h := range holders {
		if h.UserID == user.ID {
			return nil // already holds a seat
		}
	}
	if len(holders) < acc.Seats {
		return nil
	}
	full := &SeatsFullError{Seats: acc.Seats}
	for _, h := range holders {
		full.Holders = append(full.Holders, SeatHolder{Name: h.Name, Email: h.Email, Since: h.Since.UTC()})
	}
	return full
}

// endStale ends the account's sessions that went idle or reached their
// maximum age, freeing their seats.
func (s *Sessions) endStale(tx *gorm.DB, accountID string, now time.Time) error {
	if err := tx.Model(&store.Session{}).
		Where("account_id = ? AND ended_at IS NULL AND expires_at <= ?", accountID, now).
		Updates(map[string]any{"ended_at": now, "ended_reason": "expired"}).Error; err != nil {
		return err
	}
	return tx.Model(&store.Session{}).
		Where("account_id = ? AND ended_at IS NULL AND last_seen_at <= ?", accountID, now.Add(-s.Policy.IdleTimeout)).
		Updates(map[string]any{"ended_at": now, "ended_reason": "idle"}).Error
}

func (s *Sessions) recordFailure(ctx context.Context, user store.User, ip string) error {
	now := s.now()
	failures := user.FailedLogins + 1
	updates := map[string]any{"failed_logins": failures}
	var result error = ErrBadCredentials
	if failures >= s.Policy.MaxFailures {
		until := now.Add(s.Policy.LockFor)
		updates = map[string]any{"failed_logins": 0, "locked_until": until}
		result = &LockedError{Until: until}
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&user).Updates(updates).Error; err != nil {
			return err
		}
		detail := fmt.Sprintf("failure %d of %d", failures, s.Policy.MaxFailures)
		if _, locked := result.(*LockedError); locked {
			detail = "locked out"
		}
		return Audit(tx, store.AuditEntry{AccountID: user.AccountID, ActorID: user.ID, ActorKind: "user", Action: "login.failed", Target: user.Email, Detail: detail, IP: ip})
	})
	if err != nil {
		return err
	}
	return result
}

// Principal is who is calling: a user through a session or an integrator
// through an API token.
type Principal struct {
	AccountID string
	UserID    string // the user, or the token's creator
	TokenID   string // set for API tokens
	SessionID string
	CSRFToken string
	Perms     Set
}

// Kind is "user" or "token", for the audit log.
func (p Principal) Kind() string {
	if p.TokenID != "" {
		return "token"
	}
	return "user"
}

// ActorID is the token's id for tokens, the user's otherwise.
func (p Principal) ActorID() string {
	if p.TokenID != "" {
		return p.TokenID
	}
	return p.UserID
}

// Authenticate resolves a session cookie's token. A session past its idle
// or absolute limit is ended here, freeing its seat.
func (s *Sessions) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrNoSession
	}
	now := s.now()
	var sess store.Session
	err := s.DB.WithContext(ctx).Where("id = ? AND ended_at IS NULL", HashToken(token)).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	if reason := s.staleReason(sess, now); reason != "" {
		s.DB.WithContext(ctx).Model(&sess).Updates(map[string]any{"ended_at": now, "ended_reason": reason})
		return Principal{}, ErrNoSession
	}
	perms, active, err := userPermissions(ctx, s.DB, sess.UserID)
	if err != nil {
		return Principal{}, err
	}
	if !active {
		return Principal{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) > time.Minute { // one write a minute, not one per request
		s.DB.WithContext(ctx).Model(&sess).Update("last_seen_at", now)
	}
	return Principal{AccountID: sess.AccountID, UserID: sess.UserID, SessionID: sess.ID, CSRFToken: sess.CSRFToken, Perms: perms}, nil
}

func (s *Sessions) staleReason(sess store.Session, now time.Time) string {
	switch {
	case !sess.ExpiresAt.After(now):
		return "expired"
	case now.Sub(sess.LastSeenAt) >= s.Policy.IdleTimeout:
		return "idle"
	}
	return ""
}

// Touch marks a session used now; the event stream calls it while open.
func (s *Sessions) Touch(ctx context.Context, sessionID string) error {
	return s.DB.WithContext(ctx).Model(&store.Session{}).Where("id = ? AND ended_at IS NULL", sessionID).Update("last_seen_at", s.now()).Error
}

// End ends one session of the account (logout, or an admin freeing a seat).
func (s *Sessions) End(ctx context.Context, accountID, sessionID, reason string) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&store.Session{}).
		Where("id = ? AND account_id = ? AND ended_at IS NULL", sessionID, accountID).
		Updates(map[string]any{"ended_at": s.now(), "ended_reason": reason})
	return res.RowsAffected == 1, res.Error
}

// EndUserSessions ends every session of a user (deactivation, password
// reset).
func EndUserSessions(tx *gorm.DB, userID, reason string, now time.Time) error {
	return tx.Model(&store.Session{}).Where("user_id = ? AND ended_at IS NULL", userID).
		Updates(map[string]any{"ended_at": now, "ended_reason": reason}).Error
}

// ActiveSession is a row of the sessions admin screen.
type ActiveSession struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	UserName   string    `json:"user_name"`
	UserEmail  string    `json:"user_email"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// Active lists the account's sessions that hold seats now.
func (s *Sessions) Active(ctx context.Context, accountID string) ([]ActiveSession, error) {
	now := s.now()
	if err := s.endStale(s.DB.WithContext(ctx), accountID, now); err != nil {
		return nil, err
	}
	var out []ActiveSession
	err := s.DB.WithContext(ctx).Table("sessions").
		Select("sessions.id, sessions.user_id, users.name AS user_name, users.email AS user_email, sessions.user_agent, sessions.ip, sessions.created_at, sessions.last_seen_at").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.account_id = ? AND sessions.ended_at IS NULL", accountID).
		Order("sessions.created_at").Scan(&out).Error
	return out, err
}

// userPermissions loads a user's profile permissions and whether the user
// is active. The admin profile always holds everything.
func userPermissions(ctx context.Context, db *gorm.DB, userID string) (Set, bool, error) {
	var row struct {
		Active      bool
		Permissions string
		BuiltinKey  *string
	}
	err := db.WithContext(ctx).Table("users").
		Select("users.active, profiles.permissions, profiles.builtin_key").
		Joins("JOIN profiles ON profiles.id = users.profile_id").
		Where("users.id = ?", userID).Take(&row).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Set{}, false, nil
		}
		return Set{}, false, err
	}
	if row.BuiltinKey != nil && *row.BuiltinKey == ProfileAdmin {
		return AllSet(), row.Active, nil
	}
	return ParseSet(row.Permissions), row.Active, nil
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// HashToken is how session and API tokens are stored: SHA-256, hex. The
// tokens are random and long, so a slow hash adds nothing.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func normaliseLoose(email string) string {
	e, err := NormaliseEmail(email)
	if err != nil {
		return email
	}
	return e
}

// dummyHash is checked when the e-mail is unknown, so both paths cost one
// bcrypt comparison.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password-1")
	return h
})
