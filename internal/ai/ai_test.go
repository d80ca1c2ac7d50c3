package ai

import (
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	in := "CPF 123.456.789-09, cnpj 12.345.678/0001-95, e-mail maria.silva@example.com.br, fone (11) 99999-8888 ou +55 11 3333-4444"
	out := Redact(in)
	for _, leaked := range []string{"123.456.789-09", "12.345.678/0001-95", "maria.silva@example.com.br", "99999-8888", "3333-4444"} {
		if strings.Contains(out, leaked) {
			t.Errorf("%q survived redaction: %s", leaked, out)
		}
	}
	for _, tag := range []string{"[CPF]", "[CNPJ]", "[e-mail]", "[telefone]"} {
		if !strings.Contains(out, tag) {
			t.Errorf("%s missing: %s", tag, out)
		}
	}
	if Redact("Pedido 4521 chega em 3 dias") != "Pedido 4521 chega em 3 dias" {
		t.Error("short numbers are not personal data")
	}
}

func TestPrompts(t *testing.T) {
	ctx := []Turn{{FromCustomer: true, Text: "Vocês parcelam?"}}
	p, err := Prompt(Request{Operation: "suggest_reply", Context: ctx, Contact: "Maria", Channel: "webchat"})
	if err != nil || !strings.Contains(p, "Cliente: Vocês parcelam?") || !strings.Contains(p, "Maria") {
		t.Errorf("suggest_reply prompt: %v\n%s", err, p)
	}
	if p, _ := Prompt(Request{Operation: "translate", Draft: "Olá", TargetLanguage: "en"}); !strings.Contains(p, "inglês") {
		t.Errorf("translate prompt: %s", p)
	}
	var fe *FieldError
	for _, r := range []Request{
		{Operation: "poem", Draft: "x"},
		{Operation: "rewrite", Draft: ""},
		{Operation: "translate", Draft: "x", TargetLanguage: "fr"},
		{Operation: "adjust", Draft: "x", Audience: "kids"},
		{Operation: "rewrite", Draft: strings.Repeat("a", MaxDraft+1)},
	} {
		if _, err := Prompt(r); !errors.As(err, &fe) {
			t.Errorf("%+v: %v, want a field error", r.Operation, err)
		}
	}
}
