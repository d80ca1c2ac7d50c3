// Package email is the e-mail channel: a mailbox read over IMAP (IDLE
// where the server has it, polling where not) and written to over SMTP,
// with a password or app password, or OAuth2 (XOAUTH2) for Gmail and
// Microsoft 365. Each mail thread is its own conversation: replies join
// it by In-Reply-To and References, and our replies carry the headers
// that make the customer's mail client thread them too.
package email

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

// Settings keys.
const (
	keyAddress      = "address"
	keyFromName     = "from_name"
	keyAuth         = "auth"
	keyUsername     = "username"
	keyPassword     = "password"
	keyIMAPHost     = "imap_host"
	keyIMAPPort     = "imap_port"
	keyIMAPTLS      = "imap_tls"
	keySMTPHost     = "smtp_host"
	keySMTPPort     = "smtp_port"
	keySMTPTLS      = "smtp_tls"
	keyFolders      = "folders"
	keySentFolder   = "sent_folder"
	keySaveSent     = "save_sent"
	keySignature    = "signature"
	keyClientID     = "oauth_client_id"
	keyClientSecret = "oauth_client_secret"
	keyTenant       = "oauth_tenant"
	// The adapter's own: the OAuth tokens and when the access token ends.
	keyAccessToken  = "access_token"
	keyRefreshToken = "refresh_token"
	keyTokenExpires = "token_expires_at"
)

// Login methods.
const (
	AuthPassword  = "password"
	AuthGoogle    = "google"
	AuthMicrosoft = "microsoft"
)

// TLS modes of a server connection.
const (
	TLSImplicit = "tls"      // TLS from the first byte (IMAP 993, SMTP 465)
	TLSStart    = "starttls" // plain, then STARTTLS (IMAP 143, SMTP 587)
	TLSNone     = "none"     // no encryption: only for servers on a private network
)

// Save-to-Sent policies.
const (
	SaveSentAuto   = "auto" // append unless the provider saves SMTP mail itself (Gmail, Microsoft 365)
	SaveSentAlways = "always"
	SaveSentNever  = "never"
)

// Adapter is the e-mail kind.
type Adapter struct {
	// TLS is the base TLS configuration of IMAP and SMTP connections
	// (tests trust their own certificate); nil is the system's.
	TLS *tls.Config
	// Timeout bounds dialing (and each SMTP command); 0 is 30 s.
	Timeout time.Duration
	// AllowPrivate lets mailboxes name servers on loopback and private
	// addresses (tests, a mail server on the company's network); otherwise
	// they are refused, as every address an account configures is.
	AllowPrivate bool
	// PollInterval is how often a folder is checked on servers without
	// IDLE; 0 is a minute.
	PollInterval time.Duration
	// IdleRestart ends an IDLE after this long with no news, to check the
	// folder anyway (a lost notification costs at most this); 0 is 10 min.
	IdleRestart time.Duration
	// OAuth endpoints; "" are Google's and Microsoft's.
	GoogleAuthURL, GoogleTokenURL, MicrosoftURL string
	HTTP                                        *http.Client
}

