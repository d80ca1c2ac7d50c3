// Package mailtest runs a real IMAP server (go-imap's in-memory server)
// and a real SMTP server (go-smtp) on loopback for tests, both accepting
// a password or an XOAUTH2 bearer token, so the e-mail channel's own
// client code is exercised end to end.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Servers is an IMAP and an SMTP server of one mailbox user.
type Servers struct {
	IMAPAddr, SMTPAddr string
	User, Password     string

	user *imapmemserver.User

	mu     sync.Mutex
	tokens map[string]bool // bearer tokens accepted
	sent   []Mail
	refuse *smtp.SMTPError // the next DATA's answer
	logins int
	token  string // the bearer token of the latest XOAUTH2 sign-in
	close  func()
}

// Mail is what the SMTP server received.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Start runs both servers until the test ends. The user has INBOX and
// Sent.
func Start(t testing.TB, user, password string) *Servers {
	t.Helper()
	s, err := New(user, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartTLS runs both servers requiring STARTTLS before signing in, with
// a certificate for 127.0.0.1 that the answered pool trusts.
func StartTLS(t testing.TB, user, password string) (*Servers, *x509.CertPool) {
	t.Helper()
	cfg, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServers(user, password, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, pool
}

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool, nil
}

// New runs both servers on loopback until Close.
func New(user, password string) (*Servers, error) { return newServers(user, password, nil) }

func newServers(user, password string, tlsConfig *tls.Config) (*Servers, error) {
	s := &Servers{User: user, Password: password, tokens: map[string]bool{}}
	s.user = imapmemserver.NewUser(user, password)
	for _, name := range []string{"INBOX", "Sent"} {
		if err := s.user.Create(name, nil); err != nil {
			return nil, err
		}
	}
	imapSrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{servers: s}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: tlsConfig == nil,
		TLSConfig:    tlsConfig,
		Logger:       quietLogger{},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go imapSrv.Serve(l)
	s.IMAPAddr = l.Addr().String()

	smtpSrv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{servers: s}, nil }))
	smtpSrv.Domain = "localhost"
	smtpSrv.AllowInsecureAuth = tlsConfig == nil
	smtpSrv.TLSConfig = tlsConfig
	smtpSrv.ReadTimeout = 30 * time.Second
	smtpSrv.WriteTimeout = 30 * time.Second
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		imapSrv.Close()
		return nil, err
	}
	go smtpSrv.Serve(sl)
	s.SMTPAddr = sl.Addr().String()
	s.close = func() {
		imapSrv.Close()
		smtpSrv.Close()
	}
	return s, nil
}

// Close stops both servers.
func (s *Servers) Close() { s.close() }

// AcceptToken makes a bearer token valid for XOAUTH2 on both servers.
func (s *Servers) AcceptToken(token string) {
	s.mu.Lock()
	s.tokens[token] = true
	s.mu.Unlock()
}

func (s *Servers) tokenValid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[token]
}

// Deliver appends a raw mail to a folder, as mail arriving.
func (s *Servers) Deliver(t testing.TB, folder string, raw string) {
	t.Helper()
	if err := s.Append(folder, raw); err != nil {
		t.Fatal(err)
	}
}

// Append appends a raw mail (line ends made CRLF) to a folder.
func (s *Servers) Append(folder string, raw string) error {
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	sess := imapmemserver.NewUserSession(s.user)
	_, err := sess.Append(folder, literal{bytes.NewReader([]byte(raw)), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()})
	return err
}

// Recreate deletes and creates a folder again, empty, as a server that
// rebuilt it: its UIDVALIDITY changes and UIDs start over.
func (s *Servers) Recreate(t testing.TB, folder string) {
	t.Helper()
	if err := s.user.Delete(folder); err != nil {
		t.Fatal(err)
	}
	if err := s.user.Create(folder, nil); err != nil {
		t.Fatal(err)
	}
}

// Folder lists the raw mails in a folder, read over IMAP.
func (s *Servers) Folder(t testing.TB, folder string) []string {
	t.Helper()
	c, err := imapclient.DialInsecure(s.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.FindBodySection(section)))
	}
	return out
}

// Sent is what the SMTP server received so far.
func (s *Servers) Sent() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.sent...)
}

// RefuseNext answers the next message's DATA with an SMTP error.
func (s *Servers) RefuseNext(code int, message string) {
	s.mu.Lock()
	s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message}
	s.mu.Unlock()
}

// LastToken is the bearer token of the latest IMAP sign-in by XOAUTH2.
func (s *Servers) LastToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Logins counts successful IMAP sign-ins.
func (s *Servers) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

type literal struct {
	io.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// session is an IMAP session of the one user, signed in by password or
// XOAUTH2.
type session struct {
	*imapmemserver.UserSession
	servers *Servers
}

func (s *session) Login(username, password string) error {
	if username != s.servers.User || password != s.servers.Password {
		return imapserver.ErrAuthFailed
	}
	s.signedIn()
	return nil
}

func (s *session) signedIn() {
	s.UserSession = imapmemserver.NewUserSession(s.servers.user)
	s.servers.mu.Lock()
	s.servers.logins++
	s.servers.mu.Unlock()
}

func (s *session) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

// Idle reports what changed before IDLE began, as Dovecot and Gmail do,
// then waits for news (go-imap's server alone reports only later news).
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.UserSession.Poll(w, true); err != nil {
		return err
	}
	return s.UserSession.Idle(w, stop)
}

func (s *session) AuthenticateMechanisms() []string { return []string{"PLAIN", "XOAUTH2"} }

func (s *session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, username, password string) error { return s.Login(username, password) }), nil
	case "XOAUTH2":
		return &xoauth2Server{check: func(user, token string) error {
			if user != s.servers.User || !s.servers.tokenValid(token) {
				return imapserver.ErrAuthFailed
			}
			s.signedIn()
			s.servers.mu.Lock()
			s.servers.token = token
			s.servers.mu.Unlock()
			return nil
		}}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

// xoauth2Server checks XOAUTH2's initial response
// ("user=" u "\x01auth=Bearer " token "\x01\x01").
type xoauth2Server struct {
	check func(user, token string) error
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if response == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, field := range strings.Split(string(response), "\x01") {
		k, v, _ := strings.Cut(field, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			token = strings.TrimPrefix(v, "Bearer ")
		}
	}
	if err := x.check(user, token); err != nil {
		return nil, true, err
	}
	return nil, true, nil
}

// smtpSession records one SMTP transaction.
type smtpSession struct {
	servers *Servers
	authed  bool
	from    string
	to      []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{"PLAIN", "XOAUTH2"} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, username, password string) error {
			if username != s.servers.User || password != s.servers.Password {
				return errors.New("invalid credentials")
			}
			s.authed = true
			return nil
		}), nil
	case "XOAUTH2":
		return &xoauth2Server{check: func(user, token string) error {
			if user != s.servers.User || !s.servers.tokenValid(token) {
				return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid token"}
			}
			s.authed = true
			return nil
		}}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.servers.mu.Lock()
	defer s.servers.mu.Unlock()
	if refuse := s.servers.refuse; refuse != nil {
		s.servers.refuse = nil
		return refuse
	}
	s.servers.sent = append(s.servers.sent, Mail{From: s.from, To: s.to, Data: data})
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
