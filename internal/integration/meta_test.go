package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/channels/meta/metatest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

const (
	fbPageToken = "EAAG-page-token-integration"
	metaSecret  = "meta-app-secret-messenger-instagram"
)

// metaStack is the app with a Messenger or Instagram channel against a
// local Meta server.
type metaStack struct {
	*stack
	fake  *metatest.Server
	f     storetest.Fixture
	admin *agent
	id    string
	hook  string
}

func newMetaStack(t *testing.T, dialect string) *metaStack {
	t.Helper()
	fake := metatest.New("v25.0", fbPageToken)
	fake.AppSecret = metaSecret
	t.Cleanup(fake.Close)
	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	reg := kinds.Registry(kinds.Config{AllowPrivateURLs: true, MetaGraphURL: fake.URL, MetaGraphVersion: "v25.0",
		InstagramGraphURL: fake.URL, InstagramAPIURL: fake.URL})
	s := newStackWith(t, db, stackOptions{Channels: reg, PublicURL: "https://chatspot.example.com"})
	s.srv.BaseURL = s.url
	// Meta fetches CHATSPOT's file links from the public URL: here, the
	// test's server.
	fake.Fetch = &http.Client{Transport: rewriteHost{to: s.url}}
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "meta@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	return &metaStack{stack: s, fake: fake, f: f, admin: login(t, s.url, u.Email)}
}

// rewriteHost sends every request to one server (the app's public URL,
// as the internet would reach it).
type rewriteHost struct{ to string }

func (r rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	u, _ := url.Parse(r.to)
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = u.Scheme, u.Host
	return http.DefaultTransport.RoundTrip(req)
}

// create makes a channel of kind and waits for its activation.
func (m *metaStack) create(t *testing.T, kind string, settings map[string]any) {
	t.Helper()
	st, ch := m.admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": kind, "name": kind + " da loja", "settings": settings}, nil)
	if st != http.StatusCreated || strings.Contains(fmt.Sprint(ch), metaSecret) {
		t.Fatalf("create: %d %v", st, ch)
	}
	m.id = ch["id"].(string)
	m.hook = m.url + "/hooks/" + kind + "/" + m.id
}

func (m *metaStack) waitStatus(t *testing.T, status string) map[string]any {
	t.Helper()
	var ch map[string]any
	eventually(t, 20*time.Second, func() error {
		_, ch = m.admin.call(http.MethodGet, "/api/v1/channels/"+m.id, nil, nil)
		if ch["status"] != status {
			return fmt.Errorf("status %v %v %v", ch["status"], ch["status_reason"], ch["activation"])
		}
		return nil
	})
	return ch
}

// post delivers a webhook notification, signed with secret ("" unsigned).
func (m *metaStack) post(t *testing.T, object string, entry map[string]any, secret string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"object": object, "entry": []any{entry}})
	req, _ := http.NewRequest(http.MethodPost, m.hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(meta.HeaderSignature, meta.Sign(secret, body))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func messaging(owner string, events ...map[string]any) map[string]any {
	list := make([]any, len(events))
	for i, e := range events {
		list[i] = e
	}
	return map[string]any{"id": owner, "time": time.Now().UnixMilli(), "messaging": list}
}

func dm(from, to, mid, text string, at time.Time) map[string]any {
	return map[string]any{"sender": map[string]any{"id": from}, "recipient": map[string]any{"id": to}, "timestamp": at.UnixMilli(),
		"message": map[string]any{"mid": mid, "text": text}}
}

func (m *metaStack) send(t *testing.T, convID string, body map[string]any, key string) (int, map[string]any) {
	t.Helper()
	return m.admin.call(http.MethodPost, "/api/v1/conversations/"+convID+"/messages", body, map[string]string{"Idempotency-Key": key})
}

func (m *metaStack) waitSent(t *testing.T, msgID string) store.Message {
	t.Helper()
	var msg store.Message
	eventually(t, 20*time.Second, func() error {
		m.db.Take(&msg, "id = ?", msgID)
		if msg.Status != store.MessageSent || msg.ExternalID == nil {
			return fmt.Errorf("message %s %q", msg.Status, msg.FailureReason)
		}
		return nil
	})
	return msg
}

func (m *metaStack) contact(t *testing.T, externalID string) store.ContactIdentity {
	t.Helper()
	var ident store.ContactIdentity
	eventually(t, 15*time.Second, func() error {
		return m.db.Where("channel_id = ? AND external_id = ?", m.id, externalID).Take(&ident).Error
	})
	return ident
}

// Messenger against a local Graph API: activation checks the page and
// subscribes its fields; signed events only; a message delivered twice is
// stored once with the person's name; the agent's reply goes out as a
// RESPONSE carrying our id, whose echo is its receipt and not a new
// message; a message the page sent from Meta's inbox is the business's;
// watermarked deliveries and reads move it forward; files go up with the
// message; past 24 hours a send is refused, unless the channel has the
// human-agent tag, which then tags it; deactivation unsubscribes.
func TestMessengerEndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testMessenger(t, dialect) })
	}
}