// Kind describes e-mail.
func (*Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindEmail, Label: "E-mail",
		Settings: []channels.Field{
			{Name: keyAddress, Label: "E-mail address", Type: channels.FieldText, Required: true,
				Help: "The mailbox customers write to, e.g. suporte@empresa.com.br; replies are sent from it."},
			{Name: keyFromName, Label: "Sender name", Type: channels.FieldText, Help: "Shown to customers beside the address, e.g. Suporte Empresa."},
			{Name: keyAuth, Label: "Sign-in", Type: channels.FieldSelect, Options: []string{AuthPassword, AuthGoogle, AuthMicrosoft},
				Help: "password: the mailbox password or an app password (Zoho, Yahoo, Locaweb, KingHost, Hostinger, your own server). google / microsoft: OAuth2, needed by Gmail and Microsoft 365."},
			{Name: keyUsername, Label: "User name", Type: channels.FieldText, Help: "Usually the address itself (the default)."},
			{Name: keyPassword, Label: "Password or app password", Type: channels.FieldSecret,
				Help: "Gmail and Outlook.com accept app passwords when two-step verification is on."},
			{Name: keyIMAPHost, Label: "IMAP server", Type: channels.FieldText, Help: "e.g. imap.zoho.com; filled in for Google and Microsoft."},
			{Name: keyIMAPPort, Label: "IMAP port", Type: channels.FieldNumber, Help: "993 with TLS, 143 with STARTTLS."},
			{Name: keyIMAPTLS, Label: "IMAP security", Type: channels.FieldSelect, Options: []string{TLSImplicit, TLSStart, TLSNone}},
			{Name: keySMTPHost, Label: "SMTP server", Type: channels.FieldText, Help: "e.g. smtp.zoho.com; filled in for Google and Microsoft."},
			{Name: keySMTPPort, Label: "SMTP port", Type: channels.FieldNumber, Help: "465 with TLS, 587 with STARTTLS."},
			{Name: keySMTPTLS, Label: "SMTP security", Type: channels.FieldSelect, Options: []string{TLSImplicit, TLSStart, TLSNone}},
			{Name: keyFolders, Label: "Folders to watch", Type: channels.FieldText, Help: "Comma-separated; INBOX by default."},
			{Name: keySentFolder, Label: "Sent folder", Type: channels.FieldText, Help: "Where copies of replies are saved; found by the server's \\Sent mark when empty."},
			{Name: keySaveSent, Label: "Save replies to Sent", Type: channels.FieldSelect, Options: []string{SaveSentAuto, SaveSentAlways, SaveSentNever},
				Help: "auto: unless the provider does it itself (Gmail, Microsoft 365)."},
			{Name: keySignature, Label: "Signature", Type: channels.FieldText, Help: "Added below every reply from this mailbox."},
			{Name: keyClientID, Label: "OAuth client ID", Type: channels.FieldText,
				Help: "Google Cloud (scope https://mail.google.com/) or Microsoft Entra app (IMAP.AccessAsUser.All, SMTP.Send, offline_access); redirect URI: this server's /oauth/callback."},
			{Name: keyClientSecret, Label: "OAuth client secret", Type: channels.FieldSecret},
			{Name: keyTenant, Label: "Microsoft tenant", Type: channels.FieldText, Help: "The directory (tenant) id or domain; \"common\" by default."},
		},
		Secrets: []string{keyAccessToken, keyRefreshToken},
		Hidden:  []string{keyAccessToken, keyRefreshToken},
		Capabilities: channels.Capabilities{
			Media:   []string{channels.MediaImage, channels.MediaAudio, channels.MediaVideo, channels.MediaDocument},
			Threads: true, Subjects: true,
		},
	}
}

// config is a channel's settings, read.
type config struct {
	Address, FromName, Auth, Username, Password string
	IMAP, SMTP                                  server
	Folders                                     []string
	SentFolder, SaveSent, Signature             string
	ClientID, ClientSecret, Tenant              string
	AccessToken, RefreshToken                   string
	TokenExpires                                time.Time
}

// server is an IMAP or SMTP server's address and TLS mode.
type server struct {
	Host string
	Port int
	TLS  string
}

func (s server) addr() string { return s.Host + ":" + strconv.Itoa(s.Port) }

// presets are the servers of the OAuth providers, filled in when left
// empty.
var presets = map[string][2]server{
	AuthGoogle:    {{"imap.gmail.com", 993, TLSImplicit}, {"smtp.gmail.com", 465, TLSImplicit}},
	AuthMicrosoft: {{"outlook.office365.com", 993, TLSImplicit}, {"smtp.office365.com", 587, TLSStart}},
}

