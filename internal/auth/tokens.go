package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
)

// TokenPrefix starts every API token, so a leaked one is easy to spot.
const TokenPrefix = "cst_"

// CreateToken issues an API token with the given permissions, capped at
// what its creator holds. The plaintext is returned once; only its hash is
// stored.
func CreateToken(ctx context.Context, db *gorm.DB, creator Principal, name string, perms []string) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", store.APIToken{}, &FieldError{"name", "is required"}
	}
	if bad := Validate(perms); bad != "" {
		return "", store.APIToken{}, &FieldError{"permissions", "unknown permission " + bad}
	}
	if len(perms) == 0 {
		return "", store.APIToken{}, &FieldError{"permissions", "give the token at least one permission"}
	}
	for _, p := range perms {
		if !creator.Perms.Has(Permission(p)) {
			return "", store.APIToken{}, &FieldError{"permissions", "you cannot grant " + p + ", which you do not hold"}
		}
	}
	plain := TokenPrefix + randomToken(32)
	tok := store.APIToken{ID: store.NewID(), AccountID: creator.AccountID, Name: name, Prefix: plain[:len(TokenPrefix)+6],
		TokenHash: HashToken(plain), Permissions: FromNames(perms).String(), CreatedBy: creator.UserID}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&tok).Error; err != nil {
			return err
		}
		return Audit(tx, store.AuditEntry{AccountID: creator.AccountID, ActorID: creator.ActorID(), ActorKind: creator.Kind(),
			Action: "token.created", Target: tok.ID, Detail: name + ": " + tok.Permissions})
	})
	return plain, tok, err
}

// AuthenticateToken resolves a bearer API token.
func AuthenticateToken(ctx context.Context, db *gorm.DB, plain string) (Principal, error) {
	if !strings.HasPrefix(plain, TokenPrefix) {
		return Principal{}, ErrNoSession
	}
	var tok store.APIToken
	err := db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashToken(plain)).Take(&tok).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	now := time.Now().UTC()
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		db.WithContext(ctx).Model(&tok).Update("last_used_at", now)
	}
	return Principal{AccountID: tok.AccountID, UserID: tok.CreatedBy, TokenID: tok.ID, Perms: ParseSet(tok.Permissions)}, nil
}

// RevokeToken revokes one of the account's tokens; false if there is none.
func RevokeToken(ctx context.Context, db *gorm.DB, by Principal, tokenID string) (bool, error) {
	var found bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&store.APIToken{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", tokenID, by.AccountID).
			Update("revoked_at", time.Now().UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		found = true
		return Audit(tx, store.AuditEntry{AccountID: by.AccountID, ActorID: by.ActorID(), ActorKind: by.Kind(), Action: "token.revoked", Target: tokenID})
	})
	return found, err
}

// Audit appends an entry to the audit log.
func Audit(tx *gorm.DB, e store.AuditEntry) error {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	return tx.Create(&e).Error
}
