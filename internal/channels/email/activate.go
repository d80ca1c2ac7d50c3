package email

import (
	"context"
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// Activation steps.
const (
	StepCheckIMAP = "check_imap"
	StepCheckSMTP = "check_smtp"
	StepWatch     = "watch_folders"
)

// Steps: sign in on IMAP and open the folders, sign in on SMTP, then
// hold the folders' connections open.
func (*Adapter) Steps(store.Channel) []string {
	return []string{StepCheckIMAP, StepCheckSMTP, StepWatch}
}

// RunStep runs one activation step; each is safe to repeat. A failure
// names what failed: DNS, the connection, TLS, the login or a folder.
func (a *Adapter) RunStep(ctx context.Context, _ channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return channels.StepResult{}, err
	}
	c := configOf(s)
	if c.oauth() && c.AccessToken == "" {
		return channels.StepResult{}, &channels.PermanentError{Reason: "the mailbox is not connected: use \"Connect\" to sign in with " + c.Auth, Reauth: true}
	}
	switch step {
	case StepCheckIMAP:
		detail, err := a.checkIMAP(c)
		return channels.StepResult{Detail: detail}, err
	case StepCheckSMTP:
		detail, err := a.checkSMTP(ctx, c)
		return channels.StepResult{Detail: detail}, err
	case StepWatch:
		return channels.StepResult{Connect: true}, nil
	}
	return channels.StepResult{}, fmt.Errorf("email: no step %q", step)
}

// Deactivate has nothing to undo at the provider: the connection ends
// with the channel.
func (*Adapter) Deactivate(context.Context, channels.Env, store.Channel) error { return nil }

// checkSMTP connects and signs in without sending.
func (a *Adapter) checkSMTP(ctx context.Context, c config) (string, error) {
	client, err := gomail.NewClient(c.SMTP.Host, a.smtpOptions(c)...)
	if err != nil {
		return "", &channels.PermanentError{Reason: "SMTP settings: " + err.Error()}
	}
	if err := client.DialWithContext(ctx); err != nil {
		if e := smtpError(c, err); e != err {
			return "", e
		}
		return "", final(connectError("SMTP", c.SMTP, err))
	}
	_ = client.Close()
	return fmt.Sprintf("%s signed in on %s", c.Username, c.SMTP.Host), nil
}
