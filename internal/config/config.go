// Package config reads CHATSPOT's settings from flags and environment
// variables. Every setting has one flag and one variable; the flag wins.
// Invalid values fail at start with a message naming the setting.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything a chatspot process needs to start.
type Config struct {
	DataDir       string
	DatabaseURL   string
	HTTPAddr      string
	BaseURL       string
	TemporalPort  int // dev: the embedded server's gRPC port
	UIPort        int // dev: the Temporal Web UI port, 0 disables it
	Namespace     string
	TemporalAddr  string // serve/worker: external cluster; see temporal.ClientOptions for TLS and API key
	LogLevel      string
	TemporalUIURL string // serve: link to the cluster's Web UI for operators
	SecretKey     string
	// PreviousSecretKeys were the secret key before a rotation.
	PreviousSecretKeys []string
	DBMaxConns         int // PostgreSQL connections per process
	// AllowPrivateURLs: nil means the command's default (dev allows
	// private addresses, serve and worker refuse them).
	AllowPrivateURLs  *bool
	AI                AIConfig
	SessionIdle       time.Duration
	SessionMaxAge     time.Duration
	ShutdownGrace     time.Duration
	EventRetention    time.Duration // how long the agents' event log keeps events
	MetricsAddr       string        // Prometheus /metrics listener; "" is none
	TelegramAPIURL    string        // "" is Telegram's Bot API
	MetaGraphURL      string        // "" is Meta's Graph API
	InstagramGraphURL string        // "" is the Instagram Graph API
	InstagramAPIURL   string        // "" is api.instagram.com
	// E-mail OAuth endpoints; "" are Google's and Microsoft's.
	GoogleAuthURL, GoogleTokenURL, MicrosoftLoginURL string
	// Mercado Livre's API and consent screen; "" are Mercado Livre's.
	MercadoLivreAPIURL, MercadoLivreAuthURL string
	// OLX's auth and chat API hosts; "" are OLX's.
	OLXAuthURL, OLXAPIURL string
	// SMS providers' API hosts; "" are Zenvia's and Twilio's.
	ZenviaAPIURL, TwilioAPIURL string
	// SMSSegmentCents is the plan's price of one SMS segment, charged to
	// the prepaid balance, in centavos.
	SMSSegmentCents int64
	// MercadoPago is CHATSPOT's own Mercado Pago account, which receives
	// recharges by Pix; no access token: recharges are off.
	MercadoPago      struct{ AccessToken, WebhookSecret, APIURL string }
	MetaGraphVersion string
	// TemplateRates are what Meta charges per delivered WhatsApp template
	// message, by category, in ten-thousandths of a real (the operator's
	// rate card); empty: costs are counted, not priced.
	TemplateRates map[string]int64
}

// Setting describes one configuration knob; the README's table is printed
// from this list by `chatspot config`, so the two cannot drift.
type Setting struct {
	Flag     string
	Env      string
	Default  string
	Commands string // which commands read it
	Help     string
	set      func(c *Config, v string) error
}

