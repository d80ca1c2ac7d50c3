package channels

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/chatspot/chatspot/internal/secrets"
)

// Settings is a channel's settings document.
type Settings map[string]any

// ParseSettings reads a stored settings document; "" is empty.
func ParseSettings(raw string) (Settings, error) {
	s := Settings{}
	if raw == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("channel settings: %w", err)
	}
	return s, nil
}

// String is the text value of a key ("" when absent or not text).
func (s Settings) String(key string) string {
	v, _ := s[key].(string)
	return v
}

// Bool is the boolean value of a key.
func (s Settings) Bool(key string) bool {
	switch v := s[key].(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(v)
		return b
	}
	return false
}

// JSON encodes the settings.
func (s Settings) JSON() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Decode fills a kind's typed settings from the document.
func (s Settings) Decode(v any) error {
	b, _ := json.Marshal(s)
	return json.Unmarshal(b, v)
}

// SettingsOf turns a kind's typed settings into a document.
func SettingsOf(v any) Settings {
	b, _ := json.Marshal(v)
	s := Settings{}
	_ = json.Unmarshal(b, &s)
	return s
}

// Mask replaces a stored secret in answers; sent back unchanged it means
// "keep the stored value".
const Mask = "********"

// Sealer seals and opens stored credentials.
type Sealer = *secrets.Box

// SecretKeys are the settings keys of a kind that are sealed at rest.
func (k Kind) SecretKeys() []string {
	keys := slices.Clone(k.Secrets)
	for _, f := range k.Settings {
		if f.Type == FieldSecret {
			keys = append(keys, f.Name)
		}
	}
	return keys
}

// Apply merges a manager's settings change over the stored document,
// validates the result with the adapter and returns what to store, its
// secrets sealed. Keys the kind does not declare are refused for kinds
// with a generic form; secrets sent as "" or Mask keep the stored value;
// the adapter's own keys (Hidden, Secrets) cannot be set from outside.
func Apply(a Adapter, box Sealer, change json.RawMessage, stored string) (string, error) {
	k := a.Kind()
	current, err := ParseSettings(stored)
	if err != nil {
		return "", err
	}
	if err := openSecrets(k, box, current); err != nil {
		return "", err
	}
	in := Settings{}
	if len(change) > 0 && string(change) != "null" {
		if err := json.Unmarshal(change, &in); err != nil {
			return "", &FieldError{Field: "settings", Reason: "must be a JSON object"}
		}
	}
	secret := k.SecretKeys()
	for key, v := range in {
		switch {
		case slices.Contains(k.Hidden, key) || slices.Contains(k.Secrets, key):
			continue // the adapter's own
		case k.Component == "" && !slices.ContainsFunc(k.Settings, func(f Field) bool { return f.Name == key }):
			if _, own := current[key]; own {
				continue // a value the adapter stored (shown read-only), sent back
			}
			return "", &FieldError{Field: "settings." + key, Reason: "is not a setting of " + k.Label + " channels"}
		case slices.Contains(secret, key) && (v == nil || v == "" || v == Mask):
			continue
		}
		current[key] = v
	}
	for _, f := range k.Settings {
		if v, ok := current[f.Name]; f.Required && (!ok || v == nil || v == "") {
			return "", &FieldError{Field: "settings." + f.Name, Reason: "is required"}
		}
	}
	out, err := a.Validate(current)
	if err != nil {
		return "", err
	}
	return Seal(k, box, out)
}

// Merge sets keys over a stored settings document (its secrets still
// sealed) and seals what is new: how adapters' own values (a token from
// OAuth, a refreshed one) are stored.
func Merge(k Kind, box Sealer, stored string, set Settings) (string, error) {
	s, err := ParseSettings(stored)
	if err != nil {
		return "", err
	}
	for key, v := range set {
		s[key] = v
	}
	return Seal(k, box, s)
}

// Seal seals the kind's secrets in a settings document and encodes it.
func Seal(k Kind, box Sealer, s Settings) (string, error) {
	for _, key := range k.SecretKeys() {
		v := s.String(key)
		if v == "" || secrets.IsSealed(v) {
			continue
		}
		if box == nil {
			return "", fmt.Errorf("no secret key to seal settings.%s", key)
		}
		sealed, err := box.Seal(v)
		if err != nil {
			return "", err
		}
		s[key] = sealed
	}
	return s.JSON(), nil
}

func openSecrets(k Kind, box Sealer, s Settings) error {
	for _, key := range k.SecretKeys() {
		v := s.String(key)
		if v == "" || !secrets.IsSealed(v) {
			continue
		}
		if box == nil {
			return fmt.Errorf("no secret key to open settings.%s", key)
		}
		plain, err := box.Open(v)
		if err != nil {
			return fmt.Errorf("settings.%s: %w", key, err)
		}
		s[key] = plain
	}
	return nil
}

// Public is a stored settings document as answers show it: hidden keys
// left out, secrets masked.
func Public(k Kind, stored string) map[string]any {
	s, err := ParseSettings(stored)
	if err != nil {
		return map[string]any{}
	}
	for _, key := range k.Hidden {
		delete(s, key)
	}
	for _, key := range k.SecretKeys() {
		if s.String(key) != "" {
			s[key] = Mask
		}
	}
	return s
}
