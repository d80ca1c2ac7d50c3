package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gomail "github.com/wneessen/go-mail"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/egress"
)

// MessageID is the Message-ID (without brackets) of our message id sent
// from address: the same on every retry of the send, so a mail sent twice
// after a lost answer is one mail to the customer's client.
func MessageID(messageID, address string) string {
	_, domain, _ := strings.Cut(address, "@")
	return "chatspot." + messageID + "@" + domain
}

// Send delivers an agent's reply over SMTP: the text as plain and HTML
// parts with the mailbox's signature, the files attached, the thread's
// subject, copies and references; then a copy is saved to the Sent folder
// unless the provider saves it itself. The provider id is its Message-ID.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	s, err := channels.ParseSettings(out.Channel.Settings)
	if err != nil {
		return "", err
	}
	c := configOf(s)
	if c.oauth() && c.AccessToken == "" {
		return "", &channels.PermanentError{Reason: "the mailbox is not connected: use \"Connect\" to sign in with " + c.Auth, Reauth: true}
	}
	m, id, err := a.compose(ctx, c, out)
	if err != nil {
		return "", err
	}
	client, err := gomail.NewClient(c.SMTP.Host, a.smtpOptions(c)...)
	if err != nil {
		return "", &channels.PermanentError{Reason: "SMTP settings: " + err.Error()}
	}
	err = client.DialAndSendWithContext(ctx, m)
	var refused *gomail.SendError
	if errors.As(err, &refused) && refused.Reason == gomail.ErrSMTPRcptTo && !refused.IsTemp() && len(out.CC) > 0 {
		// A copied address the server refuses must not block every reply
		// of the thread: sent to the customer alone.
		out.CC = nil
		if m, _, err = a.compose(ctx, c, out); err != nil {
			return "", err
		}
		err = client.DialAndSendWithContext(ctx, m)
	}
	if err != nil {
		return "", smtpError(c, err)
	}
	if a.savesSent(c) {
		// The mail is sent: the copy is saved apart, so a slow IMAP server
		// cannot make the send's attempt time out (and the mail go twice);
		// a copy that cannot be saved is not a failed send.
		go func() { _ = a.saveSent(c, m) }()
	}
	return id, nil
}

// compose builds the mail of an outbound message.
func (a *Adapter) compose(ctx context.Context, c config, out channels.Outbound) (*gomail.Msg, string, error) {
	m := gomail.NewMsg()
	if err := m.FromFormat(c.FromName, c.Address); err != nil {
		return nil, "", &channels.PermanentError{Reason: "the mailbox's address cannot send: " + err.Error()}
	}
	if err := m.To(out.To); err != nil {
		return nil, "", &channels.PermanentError{Reason: fmt.Sprintf("%q is not an e-mail address", out.To)}
	}
	if len(out.CC) > 0 {
		m.CcIgnoreInvalid(out.CC...)
	}
	id := MessageID(out.MessageID, c.Address)
	m.SetMessageIDWithValue(id)
	m.Subject(subject(c, out))
	if parent := parentOf(out); parent != "" {
		m.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, "<"+parent+">")
		refs := make([]string, 0, len(out.References)+1)
		for _, r := range appendNew(append([]string{}, out.References...), parent) {
			refs = append(refs, "<"+r+">")
		}
		m.SetGenHeaderPreformatted(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if out.CreatedAt.IsZero() {
		m.SetDate()
	} else {
		m.SetDateWithValue(out.CreatedAt)
	}
	text := out.Text
	if c.Signature != "" {
		text += "\n\n-- \n" + c.Signature
	}
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, "<div>"+strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n")+"</div>")
	for _, f := range out.Files {
		if out.Open == nil {
			return nil, "", errors.New("email: no file storage to attach from")
		}
		data, err := out.Open(ctx, f.ID)
		if err != nil {
			return nil, "", err
		}
		if err := m.AttachReader(f.Name, bytes.NewReader(data), gomail.WithFileContentType(gomail.ContentType(f.ContentType))); err != nil {
			return nil, "", err
		}
	}
	return m, id, nil
}

// parentOf is the message a reply answers: the one the agent chose, else
// the thread's latest.
func parentOf(out channels.Outbound) string {
	if out.ReplyTo != "" {
		return out.ReplyTo
	}
	if n := len(out.References); n > 0 {
		return out.References[n-1]
	}
	return ""
}

// subject is the thread's subject with "Re: " once; a message that starts
// a thread is named after the mailbox.
func subject(c config, out channels.Outbound) string {
	s := strings.TrimSpace(out.Subject)
	if s == "" {
		if len(out.References) == 0 {
			name := c.FromName
			if name == "" {
				name = c.Address
			}
			return "Mensagem de " + name
		}
		return "Re: (sem assunto)"
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "re:") || strings.HasPrefix(lower, "res:") || len(out.References) == 0 {
		return s
	}
	return "Re: " + s
}

func (a *Adapter) smtpOptions(c config) []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(c.SMTP.Port), gomail.WithTimeout(a.timeout()), gomail.WithTLSConfig(a.tlsConfig(c.SMTP.Host)),
		gomail.WithUsername(c.Username), gomail.WithDialContextFunc(egress.Dialer(a.timeout(), a.AllowPrivate).DialContext)}
	switch c.SMTP.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSStart:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	switch {
	case c.oauth():
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithPassword(c.AccessToken))
	case c.SMTP.TLS == TLSNone:
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlainNoEnc), gomail.WithPassword(c.Password))
	default:
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithPassword(c.Password))
	}
	return opts
}

// smtpError sorts an SMTP failure: a refused sign-in needs new
// credentials; a 5xx refusal is shown to the agent and not retried; the
// rest (4xx, a connection lost) is retried.
func smtpError(c config, err error) error {
	var send *gomail.SendError
	switch {
	case strings.Contains(err.Error(), "SMTP AUTH failed"), strings.Contains(err.Error(), "AuthNotSupported"), strings.Contains(err.Error(), "auth not supported"):
		return loginError("SMTP", c, err)
	case errors.As(err, &send) && send.IsTemp():
		return &channels.RetryAfterError{After: time.Minute, Reason: "the mail server asked to try later: " + send.Error()}
	case errors.As(err, &send) && send.ErrorCode() >= 500:
		return &channels.PermanentError{Reason: "the mail server refused the message: " + send.Error()}
	}
	return err
}

// savesSent reports whether a copy of each reply is appended to the Sent
// folder: Gmail and Microsoft 365 file SMTP mail there themselves.
func (a *Adapter) savesSent(c config) bool {
	switch c.SaveSent {
	case SaveSentAlways:
		return true
	case SaveSentNever:
		return false
	}
	host := c.SMTP.Host
	return !(strings.HasSuffix(host, "gmail.com") || strings.HasSuffix(host, "googlemail.com") ||
		strings.HasSuffix(host, "office365.com") || strings.HasSuffix(host, "outlook.com"))
}

// saveSent appends the sent mail to the Sent folder, marked read.
func (a *Adapter) saveSent(c config, m *gomail.Msg) error {
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return err
	}
	client, err := a.dialIMAP(c, nil)
	if err != nil {
		return err
	}
	defer client.Close()
	folder, err := sentFolder(client, c)
	if err != nil || folder == "" {
		return err
	}
	cmd := client.Append(folder, int64(buf.Len()), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: time.Now()})
	if _, err := cmd.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err = cmd.Wait()
	return err
}
