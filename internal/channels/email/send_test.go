package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/email/mailtest"
	"github.com/chatspot/chatspot/internal/store"
)

// mailbox is a channel of the test servers' mailbox, validated as the
// API would store it (secrets in clear).
func mailbox(t *testing.T, srv *mailtest.Servers, extra channels.Settings) store.Channel {
	t.Helper()
	ih, ip, _ := net.SplitHostPort(srv.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(srv.SMTPAddr)
	s := channels.Settings{keyAddress: "suporte@loja.com.br", keyFromName: "Suporte Loja", keyUsername: srv.User, keyPassword: srv.Password,
		keyIMAPHost: ih, keyIMAPPort: ip, keyIMAPTLS: TLSNone, keySMTPHost: sh, keySMTPPort: sp, keySMTPTLS: TLSNone, keySignature: "Equipe Loja"}
	for k, v := range extra {
		s[k] = v
	}
	out, err := (&Adapter{}).Validate(s)
	if err != nil {
		t.Fatal(err)
	}
	return store.Channel{ID: "ch1", Kind: channels.KindEmail, Settings: out.JSON()}
}

// A reply goes out with the thread's headers, plain and HTML parts, the
// signature, the customer's copies and the file; a copy lands in Sent.
func TestSendReply(t *testing.T) {
	srv := mailtest.Start(t, "suporte", "s3nha")
	a := &Adapter{AllowPrivate: true, Timeout: 5 * time.Second}
	ch := mailbox(t, srv, nil)
	out := channels.Outbound{MessageID: "m2", Channel: ch, To: "joana@cliente.com.br", Text: "Vamos verificar.\nObrigado!",
		Subject: "Pedido 1234", CC: []string{"financeiro@cliente.com.br"}, References: []string{"first@cliente.com.br", "CAB123@mail.gmail.com"},
		Files: []channels.OutboundFile{{ID: "f1", Name: "nota.pdf", ContentType: "application/pdf"}},
		Open:  func(context.Context, string) ([]byte, error) { return []byte("%PDF-1.4\n"), nil }}
	id, err := a.Send(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	if id != "chatspot.m2@loja.com.br" {
		t.Errorf("provider id %q", id)
	}
	sent := srv.Sent()
	if len(sent) != 1 || sent[0].From != "suporte@loja.com.br" || strings.Join(sent[0].To, ",") != "joana@cliente.com.br,financeiro@cliente.com.br" {
		t.Fatalf("SMTP received %+v", sent)
	}
	r, err := mail.CreateReader(bytes.NewReader(sent[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header
	subject, _ := h.Subject()
	msgID, _ := h.MessageID()
	parents, _ := h.MsgIDList("In-Reply-To")
	refs, _ := h.MsgIDList("References")
	if subject != "Re: Pedido 1234" || msgID != "chatspot.m2@loja.com.br" || strings.Join(parents, " ") != "CAB123@mail.gmail.com" ||
		strings.Join(refs, " ") != "first@cliente.com.br CAB123@mail.gmail.com" {
		t.Errorf("headers: subject %q id %q in-reply-to %v references %v", subject, msgID, parents, refs)
	}
	body := readParts(r)
	if !strings.Contains(body.text, "Vamos verificar.\r\nObrigado!") && !strings.Contains(body.text, "Vamos verificar.\nObrigado!") {
		t.Errorf("plain part %q", body.text)
	}
	if !strings.Contains(body.text, "-- \r\nEquipe Loja") && !strings.Contains(body.text, "-- \nEquipe Loja") {
		t.Errorf("signature missing: %q", body.text)
	}
	if !strings.Contains(body.html, "Vamos verificar.<br>") {
		t.Errorf("html part %q", body.html)
	}
	if len(body.files) != 1 || body.files[0].Name != "nota.pdf" || string(body.files[0].Data) != "%PDF-1.4\n" {
		t.Errorf("files %+v", body.files)
	}
	var copies []string
	for range 50 { // the copy is saved apart from the send
		if copies = srv.Folder(t, "Sent"); len(copies) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(copies) != 1 || !strings.Contains(copies[0], "chatspot.m2@loja.com.br") {
		t.Errorf("Sent folder holds %d mails", len(copies))
	}

	// The server's refusals: 5xx shown and not retried, 4xx retried.
	srv.RefuseNext(550, "mailbox unavailable")
	_, err = a.Send(t.Context(), out)
	var perm *channels.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Reason, "mailbox unavailable") {
		t.Errorf("550: %v", err)
	}
	srv.RefuseNext(451, "try again later")
	_, err = a.Send(t.Context(), out)
	var later *channels.RetryAfterError
	if !errors.As(err, &later) {
		t.Errorf("451: %v", err)
	}
}

// Saving settings tests the servers, naming what failed.
func TestActivationNamesWhatFailed(t *testing.T) {
	srv := mailtest.Start(t, "suporte", "s3nha")
	a := &Adapter{AllowPrivate: true, Timeout: 3 * time.Second}
	step := func(ch store.Channel, step string) error {
		_, err := a.RunStep(t.Context(), channels.Env{}, ch, step)
		return err
	}
	ok := mailbox(t, srv, nil)
	for _, s := range []string{StepCheckIMAP, StepCheckSMTP} {
		if err := step(ok, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	cases := []struct {
		name  string
		set   channels.Settings
		step  string
		wants string
	}{
		{"dns", channels.Settings{keyIMAPHost: "imap.nao-existe.invalid"}, StepCheckIMAP, "not found (DNS)"},
		{"login", channels.Settings{keyPassword: "errada"}, StepCheckIMAP, "login refused"},
		{"folder", channels.Settings{keyFolders: "INBOX, Vendas"}, StepCheckIMAP, `folder "Vendas"`},
		{"tls", channels.Settings{keyIMAPTLS: TLSImplicit}, StepCheckIMAP, "TLS"},
		{"smtp login", channels.Settings{keyPassword: "errada"}, StepCheckSMTP, "SMTP login refused"},
	}
	strict := &Adapter{Timeout: 3 * time.Second}
	if _, err := strict.RunStep(t.Context(), channels.Env{}, ok, StepCheckIMAP); err == nil || !strings.Contains(err.Error(), "private network") {
		t.Errorf("a mailbox on a private address without permission: %v", err)
	}
	if _, err := strict.RunStep(t.Context(), channels.Env{}, ok, StepCheckSMTP); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("an SMTP server on a private address without permission: %v", err)
	}
	for _, c := range cases {
		err := step(mailbox(t, srv, c.set), c.step)
		var perm *channels.PermanentError
		if !errors.As(err, &perm) || !strings.Contains(perm.Reason, c.wants) {
			t.Errorf("%s: %v, want a permanent error naming %q", c.name, err, c.wants)
		}
	}
}

// Gmail by OAuth: the code is traded at the token endpoint, XOAUTH2 signs
// in on IMAP and SMTP with the access token, the refresh renews it, and a
// revoked grant asks to connect again.
func TestOAuthGoogle(t *testing.T) {
	srv := mailtest.Start(t, "joao@gmail.com", "unused")
	var grants []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		grants = append(grants, r.Form.Get("grant_type"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Form.Get("client_secret") != "segredo":
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_client"})
		case r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code") == "c0de":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "ya29.first", "expires_in": 3599, "refresh_token": "1//refresh", "token_type": "Bearer"})
		case r.Form.Get("grant_type") == "refresh_token" && r.Form.Get("refresh_token") == "1//refresh":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "ya29.second", "expires_in": 3599, "token_type": "Bearer"})
		default:
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
		}
	}))
	defer tokens.Close()
	a := &Adapter{AllowPrivate: true, Timeout: 5 * time.Second, GoogleAuthURL: "https://accounts.example/auth", GoogleTokenURL: tokens.URL}
	ch := mailbox(t, srv, channels.Settings{keyAuth: AuthGoogle, keyAddress: "joao@gmail.com", keyUsername: "joao@gmail.com",
		keyClientID: "cid.apps.googleusercontent.com", keyClientSecret: "segredo", keyPassword: ""})
	u, err := a.AuthorizeURL(ch, channels.OAuthFlow{RedirectURI: "https://app.example/oauth/callback", State: "st"})
	if err != nil || !strings.Contains(u, "access_type=offline") || !strings.Contains(u, "scope=https%3A%2F%2Fmail.google.com%2F") {
		t.Errorf("authorize URL %q %v", u, err)
	}
	set, err := a.Exchange(t.Context(), ch, channels.OAuthFlow{RedirectURI: "https://app.example/oauth/callback"}, "c0de")
	if err != nil {
		t.Fatal(err)
	}
	merge := func(ch store.Channel, set channels.Settings) store.Channel {
		s, _ := channels.ParseSettings(ch.Settings)
		for k, v := range set {
			s[k] = v
		}
		ch.Settings = s.JSON()
		return ch
	}
	ch = merge(ch, set)
	if at := a.RefreshAt(ch, time.Now()); time.Until(at) < 50*time.Minute || time.Until(at) > time.Hour {
		t.Errorf("refresh at %v", at)
	}
	srv.AcceptToken("ya29.first")
	if err := func() error { _, err := a.RunStep(t.Context(), channels.Env{}, ch, StepCheckIMAP); return err }(); err != nil {
		t.Errorf("IMAP XOAUTH2: %v", err)
	}
	if _, err := a.Send(t.Context(), channels.Outbound{MessageID: "m1", Channel: ch, To: "cliente@x.com", Text: "oi", Subject: "Olá"}); err != nil {
		t.Errorf("SMTP XOAUTH2: %v", err)
	}
	set, err = a.RefreshToken(t.Context(), ch)
	if err != nil || set.String(keyAccessToken) != "ya29.second" {
		t.Fatalf("refresh: %v %v", set, err)
	}
	ch = merge(ch, set)
	// The old token no longer works at the servers; the new one does not
	// either until they accept it: a refused sign-in asks to reconnect.
	_, err = a.Send(t.Context(), channels.Outbound{MessageID: "m2", Channel: ch, To: "cliente@x.com", Text: "oi"})
	var perm *channels.PermanentError
	if !errors.As(err, &perm) || !perm.Reauth {
		t.Errorf("a refused token must ask to reconnect: %v", err)
	}
	// An access token that ran out before its renewal is retried, not a
	// reason to reconnect.
	expired := merge(ch, channels.Settings{keyTokenExpires: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)})
	_, err = a.Send(t.Context(), channels.Outbound{MessageID: "m3", Channel: expired, To: "cliente@x.com", Text: "oi"})
	if err == nil || errors.As(err, &perm) {
		t.Errorf("an expired token must be retried: %v", err)
	}
	ch = merge(ch, channels.Settings{keyRefreshToken: "revoked"})
	if _, err := a.RefreshToken(t.Context(), ch); !errors.As(err, &perm) || !perm.Reauth {
		t.Errorf("revoked grant: %v", err)
	}
	if strings.Join(grants, ",") != "authorization_code,refresh_token,refresh_token" {
		t.Errorf("grants %v", grants)
	}
}

// Validation fills in the providers' servers and refuses what cannot
// work, naming the field.
func TestValidate(t *testing.T) {
	a := &Adapter{}
	s, err := a.Validate(channels.Settings{keyAddress: "Vendas@Empresa.com.br", keyAuth: AuthMicrosoft, keyClientID: "id", keyClientSecret: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if s.String(keyIMAPHost) != "outlook.office365.com" || s.String(keySMTPHost) != "smtp.office365.com" || s[keySMTPPort] != 587 ||
		s.String(keySMTPTLS) != TLSStart || s.String(keyAddress) != "vendas@empresa.com.br" || s.String(keyFolders) != "INBOX" {
		t.Errorf("microsoft preset: %v", s)
	}
	bad := []struct {
		s     channels.Settings
		field string
	}{
		{channels.Settings{keyAddress: "não é endereço"}, keyAddress},
		{channels.Settings{keyAddress: "a@b.com", keyIMAPHost: "imap.b.com", keySMTPHost: "smtp.b.com"}, keyPassword},
		{channels.Settings{keyAddress: "a@b.com", keyPassword: "x", keyIMAPHost: "imap.b.com", keySMTPHost: "smtp.b.com", keyIMAPPort: "99999"}, keyIMAPPort},
		{channels.Settings{keyAddress: "a@b.com", keyPassword: "x", keySMTPHost: "smtp.b.com"}, keyIMAPHost},
		{channels.Settings{keyAddress: "a@b.com", keyAuth: AuthGoogle}, keyClientID},
		{channels.Settings{keyAddress: "a@b.com", keyPassword: "x", keyIMAPHost: "imap.b.com", keySMTPHost: "smtp.b.com", keySMTPTLS: "ssl3"}, keySMTPTLS},
	}
	for _, b := range bad {
		_, err := a.Validate(b.s)
		var fe *channels.FieldError
		if !errors.As(err, &fe) || fe.Field != "settings."+b.field {
			t.Errorf("%v: %v, want an error on %s", b.s, err, b.field)
		}
	}
}

// Servers that require STARTTLS: signing in and sending go through TLS
// with a trusted certificate; an untrusted one is named as the failure.
func TestSTARTTLS(t *testing.T) {
	srv, pool := mailtest.StartTLS(t, "suporte", "s3nha")
	ch := mailbox(t, srv, channels.Settings{keyIMAPTLS: TLSStart, keySMTPTLS: TLSStart})
	a := &Adapter{AllowPrivate: true, Timeout: 5 * time.Second, TLS: &tls.Config{RootCAs: pool}}
	for _, step := range []string{StepCheckIMAP, StepCheckSMTP} {
		if _, err := a.RunStep(t.Context(), channels.Env{}, ch, step); err != nil {
			t.Errorf("%s over STARTTLS: %v", step, err)
		}
	}
	if _, err := a.Send(t.Context(), channels.Outbound{MessageID: "tls1", Channel: ch, To: "cliente@x.com", Text: "oi", Subject: "Olá"}); err != nil {
		t.Errorf("send over STARTTLS: %v", err)
	}
	if len(srv.Sent()) != 1 {
		t.Errorf("SMTP received %d mails", len(srv.Sent()))
	}
	untrusting := &Adapter{AllowPrivate: true, Timeout: 5 * time.Second}
	_, err := untrusting.RunStep(t.Context(), channels.Env{}, ch, StepCheckIMAP)
	var perm *channels.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Reason, "certificate") {
		t.Errorf("an untrusted certificate: %v", err)
	}
	// Plain text where the server wants TLS first: login refused, named.
	plain := mailbox(t, srv, nil)
	if _, err := a.RunStep(t.Context(), channels.Env{}, plain, StepCheckIMAP); err == nil {
		t.Error("signing in without TLS on a server that requires it succeeded")
	}
}

// Microsoft 365: the tenant's endpoints, the IMAP and SMTP scopes with
// offline access, and the refresh token Microsoft rotates on each use
// stored with the new access token.
func TestOAuthMicrosoft(t *testing.T) {
	var paths []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		paths = append(paths, r.URL.Path+" "+r.Form.Get("grant_type")+" "+r.Form.Get("scope"))
		w.Header().Set("Content-Type", "application/json")
		switch r.Form.Get("grant_type") {
		case "authorization_code":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "eyJ.first", "expires_in": 3600, "refresh_token": "M.R3_first", "token_type": "Bearer"})
		default:
			if r.Form.Get("refresh_token") != "M.R3_first" {
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant", "error_description": "AADSTS70000"})
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "eyJ.second", "expires_in": 3600, "refresh_token": "M.R3_second", "token_type": "Bearer"})
		}
	}))
	defer tokens.Close()
	a := &Adapter{MicrosoftURL: tokens.URL}
	s, err := a.Validate(channels.Settings{keyAddress: "sac@contoso.com.br", keyAuth: AuthMicrosoft, keyClientID: "app-id", keyClientSecret: "x", keyTenant: "contoso.com.br"})
	if err != nil {
		t.Fatal(err)
	}
	ch := store.Channel{Settings: s.JSON()}
	u, err := a.AuthorizeURL(ch, channels.OAuthFlow{RedirectURI: "https://app/cb", State: "st"})
	if err != nil || !strings.HasPrefix(u, tokens.URL+"/contoso.com.br/oauth2/v2.0/authorize?") || !strings.Contains(u, "IMAP.AccessAsUser.All") || !strings.Contains(u, "offline_access") {
		t.Errorf("authorize URL %q %v", u, err)
	}
	set, err := a.Exchange(t.Context(), ch, channels.OAuthFlow{RedirectURI: "https://app/cb"}, "code")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		s[k] = v
	}
	ch.Settings = s.JSON()
	set, err = a.RefreshToken(t.Context(), ch)
	if err != nil || set.String(keyAccessToken) != "eyJ.second" || set.String(keyRefreshToken) != "M.R3_second" {
		t.Errorf("refresh: %v %v", set, err)
	}
	if len(paths) != 2 || !strings.HasPrefix(paths[0], "/contoso.com.br/oauth2/v2.0/token authorization_code offline_access") {
		t.Errorf("token calls %v", paths)
	}
}