// Settings is the full list, in the order the README shows it.
var Settings = []Setting{
	{"data-dir", "CHATSPOT_DATA_DIR", "./data", "dev", "Directory for the embedded SQLite databases (Temporal's and the app's) and Temporal's log.",
		func(c *Config, v string) error { c.DataDir = v; return nonEmpty(v) }},
	{"database-url", "DATABASE_URL", "", "all", "PostgreSQL DSN (postgres://user@host:5432/db). Empty in dev: SQLite file in the data directory. Required by serve, worker and migrate.",
		func(c *Config, v string) error { c.DatabaseURL = v; return checkDatabaseURL(v) }},
	{"http-addr", "CHATSPOT_HTTP_ADDR", ":8080", "dev, serve", "Address the HTTP server (API, UI, webhooks) listens on.",
		func(c *Config, v string) error { c.HTTPAddr = v; return checkHostPort(v, true) }},
	{"metrics-addr", "CHATSPOT_METRICS_ADDR", "", "dev, serve, worker", "Address of a separate listener serving Prometheus metrics at /metrics (e.g. 127.0.0.1:9090; keep it off the public network); empty: no metrics listener.",
		func(c *Config, v string) error { c.MetricsAddr = v; return checkHostPort(v, true) }},
	{"base-url", "CHATSPOT_BASE_URL", "", "dev, serve, worker", "Public URL of the app, used in printed links and webhook URLs; channel activation registers providers' webhooks under it when it is https on a public host (otherwise Telegram is long-polled). Default: http://localhost:<http port>.",
		func(c *Config, v string) error { c.BaseURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"temporal-port", "CHATSPOT_TEMPORAL_PORT", "7233", "dev", "gRPC port of the embedded Temporal server (127.0.0.1).",
		func(c *Config, v string) (err error) { c.TemporalPort, err = port(v, false); return err }},
	{"ui-port", "CHATSPOT_TEMPORAL_UI_PORT", "8233", "dev", "Port of the embedded Temporal Web UI; 0 disables it.",
		func(c *Config, v string) (err error) { c.UIPort, err = port(v, true); return err }},
	{"db-max-conns", "CHATSPOT_DB_MAX_CONNS", "20", "serve, worker, migrate", "PostgreSQL connections each process keeps at most; a burst waits for one instead of failing. Keep (serve + worker processes) × this under PostgreSQL's max_connections (100 by default).",
		func(c *Config, v string) (err error) {
			c.DBMaxConns, err = strconv.Atoi(v)
			if err == nil && (c.DBMaxConns < 1 || c.DBMaxConns > 1000) {
				err = errors.New("must be between 1 and 1000")
			}
			return err
		}},
	{"temporal-address", "TEMPORAL_ADDRESS", "", "serve, worker", "host:port of the Temporal cluster. TLS, mTLS and API key come from the standard TEMPORAL_TLS*, TEMPORAL_API_KEY variables and TEMPORAL_CONFIG_FILE profiles (go.temporal.io/sdk/contrib/envconfig).",
		func(c *Config, v string) error { c.TemporalAddr = v; return checkHostPort(v, false) }},
	{"namespace", "TEMPORAL_NAMESPACE", "default", "all", "Temporal namespace.",
		func(c *Config, v string) error { c.Namespace = v; return nonEmpty(v) }},
	{"temporal-ui-url", "CHATSPOT_TEMPORAL_UI_URL", "", "serve", "URL of the Temporal Web UI, linked from conversations for users with the operations permission (dev links its embedded UI).",
		func(c *Config, v string) error { c.TemporalUIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"session-idle", "CHATSPOT_SESSION_IDLE", "30m", "dev, serve", "A login unused this long ends and frees its seat (an open agent tab keeps it alive).",
		func(c *Config, v string) (err error) { c.SessionIdle, err = positiveDuration(v); return err }},
	{"session-max-age", "CHATSPOT_SESSION_MAX_AGE", "12h", "dev, serve", "A login ends this long after it started, used or not.",
		func(c *Config, v string) (err error) { c.SessionMaxAge, err = positiveDuration(v); return err }},
	{"log-level", "CHATSPOT_LOG_LEVEL", "info", "all", "debug, info, warn or error.",
		func(c *Config, v string) error { c.LogLevel = v; return oneOf(v, "debug", "info", "warn", "error") }},
	{"secret-key", "CHATSPOT_SECRET_KEY", "", "dev, serve, worker", "At least 32 characters; signs webchat visitor tokens and encrypts stored channel credentials and webhook secrets (AES-256-GCM). dev generates one into the data directory; serve and worker require it, the same on every process. To change it, give the old one in CHATSPOT_SECRET_KEY_PREVIOUS.",
		func(c *Config, v string) error { c.SecretKey = v; return checkSecret(v) }},
	{"secret-key-previous", "CHATSPOT_SECRET_KEY_PREVIOUS", "", "dev, serve, worker", "To rotate the secret key: the old key(s), comma-separated. Stored credentials sealed under them still open, and serve re-seals them under the new key at start; then this can be emptied. Webchat visitor tokens signed with an old key keep working meanwhile.",
		func(c *Config, v string) error {
			c.PreviousSecretKeys = nil
			for _, k := range strings.Split(v, ",") {
				if k = strings.TrimSpace(k); k != "" {
					if err := checkSecret(k); err != nil {
						return err
					}
					c.PreviousSecretKeys = append(c.PreviousSecretKeys, k)
				}
			}
			return nil
		}},
	{"allow-private-urls", "CHATSPOT_ALLOW_PRIVATE_URLS", "", "dev, serve, worker", "Let webhook endpoints, API channel outbound URLs, rules' webhook actions and e-mail servers reach loopback, private and link-local addresses. Empty: true in dev (local receivers), false in serve and worker (an account cannot probe the deployment's network).",
		func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			b, err := strconv.ParseBool(v)
			c.AllowPrivateURLs = &b
			return err
		}},
	{"gemini-api-key", "CHATSPOT_GEMINI_API_KEY", "", "dev, worker", "Gemini API key for AI Assist; empty: AI Assist answers \"not configured\".",
		func(c *Config, v string) error { c.AI.APIKey = v; return nil }},
	{"gemini-model", "CHATSPOT_GEMINI_MODEL", "gemini-2.5-flash", "dev, worker", "Gemini model AI Assist uses.",
		func(c *Config, v string) error { c.AI.Model = v; return nonEmpty(v) }},
	{"gemini-base-url", "CHATSPOT_GEMINI_BASE_URL", "", "dev, worker", "Base URL of the Gemini API (proxies, tests); empty: Google's.",
		func(c *Config, v string) error { c.AI.BaseURL = v; return checkURL(v) }},
	{"telegram-api-url", "CHATSPOT_TELEGRAM_API_URL", "", "dev, serve, worker", "Base URL of Telegram's Bot API (a local Bot API server, tests); empty: https://api.telegram.org.",
		func(c *Config, v string) error { c.TelegramAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"meta-graph-url", "CHATSPOT_META_GRAPH_URL", "", "dev, serve, worker", "Base URL of Meta's Graph API (WhatsApp Official, Messenger; tests); empty: https://graph.facebook.com.",
		func(c *Config, v string) error { c.MetaGraphURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"instagram-graph-url", "CHATSPOT_INSTAGRAM_GRAPH_URL", "", "dev, serve, worker", "Base URL of the Instagram Graph API (Instagram Login; tests); empty: https://graph.instagram.com.",
		func(c *Config, v string) error { c.InstagramGraphURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"instagram-api-url", "CHATSPOT_INSTAGRAM_API_URL", "", "dev, serve, worker", "Base URL of Instagram Login's code exchange (tests); empty: https://api.instagram.com.",
		func(c *Config, v string) error { c.InstagramAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"google-auth-url", "CHATSPOT_GOOGLE_AUTH_URL", "", "dev, serve, worker", "Google's OAuth consent screen for Gmail mailboxes (tests); empty: https://accounts.google.com/o/oauth2/v2/auth.",
		func(c *Config, v string) error { c.GoogleAuthURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"google-token-url", "CHATSPOT_GOOGLE_TOKEN_URL", "", "dev, serve, worker", "Google's OAuth token endpoint (tests); empty: https://oauth2.googleapis.com/token.",
		func(c *Config, v string) error { c.GoogleTokenURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"microsoft-login-url", "CHATSPOT_MICROSOFT_LOGIN_URL", "", "dev, serve, worker", "Base URL of Microsoft's identity platform for Microsoft 365 mailboxes (tests); empty: https://login.microsoftonline.com.",
		func(c *Config, v string) error { c.MicrosoftLoginURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"mercadolivre-api-url", "CHATSPOT_MERCADOLIVRE_API_URL", "", "dev, serve, worker", "Base URL of Mercado Livre's API (tests); empty: https://api.mercadolibre.com.",
		func(c *Config, v string) error { c.MercadoLivreAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"mercadolivre-auth-url", "CHATSPOT_MERCADOLIVRE_AUTH_URL", "", "dev, serve, worker", "Mercado Livre's OAuth consent screen (tests); empty: https://auth.mercadolivre.com.br/authorization.",
		func(c *Config, v string) error { c.MercadoLivreAuthURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"olx-auth-url", "CHATSPOT_OLX_AUTH_URL", "", "dev, serve, worker", "Base URL of OLX's OAuth host (tests); empty: https://auth.olx.com.br.",
		func(c *Config, v string) error { c.OLXAuthURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"olx-api-url", "CHATSPOT_OLX_API_URL", "", "dev, serve, worker", "Base URL of OLX's chat API (tests); empty: https://apps.olx.com.br.",
		func(c *Config, v string) error { c.OLXAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"zenvia-api-url", "CHATSPOT_ZENVIA_API_URL", "", "dev, serve, worker", "Base URL of Zenvia's API for SMS channels (tests); empty: https://api.zenvia.com.",
		func(c *Config, v string) error { c.ZenviaAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"twilio-api-url", "CHATSPOT_TWILIO_API_URL", "", "dev, serve, worker", "Base URL of Twilio's REST API for SMS channels (tests); empty: https://api.twilio.com.",
		func(c *Config, v string) error { c.TwilioAPIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"sms-segment-price", "CHATSPOT_SMS_SEGMENT_PRICE", "10", "dev, serve, worker", "Price of one SMS segment in centavos (10 = R$ 0,10), reserved from the account's prepaid balance on each send.",
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 || n > 10000 {
				return fmt.Errorf("must be centavos between 1 and 10000, not %q", v)
			}
			c.SMSSegmentCents = n
			return nil
		}},
	{"mercadopago-access-token", "CHATSPOT_MERCADOPAGO_ACCESS_TOKEN", "", "dev, serve, worker", "Access token of CHATSPOT's Mercado Pago account, which receives prepaid-balance recharges by Pix; empty: recharges are off.",
		func(c *Config, v string) error { c.MercadoPago.AccessToken = v; return nil }},
	{"mercadopago-webhook-secret", "CHATSPOT_MERCADOPAGO_WEBHOOK_SECRET", "", "dev, serve", "Secret signing Mercado Pago's payment notifications (x-signature) posted to /hooks/billing/mercadopago.",
		func(c *Config, v string) error { c.MercadoPago.WebhookSecret = v; return nil }},
	{"mercadopago-api-url", "CHATSPOT_MERCADOPAGO_API_URL", "", "dev, serve, worker", "Base URL of Mercado Pago's API (tests); empty: https://api.mercadopago.com.",
		func(c *Config, v string) error { c.MercadoPago.APIURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"meta-graph-version", "CHATSPOT_META_GRAPH_VERSION", "v25.0", "dev, serve, worker", "Graph API version CHATSPOT calls (v25.0 or newer; Meta retires old versions).",
		func(c *Config, v string) error {
			c.MetaGraphVersion = v
			if !strings.HasPrefix(v, "v") || len(v) < 4 {
				return errors.New("must look like v25.0")
			}
			return nil
		}},
	{"whatsapp-template-rates", "CHATSPOT_WHATSAPP_TEMPLATE_RATES", "", "dev, serve", "What Meta charges per delivered WhatsApp template message in Brazil, in BRL by category, from your rate card, written as category=BRL (e.g. marketing=0.5,utility=0.1 with your card's figures); the WhatsApp costs report prices billable messages with it. Empty: messages are counted, not priced.",
		func(c *Config, v string) error {
			rates, err := ParseRates(v)
			c.TemplateRates = rates
			return err
		}},
	{"ai-monthly-cap", "CHATSPOT_AI_MONTHLY_CAP", "2000", "dev, worker", "AI Assist requests per account per month; 0 means no cap.",
		func(c *Config, v string) (err error) { c.AI.MonthlyCap, err = nonNegative(v); return err }},
	{"ai-redact", "CHATSPOT_AI_REDACT", "true", "dev, worker", "Replace phone numbers, e-mails, CPF and CNPJ before text is sent to Gemini.",
		func(c *Config, v string) (err error) { c.AI.Redact, err = strconv.ParseBool(v); return err }},
	{"shutdown-grace", "CHATSPOT_SHUTDOWN_GRACE", "10s", "all", "How long Ctrl-C / SIGTERM waits for requests and activities to finish.",
		func(c *Config, v string) (err error) { c.ShutdownGrace, err = time.ParseDuration(v); return err }},
	{"event-retention", "CHATSPOT_EVENT_RETENTION", "168h", "dev, worker", "How long the agents' realtime event log keeps events (a screen reconnecting within it misses nothing); older ones are pruned every hour. At least 1h.",
		func(c *Config, v string) (err error) {
			if c.EventRetention, err = time.ParseDuration(v); err == nil && c.EventRetention < time.Hour {
				err = errors.New("must be at least 1h")
			}
			return err
		}},
}

// AIConfig is AI Assist's settings.
type AIConfig struct {
	APIKey, Model, BaseURL string
	MonthlyCap             int
	Redact                 bool
}

// Error names the setting that is wrong.
type Error struct {
	Setting Setting
	Value   string
	Err     error
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid %s (--%s) %q: %v", e.Setting.Env, e.Setting.Flag, e.Value, e.Err)
}

// Load parses args (without the command name) over the environment.
func Load(command string, args []string, env func(string) (string, bool)) (*Config, error) {
	fs := flag.NewFlagSet("chatspot "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := map[string]*string{}
	for _, s := range Settings {
		def := s.Default
		if v, ok := env(s.Env); ok {
			def = v
		}
		values[s.Flag] = fs.String(s.Flag, def, s.Help)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("chatspot %s: %v (run `chatspot config` for the settings)", command, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("chatspot %s: unexpected argument %q", command, fs.Arg(0))
	}
	c := &Config{}
	for _, s := range Settings {
		v := *values[s.Flag]
		if err := s.set(c, v); err != nil {
			return nil, &Error{Setting: s, Value: v, Err: err}
		}
	}
	if c.BaseURL == "" {
		_, p, _ := net.SplitHostPort(c.HTTPAddr)
		c.BaseURL = "http://localhost:" + p
	}
	return c, nil
}

// OSEnv is os.LookupEnv, the environment Load normally reads.
func OSEnv(k string) (string, bool) { return os.LookupEnv(k) }

// Missing is the error for a setting that dev can default but production
// must be told, e.g. Missing("database-url") for serve.
func Missing(flag string) error {
	for _, s := range Settings {
		if s.Flag == flag {
			return fmt.Errorf("missing %s (--%s): %s", s.Env, s.Flag, s.Help)
		}
	}
	return fmt.Errorf("missing --%s", flag)
}

// Table writes the settings as the Markdown table the README carries.
func Table(w io.Writer) {
	fmt.Fprintln(w, "| Flag | Environment | Default | Used by | Meaning |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range Settings {
		def := s.Default
		if def == "" {
			def = "—"
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(w, "| `--%s` | `%s` | %s | %s | %s |\n", s.Flag, s.Env, def, s.Commands, s.Help)
	}
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("must be a positive duration such as 30m or 12h")
	}
	return d, nil
}

func nonNegative(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errors.New("must be a whole number, 0 or more")
	}
	return n, nil
}

// ParseRates reads "category=BRL,..." into ten-thousandths of a real per
// message (at most four decimals: Meta's rate cards have them).
func ParseRates(v string) (map[string]int64, error) {
	rates := map[string]int64{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cat, amount, ok := strings.Cut(part, "=")
		cat = strings.ToLower(strings.TrimSpace(cat))
		if !ok || (cat != "marketing" && cat != "utility" && cat != "authentication" && cat != "service") {
			return nil, fmt.Errorf("%q: write category=BRL with category marketing, utility, authentication or service", part)
		}
		whole, frac, _ := strings.Cut(strings.TrimSpace(amount), ".")
		if len(frac) > 4 {
			return nil, fmt.Errorf("%q: at most four decimals", part)
		}
		n, err := strconv.ParseInt(whole+(frac + "0000")[:4], 10, 64)
		if err != nil || n < 0 || whole == "" {
			return nil, fmt.Errorf("%q: the amount must be a number of reais like 0.0340", part)
		}
		rates[cat] = n
	}
	return rates, nil
}

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}

func port(v string, zeroOK bool) (int, error) {
	p, err := strconv.Atoi(v)
	if err != nil || p < 0 || p > 65535 || (p == 0 && !zeroOK) {
		return 0, errors.New("must be a port number between 1 and 65535")
	}
	return p, nil
}

// checkHostPort accepts host:port (host may be empty when emptyHost).
// An empty value is allowed here; Require decides when one is needed.
func checkHostPort(v string, emptyHost bool) error {
	if v == "" {
		return nil
	}
	h, p, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port")
	}
	if h == "" && !emptyHost {
		return errors.New("must be host:port, the host is missing")
	}
	_, err = port(p, false)
	return err
}

func checkURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http(s) URL")
	}
	return nil
}

func checkDatabaseURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("must be a postgres:// URL")
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		if u.Host == "" {
			return errors.New("the host is missing")
		}
		return nil
	}
	return errors.New("must be a postgres:// URL (leave it empty for the embedded SQLite)")
}

func checkSecret(v string) error {
	if v != "" && len(v) < 32 {
		return errors.New("must be at least 32 characters")
	}
	return nil
}

// SecretKeys returns the secret key and the previous ones as bytes.
func (c *Config) SecretKeys() (current []byte, previous [][]byte) {
	for _, k := range c.PreviousSecretKeys {
		previous = append(previous, []byte(k))
	}
	return []byte(c.SecretKey), previous
}

// PrivateURLs says whether customers' URLs may reach private addresses
// for a command: the setting when given, else only in dev.
func (c *Config) PrivateURLs(command string) bool {
	if c.AllowPrivateURLs != nil {
		return *c.AllowPrivateURLs
	}
	return command == "dev"
}
