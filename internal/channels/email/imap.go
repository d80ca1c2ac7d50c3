package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/egress"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/chatspot/chatspot/internal/channels"
)

// xoauth2 is the XOAUTH2 SASL mechanism of Gmail and Microsoft 365 (not
// in go-sasl): the user and the bearer token in the initial response; a
// refusal comes as a JSON challenge, answered empty to end the exchange.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

var _ sasl.Client = xoauth2{}

// dialIMAP connects and signs in; the error says which of DNS, the
// connection, TLS or the login failed.
func (a *Adapter) dialIMAP(c config, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: a.tlsConfig(c.IMAP.Host), Dialer: egress.Dialer(a.timeout(), a.AllowPrivate), UnilateralDataHandler: handler}
	var client *imapclient.Client
	var err error
	switch c.IMAP.TLS {
	case TLSStart:
		client, err = imapclient.DialStartTLS(c.IMAP.addr(), opts)
	case TLSNone:
		client, err = imapclient.DialInsecure(c.IMAP.addr(), opts)
	default:
		client, err = imapclient.DialTLS(c.IMAP.addr(), opts)
	}
	if err != nil {
		return nil, connectError("IMAP", c.IMAP, err)
	}
	if err := client.WaitGreeting(); err != nil {
		client.Close()
		return nil, connectError("IMAP", c.IMAP, err)
	}
	if c.oauth() {
		err = client.Authenticate(xoauth2{user: c.Username, token: c.AccessToken})
	} else {
		err = client.Login(c.Username, c.Password).Wait()
	}
	if err != nil {
		client.Close()
		return nil, loginError("IMAP", c, err)
	}
	return client, nil
}

// Unreachable is a server that could not be reached or spoken to (DNS,
// the connection, TLS): final when settings are tested, retried by a
// running connection, since a server restarting looks the same.
type Unreachable struct{ Reason string }

func (e *Unreachable) Error() string { return e.Reason }

// connectError names what failed in reaching a server.
func connectError(proto string, s server, err error) error {
	return &Unreachable{Reason: reachError(proto, s, err)}
}

func reachError(proto string, s server, err error) string {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	switch {
	case errors.Is(err, egress.ErrPrivate):
		return fmt.Sprintf("the %s server %s is on a private network address, which mailboxes may not use", proto, s.Host)
	case errors.As(err, &dns):
		return fmt.Sprintf("%s server %s not found (DNS): check the server name", proto, s.Host)
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid):
		return fmt.Sprintf("TLS with the %s server %s failed, its certificate is not valid: %v", proto, s.addr(), err)
	case errors.As(err, &record), strings.Contains(err.Error(), "tls:"):
		return fmt.Sprintf("TLS with the %s server %s failed (is the security mode right for port %d?): %v", proto, s.addr(), s.Port, err)
	}
	return fmt.Sprintf("could not connect to the %s server %s: %v", proto, s.addr(), err)
}

// final makes an unreachable server a refusal, for settings being tested.
func final(err error) error {
	var u *Unreachable
	if errors.As(err, &u) {
		return &channels.PermanentError{Reason: u.Reason}
	}
	return err
}

// loginError is a refused sign-in: the credentials must be changed, or
// the OAuth connection made again.
func loginError(proto string, c config, err error) error {
	var imapErr *imap.Error
	detail := err.Error()
	if errors.As(err, &imapErr) {
		detail = imapErr.Text
		switch imapErr.Code {
		case imap.ResponseCodeUnavailable, imap.ResponseCodeLimit, imap.ResponseCodeInUse, imap.ResponseCodeServerBug:
			// The server cannot sign in now (too many connections, down for
			// maintenance): not the credentials' fault.
			return &Unreachable{Reason: fmt.Sprintf("%s could not sign in %s now: %s", proto, c.Username, detail)}
		}
	}
	if c.oauth() && !c.TokenExpires.IsZero() && time.Now().After(c.TokenExpires) {
		// The access token ran out before its renewal (a worker down for an
		// hour): retried, and the renewed token is read on the next try.
		return fmt.Errorf("%s refused the expired access token of %s: waiting for its renewal", proto, c.Username)
	}
	if c.oauth() {
		return &channels.PermanentError{Reason: fmt.Sprintf("%s refused the OAuth sign-in of %s (%s): connect the mailbox again", proto, c.Username, detail), Reauth: true}
	}
	return &channels.PermanentError{Reason: fmt.Sprintf("%s login refused for %s: %s (check the user name and password, or use an app password)", proto, c.Username, detail), Reauth: true}
}

// checkIMAP signs in and opens every folder to watch.
func (a *Adapter) checkIMAP(c config) (string, error) {
	client, err := a.dialIMAP(c, nil)
	if err != nil {
		return "", final(err)
	}
	defer client.Close()
	for _, f := range c.Folders {
		if _, err := client.Select(f, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return "", &channels.PermanentError{Reason: fmt.Sprintf("folder %q cannot be opened on %s: %v", f, c.IMAP.Host, err)}
		}
	}
	idle := "polling"
	if client.Caps().Has(imap.CapIdle) || client.Caps().Has(imap.CapIMAP4rev2) {
		idle = "IDLE"
	}
	_ = client.Logout().Wait()
	return fmt.Sprintf("%s signed in on %s; %s (%s)", c.Username, c.IMAP.Host, strings.Join(c.Folders, ", "), idle), nil
}

// sentFolder is where copies of replies go: the setting, else the folder
// the server marks \Sent.
func sentFolder(client *imapclient.Client, c config) (string, error) {
	if c.SentFolder != "" {
		return c.SentFolder, nil
	}
	boxes, err := client.List("", "*", &imap.ListOptions{ReturnSpecialUse: client.Caps().Has(imap.CapSpecialUse)}).Collect()
	if err != nil {
		return "", err
	}
	for _, b := range boxes {
		for _, attr := range b.Attrs {
			if attr == imap.MailboxAttrSent {
				return b.Mailbox, nil
			}
		}
	}
	for _, b := range boxes {
		switch strings.ToLower(b.Mailbox) {
		case "sent", "inbox.sent", "sent items", "sent messages", "enviados", "itens enviados":
			return b.Mailbox, nil
		}
	}
	return "", nil
}