// Validate checks the mailbox settings and fills in the defaults: the
// user name, the OAuth providers' servers, ports by TLS mode, INBOX.
func (*Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	addr, err := mail.ParseAddress(s.String(keyAddress))
	if err != nil || addr.Name != "" {
		return nil, &channels.FieldError{Field: "settings." + keyAddress, Reason: "must be an e-mail address like suporte@empresa.com.br"}
	}
	s[keyAddress] = strings.ToLower(addr.Address)
	auth := s.String(keyAuth)
	if auth == "" {
		auth = AuthPassword
	}
	s[keyAuth] = auth
	if _, ok := presets[auth]; !ok && auth != AuthPassword {
		return nil, &channels.FieldError{Field: "settings." + keyAuth, Reason: "must be password, google or microsoft"}
	}
	if s.String(keyUsername) == "" {
		s[keyUsername] = s[keyAddress]
	}
	if auth == AuthPassword && s.String(keyPassword) == "" {
		return nil, &channels.FieldError{Field: "settings." + keyPassword, Reason: "is required to sign in with a password"}
	}
	if auth != AuthPassword && (s.String(keyClientID) == "" || s.String(keyClientSecret) == "") {
		return nil, &channels.FieldError{Field: "settings." + keyClientID, Reason: "the OAuth client's id and secret are needed to sign in with " + auth}
	}
	for i, p := range []struct{ host, port, tls string }{{keyIMAPHost, keyIMAPPort, keyIMAPTLS}, {keySMTPHost, keySMTPPort, keySMTPTLS}} {
		preset, hasPreset := presets[auth]
		if s.String(p.host) == "" && hasPreset {
			s[p.host], s[p.port], s[p.tls] = preset[i].Host, preset[i].Port, preset[i].TLS
		}
		host := strings.TrimSpace(strings.ToLower(s.String(p.host)))
		if host == "" || strings.ContainsAny(host, " /:@") {
			return nil, &channels.FieldError{Field: "settings." + p.host, Reason: "must be a server name like imap.empresa.com.br"}
		}
		s[p.host] = host
		mode := s.String(p.tls)
		if mode == "" {
			mode = TLSImplicit
		}
		if mode != TLSImplicit && mode != TLSStart && mode != TLSNone {
			return nil, &channels.FieldError{Field: "settings." + p.tls, Reason: "must be tls, starttls or none"}
		}
		s[p.tls] = mode
		port, err := portOf(s[p.port])
		if err != nil {
			return nil, &channels.FieldError{Field: "settings." + p.port, Reason: err.Error()}
		}
		if port == 0 {
			port = defaultPort(i == 0, mode)
		}
		s[p.port] = port
	}
	folders := splitFolders(s.String(keyFolders))
	if len(folders) == 0 {
		folders = []string{"INBOX"}
	}
	s[keyFolders] = strings.Join(folders, ", ")
	switch s.String(keySaveSent) {
	case "":
		s[keySaveSent] = SaveSentAuto
	case SaveSentAuto, SaveSentAlways, SaveSentNever:
	default:
		return nil, &channels.FieldError{Field: "settings." + keySaveSent, Reason: "must be auto, always or never"}
	}
	return s, nil
}

// portOf reads a port setting, a number or its text; 0 when unset.
func portOf(v any) (int, error) {
	var port int
	switch v := v.(type) {
	case nil:
		return 0, nil
	case float64:
		port = int(v)
	case int:
		port = v
	case string:
		if strings.TrimSpace(v) == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("must be a port number")
		}
		port = n
	default:
		return 0, fmt.Errorf("must be a port number")
	}
	if port < 1 || port > 65535 {
		return 0, fmt.Errorf("must be a port number from 1 to 65535")
	}
	return port, nil
}

func defaultPort(imap bool, mode string) int {
	switch {
	case imap && mode == TLSImplicit:
		return 993
	case imap:
		return 143
	case mode == TLSImplicit:
		return 465
	}
	return 587
}

func splitFolders(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// configOf reads a channel's (opened) settings.
func configOf(s channels.Settings) config {
	port := func(key string) int { p, _ := portOf(s[key]); return p }
	c := config{
		Address: s.String(keyAddress), FromName: s.String(keyFromName), Auth: s.String(keyAuth),
		Username: s.String(keyUsername), Password: s.String(keyPassword),
		IMAP:       server{Host: s.String(keyIMAPHost), Port: port(keyIMAPPort), TLS: s.String(keyIMAPTLS)},
		SMTP:       server{Host: s.String(keySMTPHost), Port: port(keySMTPPort), TLS: s.String(keySMTPTLS)},
		Folders:    splitFolders(s.String(keyFolders)),
		SentFolder: s.String(keySentFolder), SaveSent: s.String(keySaveSent), Signature: s.String(keySignature),
		ClientID: s.String(keyClientID), ClientSecret: s.String(keyClientSecret), Tenant: s.String(keyTenant),
		AccessToken: s.String(keyAccessToken), RefreshToken: s.String(keyRefreshToken),
	}
	if c.Auth == "" {
		c.Auth = AuthPassword
	}
	if c.Username == "" {
		c.Username = c.Address
	}
	if len(c.Folders) == 0 {
		c.Folders = []string{"INBOX"}
	}
	c.TokenExpires, _ = time.Parse(time.RFC3339, s.String(keyTokenExpires))
	return c
}

// oauth reports whether the mailbox signs in with OAuth2.
func (c config) oauth() bool { return c.Auth == AuthGoogle || c.Auth == AuthMicrosoft }

func (a *Adapter) timeout() time.Duration {
	if a.Timeout == 0 {
		return 30 * time.Second
	}
	return a.Timeout
}

func (a *Adapter) tlsConfig(host string) *tls.Config {
	var c *tls.Config
	if a.TLS != nil {
		c = a.TLS.Clone()
	} else {
		c = &tls.Config{}
	}
	c.ServerName = host
	return c
}
