// Package secrets encrypts credentials kept in the database: channel
// secrets and webhook signing secrets are sealed with AES-256-GCM under a
// key derived from the process's secret key, so a copy of the database
// alone does not give them away.
//
// A sealed value is a string "sealed:v1:<base64url(nonce|ciphertext)>", so
// it can sit in any text column or JSON field. Values written before
// sealing existed are plain strings; Open returns them unchanged and the
// start-up pass seals them.
package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const prefix = "sealed:v1:"

// ErrNoKey is returned when a secret must be sealed or opened by a process
// started without a secret key.
var ErrNoKey = errors.New("no secret key configured (CHATSPOT_SECRET_KEY): stored credentials cannot be used")

// Box seals and opens secrets. A nil *Box has no key: it refuses to seal
// and to open sealed values.
type Box struct {
	aead     cipher.AEAD   // seals, and opens first
	previous []cipher.AEAD // keys rotated out: they only open
}

// New derives the encryption key from secretKey (at least 32 bytes). The
// derivation keeps this key apart from other uses of the same secret
// (webchat visitor tokens are signed with it). Previous keys, when the
// secret key was rotated, still open what they sealed until the start-up
// pass seals it again under the new one.
func New(secretKey []byte, previous ...[]byte) (*Box, error) {
	aead, err := derive(secretKey)
	if err != nil {
		return nil, err
	}
	b := &Box{aead: aead}
	for _, k := range previous {
		old, err := derive(k)
		if err != nil {
			return nil, fmt.Errorf("a previous secret key: %w", err)
		}
		b.previous = append(b.previous, old)
	}
	return b, nil
}

func derive(secretKey []byte) (cipher.AEAD, error) {
	if len(secretKey) < 32 {
		return nil, errors.New("the secret key must have at least 32 characters")
	}
	mac := hmac.New(sha256.New, secretKey)
	mac.Write([]byte("chatspot: credentials at rest v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// IsSealed reports whether v is a sealed value.
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// Seal encrypts plain; an empty secret stays empty (nothing to hide), and
// an already sealed value is returned as it is.
func (b *Box) Seal(plain string) (string, error) {
	if plain == "" || IsSealed(plain) {
		return plain, nil
	}
	if b == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := b.aead.Seal(nonce, nonce, []byte(plain), nil)
	return prefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a sealed value; a plain (legacy) value is returned as it
// is. A value sealed under an unknown key fails with an error saying so.
func (b *Box) Open(v string) (string, error) {
	plain, _, err := b.open(v)
	return plain, err
}

// Reseal returns v sealed under the current key, and whether that changed
// it: plain values and values sealed under a previous key are sealed
// anew; values already under the current key are returned as they are.
func (b *Box) Reseal(v string) (string, bool, error) {
	plain, current, err := b.open(v)
	if err != nil || current || plain == "" {
		return v, false, err
	}
	sealed, err := b.Seal(plain)
	return sealed, err == nil, err
}

// open decrypts v and says whether it was sealed under the current key.
func (b *Box) open(v string) (plain string, current bool, err error) {
	if !IsSealed(v) {
		return v, false, nil
	}
	if b == nil {
		return "", false, ErrNoKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(v[len(prefix):])
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", false, errors.New("a stored secret is corrupt")
	}
	for i, aead := range append([]cipher.AEAD{b.aead}, b.previous...) {
		if out, err := aead.Open(nil, raw[:n], raw[n:], nil); err == nil {
			return string(out), i == 0, nil
		}
	}
	return "", false, errors.New("a stored secret does not open with this secret key (was CHATSPOT_SECRET_KEY changed? give the old one in CHATSPOT_SECRET_KEY_PREVIOUS)")
}

// OpenJSON returns a JSON object with every sealed string value in it
// opened, at any depth. Channel kinds keep their credentials as sealed
// fields of their settings; senders get the opened settings.
func (b *Box) OpenJSON(raw string) (string, error) {
	if !strings.Contains(raw, prefix) {
		return raw, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber() // keep numbers exactly as written
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("settings are not JSON: %w", err)
	}
	opened, err := b.openAll(v)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(opened); err != nil {
		return "", err
	}
	return strings.TrimSuffix(out.String(), "\n"), nil
}

func (b *Box) openAll(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return b.Open(t)
	case map[string]any:
		for k, e := range t {
			o, err := b.openAll(e)
			if err != nil {
				return nil, err
			}
			t[k] = o
		}
	case []any:
		for i, e := range t {
			o, err := b.openAll(e)
			if err != nil {
				return nil, err
			}
			t[i] = o
		}
	}
	return v, nil
}
