package webchat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

func TestSettingsValidation(t *testing.T) {
	bad := map[string]string{
		`{"prechat":{"name":"sometimes","email":"optional","phone":"optional"}}`:                   "pre-chat",
		`{"business_hours":{"timezone":"Mars/Base","days":{}}}`:                                    "time zone",
		`{"business_hours":{"timezone":"America/Sao_Paulo","days":{"mon":["18:00","09:00"]}}}`:     "opening before closing",
		`{"business_hours":{"timezone":"America/Sao_Paulo","days":{"segunda":["09:00","18:00"]}}}`: "day",
		`{"business_hours":{"timezone":"America/Sao_Paulo","days":{"mon":["9h","18:00"]}}}`:        "HH:MM",
		`{"color":"blue"}`: "hex",
	}
	for raw, want := range bad {
		if _, err := ParseSettings(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error about %s", raw, err, want)
		}
	}
	s, err := ParseSettings(`{"color":"#fff","business_hours":{"timezone":"America/Sao_Paulo","days":{"mon":["09:00","18:00"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	mondayMorning := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC) // 10:00 in São Paulo
	if !s.Open(mondayMorning) || s.Open(mondayMorning.Add(9*time.Hour)) || s.Open(mondayMorning.Add(-24*time.Hour)) {
		t.Error("business hours: open on Monday 10:00 only")
	}
	allDay, err := ParseSettings(`{"business_hours":{"timezone":"America/Sao_Paulo","days":{"tue":["00:00","23:59"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	lastMinute := time.Date(2026, 12, 2, 2, 59, 30, 0, time.UTC) // Tuesday 23:59:30 in São Paulo
	if !allDay.Open(lastMinute) || allDay.Open(lastMinute.Add(time.Minute)) {
		t.Error("a day closing at 23:59 should be open until midnight, and not after")
	}
}

func TestVisitorTokens(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	tok := SignToken(secret, "ch1", "v_1", now)
	if id, err := VerifyToken(secret, "ch1", tok, now); err != nil || id != "v_1" {
		t.Fatalf("valid token: %q %v", id, err)
	}
	for name, check := range map[string]func() error{
		"other channel": func() error { _, err := VerifyToken(secret, "ch2", tok, now); return err },
		"other secret":  func() error { _, err := VerifyToken([]byte("x"), "ch1", tok, now); return err },
		"expired":       func() error { _, err := VerifyToken(secret, "ch1", tok, now.Add(tokenTTL+time.Hour)); return err },
		"tampered":      func() error { _, err := VerifyToken(secret, "ch1", "x"+tok, now); return err },
	} {
		if err := check(); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPreChatRequirements(t *testing.T) {
	p := PreChat{Name: Required, Email: Optional, Phone: Hidden}
	cases := map[Visitor]string{
		{}:                                  "name",
		{Name: "A", Email: "nope"}:          "email",
		{Name: "A", Phone: "11999990000"}:   "phone",
		{Name: "A", Email: "a@example.com"}: "",
	}
	for v, field := range cases {
		err := p.Validate(v)
		var fe *channels.FieldError
		if field == "" && err != nil || field != "" && (!errors.As(err, &fe) || fe.Field != field) {
			t.Errorf("%+v: %v, want field %q", v, err, field)
		}
	}
}
