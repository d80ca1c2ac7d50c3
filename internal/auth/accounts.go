package auth

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// CreateAccount inserts an account with its built-in profiles and returns
// the profiles by key.
func CreateAccount(tx *gorm.DB, acc *store.Account) (map[string]store.Profile, error) {
	if acc.ID == "" {
		acc.ID = store.NewID()
	}
	if acc.Timezone == "" {
		acc.Timezone = "America/Sao_Paulo"
	}
	if err := tx.Create(acc).Error; err != nil {
		return nil, err
	}
	out := map[string]store.Profile{}
	for _, b := range BuiltinProfiles {
		key := b.Key
		perms := AllSet()
		if b.Perms != nil {
			perms = Set{perms: b.Perms}
		}
		p := store.Profile{ID: store.NewID(), AccountID: acc.ID, BuiltinKey: &key, Name: b.Name, Permissions: perms.String()}
		if err := tx.Create(&p).Error; err != nil {
			return nil, err
		}
		out[key] = p
	}
	return out, nil
}

// FieldError names the input field a request got wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// NewUser is what an admin fills in to create a user.
type NewUser struct {
	Email     string
	Name      string
	Password  string
	ProfileID string
	Capacity  int
}

// CreateUser validates and inserts a user in the account.
func CreateUser(ctx context.Context, db *gorm.DB, accountID string, in NewUser) (store.User, error) {
	email, err := NormaliseEmail(in.Email)
	if err != nil {
		return store.User{}, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return store.User{}, &FieldError{"name", "is required"}
	}
	if err := CheckPasswordStrength(in.Password); err != nil {
		return store.User{}, err
	}
	if err := profileExists(ctx, db, accountID, in.ProfileID); err != nil {
		return store.User{}, err
	}
	capacity := in.Capacity
	if capacity == 0 {
		capacity = 5
	}
	if capacity < 1 || capacity > 100 {
		return store.User{}, &FieldError{"capacity", "must be between 1 and 100"}
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return store.User{}, &FieldError{"password", err.Error()}
	}
	u := store.User{ID: store.NewID(), AccountID: accountID, Email: email, Name: strings.TrimSpace(in.Name),
		PasswordHash: hash, ProfileID: in.ProfileID, Active: true, Status: "offline", Capacity: capacity}
	if err := db.WithContext(ctx).Create(&u).Error; err != nil {
		if store.IsDuplicate(err) {
			return store.User{}, &FieldError{"email", "is already in use"}
		}
		return store.User{}, err
	}
	return u, nil
}

func profileExists(ctx context.Context, db *gorm.DB, accountID, profileID string) error {
	var n int64
	if err := db.WithContext(ctx).Model(&store.Profile{}).Where("id = ? AND account_id = ?", profileID, accountID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return &FieldError{"profile_id", "no such profile in this account"}
	}
	return nil
}

// NormaliseEmail lower-cases and validates an e-mail address.
func NormaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return "", &FieldError{"email", "is not a valid e-mail address"}
	}
	return s, nil
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// CheckPasswordStrength refuses passwords that are short or of one kind of
// character only.
func CheckPasswordStrength(p string) error {
	if len([]rune(p)) < MinPasswordLen {
		return &FieldError{"password", fmt.Sprintf("must have at least %d characters", MinPasswordLen)}
	}
	if len(p) > 72 {
		return &FieldError{"password", "must have at most 72 bytes"}
	}
	var letter, other bool
	for _, r := range p {
		if unicode.IsLetter(r) {
			letter = true
		} else {
			other = true
		}
	}
	if !letter || !other {
		return &FieldError{"password", "must mix letters with digits or symbols"}
	}
	return nil
}
