package ai

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The prompts live here, in one reviewed place.

// systemInstruction frames every call: a copilot that writes for the agent,
// never sends, and answers with the text only.
const systemInstruction = `Você é o AI Assist do CHATSPOT, um copiloto de escrita para atendentes de empresas brasileiras.
Você escreve o texto que o atendente vai revisar e enviar ao cliente; nunca fala com o cliente diretamente.
Responda somente com o texto final da mensagem, sem aspas, sem explicações, sem prefixos como "Resposta:".
Não invente fatos, preços, prazos ou políticas que não estejam na conversa ou no rascunho.`

// Operations, in the order the composer offers them.
var Operations = []string{"rewrite", "fix", "suggest_reply", "expand", "translate", "adjust"}

// Audiences of the adjust operation.
var Audiences = map[string]string{"technical": "um público técnico", "legal": "um público jurídico", "commercial": "um público comercial"}

// Languages a draft may be translated to.
var Languages = map[string]string{"pt-BR": "português do Brasil", "en": "inglês", "es": "espanhol"}

// FieldError is a request the operation cannot run with.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Prompt builds the user prompt of a request.
func Prompt(r Request) (string, error) {
	if !slices.Contains(Operations, r.Operation) {
		return "", &FieldError{"operation", "must be one of " + strings.Join(Operations, ", ")}
	}
	if utf8.RuneCountInString(r.Draft) > MaxDraft {
		return "", &FieldError{"draft", fmt.Sprintf("must be at most %d characters", MaxDraft)}
	}
	if strings.TrimSpace(r.Draft) == "" && r.Operation != "suggest_reply" {
		return "", &FieldError{"draft", "write something first; only suggest_reply works from an empty draft"}
	}
	lang := r.Language
	if lang == "" {
		lang = "pt-BR"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Canal: %s. Cliente: %s. Idioma da conversa: %s.\n", orDash(r.Channel), orDash(r.Contact), lang)
	if len(r.Context) > 0 {
		b.WriteString("Últimas mensagens da conversa (mais antiga primeiro):\n")
		for _, t := range r.Context {
			who := "Atendente"
			if t.FromCustomer {
				who = "Cliente"
			}
			fmt.Fprintf(&b, "%s: %s\n", who, t.Text)
		}
	}
	switch r.Operation {
	case "rewrite":
		fmt.Fprintf(&b, "\nReescreva o rascunho abaixo de forma clara, cordial e profissional, mantendo o sentido, no idioma da conversa.\nRascunho: %s", r.Draft)
	case "fix":
		fmt.Fprintf(&b, "\nCorrija ortografia, gramática e tom do rascunho abaixo, mudando o mínimo necessário.\nRascunho: %s", r.Draft)
	case "suggest_reply":
		b.WriteString("\nSugira a próxima resposta do atendente: clara, objetiva e persuasiva, respondendo ao que o cliente perguntou, no idioma da conversa.")
		if strings.TrimSpace(r.Draft) != "" {
			fmt.Fprintf(&b, "\nUse este rascunho como ponto de partida: %s", r.Draft)
		}
	case "expand":
		fmt.Fprintf(&b, "\nTransforme a ideia abaixo em um parágrafo explicativo, no idioma da conversa.\nIdeia: %s", r.Draft)
	case "translate":
		target, ok := Languages[r.TargetLanguage]
		if !ok {
			return "", &FieldError{"target_language", "must be pt-BR, en or es"}
		}
		fmt.Fprintf(&b, "\nTraduza o rascunho abaixo para %s, com naturalidade.\nRascunho: %s", target, r.Draft)
	case "adjust":
		audience, ok := Audiences[r.Audience]
		if !ok {
			return "", &FieldError{"audience", "must be technical, legal or commercial"}
		}
		fmt.Fprintf(&b, "\nAjuste os termos do rascunho abaixo para %s, no idioma da conversa.\nRascunho: %s", audience, r.Draft)
	}
	return b.String(), nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