func testMessenger(t *testing.T, dialect string) {
	m := newMetaStack(t, dialect)
	fake, db := m.fake, m.db
	page := fake.PageID
	m.create(t, "messenger", map[string]any{"page_id": page, "access_token": fbPageToken, "app_id": fake.AppID, "app_secret": metaSecret})
	ch := m.waitStatus(t, store.ChannelConnected)
	settings := ch["settings"].(map[string]any)
	if fields, _ := fake.Subscribed("page"); !strings.Contains(fields, "message_echoes") || !strings.Contains(fields, "message_reads") {
		t.Errorf("subscribed fields %q", fields)
	}
	if settings["page_name"] != "Loja da Ana" || settings["access_token"] != "********" {
		t.Errorf("settings %v", settings)
	}
	res, err := http.Get(m.hook + "?" + url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {settings["verify_token"].(string)}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("verification: %d", res.StatusCode)
	}

	fake.AddProfile("6001", map[string]string{"first_name": "Maria", "last_name": "Silva"})
	first := messaging(page, dm("6001", page, "m_in-1", "Oi! Ainda tem a bolsa?", time.Now()))
	if st := m.post(t, "page", first, ""); st != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", st)
	}
	if st := m.post(t, "page", first, "not-the-secret"); st != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d", st)
	}
	for range 2 {
		if st := m.post(t, "page", first, metaSecret); st != http.StatusOK {
			t.Fatalf("delivery: %d", st)
		}
	}
	ident := m.contact(t, "6001")
	conv := waitConversation(t, db, workflows.ConversationWorkflowID(m.id, ident.ContactID), 1)
	var contact store.Contact
	db.Take(&contact, "id = ?", ident.ContactID)
	if contact.Name != "Maria Silva" {
		t.Errorf("contact %+v", contact)
	}

	st, msg := m.send(t, conv.ID, map[string]any{"body": "Tem sim, Maria!"}, "fb-1")
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, msg)
	}
	sent := m.waitSent(t, msg["id"].(string))
	out := fake.Sent()
	if len(out) != 1 || out[0].Path != page+"/messages" || out[0].Type != "RESPONSE" || out[0].Recipient["id"] != "6001" ||
		out[0].Message["text"] != "Tem sim, Maria!" || out[0].Message["metadata"] != meta.EchoMetadata+sent.ID || *sent.ExternalID != out[0].ID {
		t.Fatalf("sent %+v, stored %v", out, *sent.ExternalID)
	}

	// Our message's echo, and one the page sent from Meta's inbox.
	echo := func(mid, text, metadata, appID string) map[string]any {
		return map[string]any{"sender": map[string]any{"id": page}, "recipient": map[string]any{"id": "6001"}, "timestamp": time.Now().UnixMilli(),
			"message": map[string]any{"is_echo": true, "mid": mid, "text": text, "metadata": metadata, "app_id": json.Number(appID)}}
	}
	m.post(t, "page", messaging(page, echo(out[0].ID, "Tem sim, Maria!", meta.EchoMetadata+sent.ID, fake.AppID),
		echo("m_inbox-1", "Enviamos hoje.", "", "263902037430900")), metaSecret)
	eventually(t, 10*time.Second, func() error {
		var outbound []store.Message
		db.Where("conversation_id = ? AND direction = ?", conv.ID, store.DirectionOutbound).Order("created_at").Find(&outbound)
		if len(outbound) != 2 || outbound[1].Body != "Enviamos hoje." || outbound[1].Status != store.MessageSent {
			return fmt.Errorf("outbound messages %+v", outbound)
		}
		return nil
	})

	// Deliveries and reads come as watermarks.
	receipt := func(kind string) map[string]any {
		return map[string]any{"sender": map[string]any{"id": "6001"}, "recipient": map[string]any{"id": page}, "timestamp": time.Now().UnixMilli(),
			kind: map[string]any{"watermark": time.Now().Add(time.Second).UnixMilli()}}
	}
	m.post(t, "page", messaging(page, receipt("read")), metaSecret)
	m.post(t, "page", messaging(page, receipt("delivery")), metaSecret)
	eventually(t, 10*time.Second, func() error {
		db.Take(&sent, "id = ?", sent.ID)
		if sent.Status != store.MessageRead {
			return fmt.Errorf("status %s", sent.Status)
		}
		return nil
	})

	// A file goes up with its message.
	hdr := map[string]string{"X-CSRF-Token": m.admin.csrf}
	st, file := upload(t, m.admin.http, m.url+"/api/v1/attachments", hdr, "bolsa.png", pngBytes)
	if st != http.StatusCreated {
		t.Fatalf("upload: %d %v", st, file)
	}
	st, msg = m.send(t, conv.ID, map[string]any{"body": "", "attachment_ids": []string{file["id"].(string)}}, "fb-file")
	if st != http.StatusCreated {
		t.Fatalf("send a file: %d %v", st, msg)
	}
	m.waitSent(t, msg["id"].(string))
	if out = fake.Sent(); len(out) != 2 || !bytes.Equal(out[1].File, pngBytes) || out[1].Message["attachment"].(map[string]any)["type"] != "image" {
		t.Fatalf("file message %+v", out[len(out)-1])
	}

	// A customer who wrote three days ago: the window has closed.
	old := time.Now().Add(-72 * time.Hour)
	m.post(t, "page", messaging(page, dm("6002", page, "m_old-1", "Vocês entregam?", old)), metaSecret)
	late := m.contact(t, "6002")
	lateConv := waitConversation(t, db, workflows.ConversationWorkflowID(m.id, late.ContactID), 1)
	if st, body := m.send(t, lateConv.ID, map[string]any{"body": "Entregamos!"}, "fb-late"); st < 400 || !strings.Contains(fmt.Sprint(body), "window closed") {
		t.Errorf("send past 24 hours: %d %v", st, body)
	}

	// With Meta's human-agent tag on, a human may answer for 7 days.
	if st, body := m.admin.call(http.MethodPatch, "/api/v1/channels/"+m.id, map[string]any{"settings": map[string]any{"human_agent_tag": true}}, nil); st != http.StatusOK {
		t.Fatalf("enable the tag: %d %v", st, body)
	}
	m.waitStatus(t, store.ChannelConnected)
	m.post(t, "page", messaging(page, dm("6003", page, "m_old-2", "Qual o prazo?", old)), metaSecret)
	tagged := m.contact(t, "6003")
	taggedConv := waitConversation(t, db, workflows.ConversationWorkflowID(m.id, tagged.ContactID), 1)
	st, msg = m.send(t, taggedConv.ID, map[string]any{"body": "Cinco dias úteis."}, "fb-tag")
	if st != http.StatusCreated {
		t.Fatalf("tagged send: %d %v", st, msg)
	}
	m.waitSent(t, msg["id"].(string))
	if out = fake.Sent(); out[len(out)-1].Type != "MESSAGE_TAG" || out[len(out)-1].Tag != "HUMAN_AGENT" {
		t.Errorf("tagged message %+v", out[len(out)-1])
	}

	// A revoked page token fails the send and asks for reconnecting.
	fake.AllowToken(fbPageToken, false)
	st, msg = m.send(t, conv.ID, map[string]any{"body": "Mais alguma dúvida?"}, "fb-revoked")
	if st != http.StatusCreated {
		t.Fatalf("send: %d %v", st, msg)
	}
	eventually(t, 20*time.Second, func() error {
		var failed store.Message
		db.Take(&failed, "id = ?", msg["id"])
		if failed.Status != store.MessageFailed || !strings.Contains(failed.FailureReason, "reconnect") {
			return fmt.Errorf("message %s %q", failed.Status, failed.FailureReason)
		}
		return nil
	})
	m.waitStatus(t, store.ChannelNeedsReauth)
	fake.AllowToken(fbPageToken, true)

	if st, _ := m.admin.call(http.MethodPatch, "/api/v1/channels/"+m.id, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	eventually(t, 20*time.Second, func() error {
		if fields, ok := fake.Subscribed("page"); !ok || fields != "" {
			return fmt.Errorf("still subscribed: %q", fields)
		}
		return nil
	})
}
