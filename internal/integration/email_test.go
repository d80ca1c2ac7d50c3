package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/email"
	"github.com/chatspot/chatspot/internal/channels/email/mailtest"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// customerMail is a mail from Joana to the support mailbox.
func customerMail(id, subject, body string, headers ...string) string {
	return "From: Joana Silva <joana@cliente.com.br>\nTo: suporte@loja.com.br\nSubject: " + subject + "\nMessage-ID: <" + id + ">\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\n" + strings.Join(headers, "\n") + "\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"
}

// A support mailbox over real IMAP and SMTP servers: mail arriving by
// IDLE opens a ticket with its file; bounces and auto-replies do not; the
// agent's reply reaches the SMTP server threaded and is saved to Sent;
// the customer's answer joins the ticket, a new subject opens another; a
// malformed mail is shown as far as it reads; a restart that lost the
// cursor's last save, and a UIDVALIDITY reset, take nothing twice and
// skip nothing.
func TestEmailEndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testEmail(t, dialect) })
	}
}

func testEmail(t *testing.T, dialect string) {
	srv := mailtest.Start(t, "suporte", "s3nha")
	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	s := newStackWith(t, db, stackOptions{Channels: kinds.Registry(kinds.Config{AllowPrivateURLs: true})})
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-mail@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	ih, ip, _ := net.SplitHostPort(srv.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(srv.SMTPAddr)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "email", "name": "SAC", "settings": map[string]any{
		"address": "suporte@loja.com.br", "from_name": "SAC Loja", "username": "suporte", "password": "s3nha",
		"imap_host": ih, "imap_port": ip, "imap_tls": "none", "smtp_host": sh, "smtp_port": sp, "smtp_tls": "none", "save_sent": "always"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	if strings.Contains(fmt.Sprint(ch), "s3nha") {
		t.Errorf("the password was echoed back: %v", ch)
	}
	channelID := ch["id"].(string)
	// A deactivation's cancel reaches the connection with its next
	// heartbeat (the SDK sends them at most every 24 s): a quick off and on
	// reconnects within a minute.
	waitStatus := func(want string) {
		t.Helper()
		eventually(t, time.Minute, func() error {
			_, got := admin.call(http.MethodGet, "/api/v1/channels/"+channelID, nil, nil)
			if got["status"] != want {
				d, err := s.tc.DescribeWorkflowExecution(t.Context(), workflows.ChannelConnectionWorkflowID(channelID), "")
				conn := fmt.Sprint(err)
				if err == nil {
					conn = d.WorkflowExecutionInfo.Status.String() + " run " + d.WorkflowExecutionInfo.Execution.RunId + fmt.Sprint(d.PendingActivities)
				}
				return fmt.Errorf("status %v (%v), activation %v, connection %s", got["status"], got["status_reason"], got["activation"], conn)
			}
			return nil
		})
	}
	waitStatus(store.ChannelConnected)
	logins := srv.Logins()

	// The first mail, with a PDF, then a bounce and an out-of-office reply.
	srv.Deliver(t, "INBOX", customerMail("first@cliente.com.br", "Pedido 1234 não chegou", "", "MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="b"`)+
		"\n--b\nContent-Type: text/plain; charset=utf-8\n\nMeu pedido não chegou.\n--b\nContent-Type: application/pdf; name=nf.pdf\n"+
		"Content-Disposition: attachment; filename=nf.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n")
	srv.Deliver(t, "INBOX", "From: MAILER-DAEMON@mx.loja.com.br\nTo: suporte@loja.com.br\nSubject: Undelivered Mail\nMessage-ID: <bounce1@mx>\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nfailed\n--r--\n")
	srv.Deliver(t, "INBOX", customerMail("ooo@cliente.com.br", "Ausente", "Estou de férias.", "Auto-Submitted: auto-replied"))
	var contact store.ContactIdentity
	eventually(t, 30*time.Second, func() error {
		return db.Where("channel_id = ? AND external_id = ?", channelID, "joana@cliente.com.br").Take(&contact).Error
	})
	first := waitConversation(t, db, workflows.ThreadWorkflowID(channelID, contact.ContactID, email.ThreadKey("first@cliente.com.br")), 1)
	eventually(t, 20*time.Second, func() error {
		var att []store.Attachment
		db.Where("message_id IN (SELECT id FROM messages WHERE conversation_id = ?)", first.ID).Find(&att)
		if len(att) != 1 || att[0].Name != "nf.pdf" || att[0].ContentType != "application/pdf" {
			return fmt.Errorf("attachments %+v", att)
		}
		return nil
	})
	_, msgs := admin.call(http.MethodGet, "/api/v1/contacts/"+contact.ContactID+"/messages", nil, nil)
	items, _ := msgs["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("contact's messages: %v", msgs)
	}
	if m := items[0].(map[string]any); m["subject"] != "Pedido 1234 não chegou" || m["body"] != "Meu pedido não chegou." {
		t.Errorf("message as agents see it: %v", m)
	}

	// The agent replies: the SMTP server receives it threaded.
	st, reply := admin.call(http.MethodPost, "/api/v1/conversations/"+first.ID+"/messages", map[string]any{"body": "Vamos verificar, Joana."},
		map[string]string{"Idempotency-Key": "mail-1"})
	if st != http.StatusCreated {
		t.Fatalf("reply: %d %v", st, reply)
	}
	ourID := email.MessageID(reply["id"].(string), "suporte@loja.com.br")
	eventually(t, 30*time.Second, func() error {
		var m store.Message
		db.Take(&m, "id = ?", reply["id"])
		if m.Status != store.MessageSent || m.ExternalID == nil || *m.ExternalID != ourID {
			return fmt.Errorf("reply %s %q %v", m.Status, m.FailureReason, m.ExternalID)
		}
		return nil
	})
	sent := srv.Sent()
	if len(sent) != 1 || strings.Join(sent[0].To, ",") != "joana@cliente.com.br" {
		t.Fatalf("SMTP received %+v", sent)
	}
	r, err := mail.CreateReader(bytes.NewReader(sent[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := r.Header.Subject()
	parents, _ := r.Header.MsgIDList("In-Reply-To")
	refs, _ := r.Header.MsgIDList("References")
	id, _ := r.Header.MessageID()
	if subject != "Re: Pedido 1234 não chegou" || strings.Join(parents, ",") != "first@cliente.com.br" || strings.Join(refs, ",") != "first@cliente.com.br" || id != ourID {
		t.Errorf("reply headers: subject %q in-reply-to %v references %v id %q", subject, parents, refs, id)
	}
	eventually(t, 10*time.Second, func() error {
		if n := len(srv.Folder(t, "Sent")); n != 1 {
			return fmt.Errorf("%d copies in Sent", n)
		}
		return nil
	})

	// Joana answers our reply: the same ticket. Then a new subject: a new
	// ticket. Then a malformed mail: stored as far as it reads.
	srv.Deliver(t, "INBOX", customerMail("second@cliente.com.br", "Re: Pedido 1234 não chegou", "Obrigada!\n\nEm seg., SAC Loja escreveu:\n> Vamos verificar, Joana.",
		"In-Reply-To: <"+ourID+">", "References: <first@cliente.com.br> <"+ourID+">"))
	waitConversation(t, db, first.WorkflowID, 2)
	srv.Deliver(t, "INBOX", customerMail("third@cliente.com.br", "Troca de tamanho", "Quero trocar o tamanho."))
	waitConversation(t, db, workflows.ThreadWorkflowID(channelID, contact.ContactID, email.ThreadKey("third@cliente.com.br")), 1)
	srv.Deliver(t, "INBOX", "From: joana@cliente.com.br\nSubject: quebrado\nMessage-ID: <broken@cliente.com.br>\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n"+
		"--zz\nContent-Type: text/plain\n\nparte legível\n--zz\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!")
	waitConversation(t, db, workflows.ThreadWorkflowID(channelID, contact.ContactID, email.ThreadKey("broken@cliente.com.br")), 1)
	countInbound := func() int64 {
		var n int64
		db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'inbound'", channelID).Count(&n)
		return n
	}
	if n := countInbound(); n != 4 {
		t.Errorf("%d inbound messages, want 4 (bounce and auto-reply are not tickets)", n)
	}

	// A crash after storing a batch but before the cursor's save: the
	// folder is read again from the older cursor and nothing is stored
	// twice; mail that arrived meanwhile is taken.
	setActive := func(active bool, want string) {
		t.Helper()
		if st, _ := admin.call(http.MethodPatch, "/api/v1/channels/"+channelID, map[string]any{"active": active}, nil); st != http.StatusOK {
			t.Fatalf("active %v: %d", active, st)
		}
		waitStatus(want)
	}
	setActive(false, store.ChannelInactive)
	var cur store.ChannelCursor
	if err := db.Take(&cur, "channel_id = ? AND name = ?", channelID, "imap:suporte@127.0.0.1/INBOX").Error; err != nil {
		t.Fatal(err)
	}
	rewound := strings.Replace(cur.Value, `"last_uid":`, `"last_uid":1,"was":`, 1)
	db.Model(&store.ChannelCursor{}).Where("channel_id = ? AND name = ?", channelID, "imap:suporte@127.0.0.1/INBOX").Update("value", rewound)
	srv.Deliver(t, "INBOX", customerMail("fourth@cliente.com.br", "Re: Troca de tamanho", "É o M.", "In-Reply-To: <third@cliente.com.br>"))
	setActive(true, store.ChannelConnected)
	eventually(t, 30*time.Second, func() error {
		if n := countInbound(); n != 5 {
			return fmt.Errorf("%d inbound messages, want 5", n)
		}
		return nil
	})

	// The server rebuilds INBOX (UIDVALIDITY changes, UIDs start over)
	// with the old mails and a new one: only the new one is taken.
	setActive(false, store.ChannelInactive)
	srv.Recreate(t, "INBOX")
	srv.Deliver(t, "INBOX", customerMail("first@cliente.com.br", "Pedido 1234 não chegou", "Meu pedido não chegou."))
	srv.Deliver(t, "INBOX", customerMail("third@cliente.com.br", "Troca de tamanho", "Quero trocar o tamanho."))
	srv.Deliver(t, "INBOX", customerMail("fifth@cliente.com.br", "Nota fiscal", "Preciso da nota."))
	setActive(true, store.ChannelConnected)
	waitConversation(t, db, workflows.ThreadWorkflowID(channelID, contact.ContactID, email.ThreadKey("fifth@cliente.com.br")), 1)
	if n := countInbound(); n != 6 {
		t.Errorf("%d inbound messages after the UIDVALIDITY reset, want 6", n)
	}
	var dup int64
	db.Model(&store.Message{}).Where("channel_id = ? AND external_id = ?", channelID, "first@cliente.com.br").Count(&dup)
	if dup != 1 {
		t.Errorf("the first mail is stored %d times", dup)
	}
	if srv.Logins() <= logins {
		t.Errorf("the connection never signed in again")
	}

	// Off for good: the connection workflow ends.
	setActive(false, store.ChannelInactive)
	eventually(t, time.Minute, func() error {
		d, err := s.tc.DescribeWorkflowExecution(t.Context(), workflows.ChannelConnectionWorkflowID(channelID), "")
		if err != nil {
			return err
		}
		if st := d.WorkflowExecutionInfo.Status; st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return fmt.Errorf("connection workflow still %s", st)
		}
		return nil
	})
	if dialect == "sqlite" {
		saveHistory(t, s.tc, workflows.ChannelConnectionWorkflowID(channelID), "", "channel-connection-email.json")
	}
}

// A Gmail mailbox connected by OAuth through the API: the consent
// screen's code is traded for tokens, XOAUTH2 signs in on IMAP, the
// token-refresh workflow renews the access token before it ends and the
// connection signs in again with the new one.
func TestEmailGmailOAuth(t *testing.T) {
	srv := mailtest.Start(t, "joao@gmail.com", "unused")
	var mu sync.Mutex
	var grants []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		grants = append(grants, r.Form.Get("grant_type"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Form.Get("client_secret") != "segredo":
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_client"})
		case r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code") == "4/c0de":
			// Due for renewal in a second (five minutes before its end).
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "ya29.first", "expires_in": 301, "refresh_token": "1//refresh", "token_type": "Bearer"})
		case r.Form.Get("grant_type") == "refresh_token" && r.Form.Get("refresh_token") == "1//refresh":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "ya29.second", "expires_in": 3599, "token_type": "Bearer"})
		default:
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant"})
		}
	}))
	defer tokens.Close()
	srv.AcceptToken("ya29.first")
	srv.AcceptToken("ya29.second")
	db := storetest.Open(t, "sqlite")
	_, f := seedAPIChannel(t, db)
	s := newStackWith(t, db, stackOptions{Channels: kinds.Registry(kinds.Config{AllowPrivateURLs: true,
		GoogleAuthURL: "https://accounts.google.example/o/oauth2/v2/auth", GoogleTokenURL: tokens.URL})})
	s.srv.BaseURL = s.url
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-gmail@example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	ih, ip, _ := net.SplitHostPort(srv.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(srv.SMTPAddr)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "email", "name": "Gmail", "settings": map[string]any{
		"address": "joao@gmail.com", "auth": "google", "oauth_client_id": "cid.apps.googleusercontent.com", "oauth_client_secret": "segredo",
		"imap_host": ih, "imap_port": ip, "imap_tls": "none", "smtp_host": sh, "smtp_port": sp, "smtp_tls": "none"}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	id := ch["id"].(string)
	channel := func() map[string]any {
		_, got := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
		return got
	}
	eventually(t, 30*time.Second, func() error {
		if got := channel(); got["status"] == store.ChannelConnected || !strings.Contains(fmt.Sprint(got["status_reason"]), "Connect") {
			return fmt.Errorf("before connecting: status %v (%v)", got["status"], got["status_reason"])
		}
		return nil
	})

	st, start := admin.call(http.MethodPost, "/api/v1/channels/"+id+"/oauth", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("oauth: %d %v", st, start)
	}
	consent, _ := url.Parse(start["url"].(string))
	q := consent.Query()
	if consent.Host != "accounts.google.example" || q.Get("scope") != email.GoogleScope || q.Get("access_type") != "offline" ||
		q.Get("redirect_uri") != s.url+"/oauth/callback" || q.Get("login_hint") != "joao@gmail.com" {
		t.Fatalf("consent screen %s", consent)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(s.url + "/oauth/callback?" + url.Values{"code": {"4/c0de"}, "state": {q.Get("state")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.Contains(loc, "oauth=connected") {
		t.Fatalf("callback: %d %s", res.StatusCode, loc)
	}
	eventually(t, time.Minute, func() error {
		if got := channel(); got["status"] != store.ChannelConnected {
			return fmt.Errorf("status %v (%v) activation %v", got["status"], got["status_reason"], got["activation"])
		}
		return nil
	})
	var row store.Channel
	db.Take(&row, "id = ?", id)
	if strings.Contains(row.Settings, "ya29.") || strings.Contains(row.Settings, "1//refresh") {
		t.Errorf("tokens stored in clear: %s", row.Settings)
	}
	// The refresh renews the token; the connection starts over with it.
	eventually(t, time.Minute, func() error {
		mu.Lock()
		defer mu.Unlock()
		if !slices.Contains(grants, "refresh_token") {
			return fmt.Errorf("grants %v", grants)
		}
		if tok := srv.LastToken(); tok != "ya29.second" {
			return fmt.Errorf("the connection signs in with %q, not the renewed token", tok)
		}
		return nil
	})
	srv.Deliver(t, "INBOX", "From: Cliente <cliente@exemplo.com.br>\nTo: joao@gmail.com\nSubject: Orçamento\nMessage-ID: <orc1@exemplo.com.br>\n\nQuanto custa?\n")
	eventually(t, 30*time.Second, func() error {
		var n int64
		db.Model(&store.Message{}).Where("channel_id = ? AND external_id = ?", id, "orc1@exemplo.com.br").Count(&n)
		if n != 1 {
			return fmt.Errorf("%d messages", n)
		}
		return nil
	})
}
