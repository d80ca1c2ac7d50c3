package secrets

import (
	"errors"
	"strings"
	"testing"
)

func box(t *testing.T, key string) *Box {
	t.Helper()
	b, err := New([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := box(t, strings.Repeat("k", 32))
	s1, err := b.Seal("whsec_abc")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := b.Seal("whsec_abc")
	if !IsSealed(s1) || strings.Contains(s1, "whsec_abc") || s1 == s2 {
		t.Fatalf("sealed values must hide the secret and differ each time: %q %q", s1, s2)
	}
	if again, _ := b.Seal(s1); again != s1 {
		t.Fatal("sealing a sealed value must not wrap it twice")
	}
	for _, s := range []string{s1, s2} {
		if got, err := b.Open(s); err != nil || got != "whsec_abc" {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	if got, err := b.Open("legacy-plain"); err != nil || got != "legacy-plain" {
		t.Fatalf("a plain value opens as itself: %q, %v", got, err)
	}
	if empty, _ := b.Seal(""); empty != "" {
		t.Fatal("an empty secret stays empty")
	}
}

func TestOpenRefusesOtherKeyAndCorruption(t *testing.T) {
	s, _ := box(t, strings.Repeat("a", 32)).Seal("x")
	if _, err := box(t, strings.Repeat("b", 32)).Open(s); err == nil || !strings.Contains(err.Error(), "CHATSPOT_SECRET_KEY") {
		t.Fatalf("another key must fail naming the setting, got %v", err)
	}
	if _, err := box(t, strings.Repeat("a", 32)).Open(s[:len(s)-3]); err == nil {
		t.Fatal("a truncated value must fail")
	}
	var none *Box
	if _, err := none.Open(s); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := none.Seal("x"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("a short key must be refused")
	}
}

func TestOpenJSON(t *testing.T) {
	b := box(t, strings.Repeat("k", 32))
	tok, _ := b.Seal("bot-token")
	raw := `{"outbound_url":"https://x.test/a?b=1&c=<2>","outbound_secret":"` + tok + `","n":12345678901234567890,"nested":{"list":["` + tok + `"]}}`
	got, err := b.OpenJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":12345678901234567890,"nested":{"list":["bot-token"]},"outbound_secret":"bot-token","outbound_url":"https://x.test/a?b=1&c=<2>"}`
	if got != want {
		t.Fatalf("OpenJSON =\n%s\nwant\n%s", got, want)
	}
	if same, _ := b.OpenJSON(`{"a":"plain"}`); same != `{"a":"plain"}` {
		t.Fatal("settings without sealed values pass through untouched")
	}
}

// Rotating the secret key: the old key still opens, and Reseal moves a
// value to the new one.
func TestRotation(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	old := box(t, string(oldKey))
	underOld, _ := old.Seal("whsec_rotate")
	rotated, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(underOld); err != nil || got != "whsec_rotate" {
		t.Fatalf("the previous key must still open: %q, %v", got, err)
	}
	moved, changed, err := rotated.Reseal(underOld)
	if err != nil || !changed || moved == underOld {
		t.Fatalf("Reseal = %q, %v, %v", moved, changed, err)
	}
	if got, err := box(t, string(newKey)).Open(moved); err != nil || got != "whsec_rotate" {
		t.Fatalf("resealed value must open with the new key alone: %q, %v", got, err)
	}
	if same, changed, _ := rotated.Reseal(moved); changed || same != moved {
		t.Fatal("a value under the current key is left as it is")
	}
	if _, changed, _ := rotated.Reseal("legacy-plain"); !changed {
		t.Fatal("a plain value is sealed")
	}
	if _, err := box(t, string(newKey)).Open(underOld); err == nil || !strings.Contains(err.Error(), "CHATSPOT_SECRET_KEY_PREVIOUS") {
		t.Fatalf("without the previous key the error must say how to fix it: %v", err)
	}
	if _, err := New(newKey, []byte("short")); err == nil {
		t.Fatal("a short previous key must be refused")
	}
}
