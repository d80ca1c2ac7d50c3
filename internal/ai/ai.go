// Package ai is AI Assist, the writing copilot of the composer: the
// operations and their prompts, redaction of personal data before text
// leaves the system, and the call to Gemini through google.golang.org/genai
// (the successor of the deprecated github.com/google/generative-ai-go).
package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"google.golang.org/genai"
)

// Config is how AI Assist reaches Gemini.
type Config struct {
	APIKey  string
	Model   string
	BaseURL string        // "" is Google's endpoint; tests and proxies set their own
	Timeout time.Duration // per call
	Redact  bool          // replace phones, e-mails, CPF and CNPJ before sending
}

// Errors the caller tells apart.
var (
	ErrNotConfigured = errors.New("AI Assist is not configured")
	ErrBusy          = errors.New("the AI provider is busy or over its quota; try again in a moment")
	ErrTimeout       = errors.New("the AI provider did not answer in time")
)

// Assistant calls the model.
type Assistant struct {
	cfg    Config
	client *genai.Client
}

// New connects to Gemini; with no API key it returns an Assistant whose
// calls fail with ErrNotConfigured.
func New(ctx context.Context, cfg Config) (*Assistant, error) {
	if cfg.Model == "" {
		cfg.Model = "gemini-2.5-flash"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	a := &Assistant{cfg: cfg}
	if cfg.APIKey == "" {
		return a, nil
	}
	c, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey: cfg.APIKey, Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: cfg.BaseURL},
		HTTPClient:  &http.Client{Timeout: cfg.Timeout},
	})
	if err != nil {
		return nil, fmt.Errorf("AI Assist: %w", err)
	}
	a.client = c
	return a, nil
}

// Configured reports whether calls can be made.
func (a *Assistant) Configured() bool { return a != nil && a.client != nil }

// Turn is one message of the conversation given as context.
type Turn struct {
	FromCustomer bool
	Text         string
}

// Request is one operation on the agent's draft.
type Request struct {
	Operation      string
	Draft          string
	Context        []Turn // the last messages, oldest first
	Contact        string
	Channel        string
	Language       string // the conversation's language, e.g. "pt-BR"
	TargetLanguage string // translate
	Audience       string // adjust: technical, legal, commercial
}

// MaxDraft is the longest draft accepted, in characters.
const MaxDraft = 4000

// Suggest runs the operation and returns the suggested text.
func (a *Assistant) Suggest(ctx context.Context, r Request) (string, error) {
	if !a.Configured() {
		return "", ErrNotConfigured
	}
	prompt, err := Prompt(r)
	if err != nil {
		return "", err
	}
	if a.cfg.Redact {
		prompt = Redact(prompt)
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	res, err := a.client.Models.GenerateContent(ctx, a.cfg.Model, genai.Text(prompt), &genai.GenerateContentConfig{
		SystemInstruction: genai.NewContentFromText(systemInstruction, genai.RoleUser),
		Temperature:       genai.Ptr[float32](0.4),
	})
	if err != nil {
		return "", classify(ctx, err)
	}
	text := strings.TrimSpace(res.Text())
	if text == "" {
		return "", errors.New("the AI provider returned no suggestion")
	}
	return text, nil
}

func classify(ctx context.Context, err error) error {
	var apiErr genai.APIError
	switch {
	case errors.As(err, &apiErr) && (apiErr.Code == http.StatusTooManyRequests || apiErr.Code == http.StatusServiceUnavailable):
		return ErrBusy
	case errors.As(err, &apiErr):
		return fmt.Errorf("the AI provider failed (%d)", apiErr.Code)
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return ErrTimeout
	}
	return fmt.Errorf("the AI provider could not be reached: %w", err)
}

// Redaction patterns: Brazilian CPF and CNPJ, e-mails, phone numbers.
var (
	cnpjRe  = regexp.MustCompile(`\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b`)
	cpfRe   = regexp.MustCompile(`\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b`)
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	phoneRe = regexp.MustCompile(`(\+?\d{1,3}[\s-]?)?\(?\d{2}\)?[\s-]?\d{4,5}[\s-]?\d{4}\b`)
)

// Redact replaces personal data with placeholders; CNPJ before CPF and
// both before phones, whose pattern would also match them.
func Redact(s string) string {
	s = emailRe.ReplaceAllString(s, "[e-mail]")
	s = cnpjRe.ReplaceAllString(s, "[CNPJ]")
	s = cpfRe.ReplaceAllString(s, "[CPF]")
	return phoneRe.ReplaceAllString(s, "[telefone]")
}
