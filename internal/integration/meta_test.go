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

func igComment(owner, commentID, from, username, mediaID, text, parent string) map[string]any {
	v := map[string]any{"id": commentID, "text": text, "from": map[string]any{"id": from, "username": username},
		"media": map[string]any{"id": mediaID, "media_product_type": "FEED"}}
	if parent != "" {
		v["parent_id"] = parent
	}
	return map[string]any{"id": owner, "time": time.Now().Unix(), "changes": []any{map[string]any{"field": "comments", "value": v}}}
}

// Instagram against a local Instagram Graph API: the manager connects by
// Instagram Login (code to short-lived to long-lived token, stored sealed,
// activation follows and subscribes the account); a DM with a story
// mention comes in with its file; a comment opens a conversation of its
// post, marked as a comment, with the post described; the agent answers
// the latest comment publicly, then privately (one DM to the commenter);
// a DM's file goes by a signed link Instagram fetches; comments are hidden
// and deleted at Instagram; our own public replies echoed as comments are
// not taken as the customer's.
func TestInstagramEndToEnd(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testInstagram(t, dialect) })
	}
}

func testInstagram(t *testing.T, dialect string) {
	m := newMetaStack(t, dialect)
	fake, db := m.fake, m.db
	m.create(t, "instagram", map[string]any{"app_id": fake.AppID, "app_secret": metaSecret})
	m.waitStatus(t, store.ChannelDisconnected) // no token yet: connect first

	// Connect with Instagram.
	st, start := m.admin.call(http.MethodPost, "/api/v1/channels/"+m.id+"/oauth", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("oauth: %d %v", st, start)
	}
	consent, _ := url.Parse(start["url"].(string))
	q := consent.Query()
	if consent.Host != "www.instagram.com" || q.Get("client_id") != fake.AppID || q.Get("redirect_uri") != m.url+"/oauth/callback" ||
		!strings.Contains(q.Get("scope"), "instagram_business_manage_comments") {
		t.Fatalf("consent screen %s", consent)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	callback := func(query url.Values) (int, string) {
		res, err := noRedirect.Get(m.url + "/oauth/callback?" + query.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Location")
	}
	if st, _ := callback(url.Values{"code": {"x"}, "state": {q.Get("state") + "tampered"}}); st != http.StatusBadRequest {
		t.Errorf("tampered state: %d", st)
	}
	if st, loc := callback(url.Values{"code": {"unknown-code"}, "state": {q.Get("state")}}); st != http.StatusFound || !strings.Contains(loc, "oauth_error=") {
		t.Errorf("a used code: %d %s", st, loc)
	}
	fake.AddCode("code-1#_", "IGAA-short-1")
	st, loc := callback(url.Values{"code": {"code-1#_"}, "state": {q.Get("state")}})
	want := "/admin/channels?" + url.Values{"channel": {m.id}, "oauth": {"connected"}}.Encode()
	if st != http.StatusFound || loc != want {
		t.Fatalf("callback: %d %s", st, loc)
	}
	ch := m.waitStatus(t, store.ChannelConnected)
	settings := ch["settings"].(map[string]any)
	var row store.Channel
	db.Take(&row, "id = ?", m.id)
	if settings["username"] != "lojadaana" || settings["ig_user_id"] != fake.IGUserID || settings["access_token"] != "********" ||
		strings.Contains(row.Settings, "IGAA-long") || settings["token_expires_at"] == nil {
		t.Fatalf("settings after connecting %v / stored %s", settings, row.Settings)
	}
	if fields, _ := fake.Subscribed("me"); !strings.Contains(fields, "comments") || !strings.Contains(fields, "messaging_seen") {
		t.Errorf("subscribed %q", fields)
	}
	saveHistory(t, m.tc, workflows.ChannelOAuthWorkflowID(m.id), "", "channel-oauth.json")
	saveHistory(t, m.tc, workflows.ChannelActivationWorkflowID(m.id), "", "channel-activation-token-refresh.json")

	// A rule answers price questions in comments privately (created before
	// any message: a new rule applies within seconds).
	rule := map[string]any{"kind": "automation", "name": "Preço no Direct", "event": "message.created",
		"condition": `message.comment and message.text contains "preço"`,
		"actions":   []map[string]any{{"type": "send_message", "text": "Oi! Te mandei os preços no Direct."}}}
	if st, r := m.admin.call(http.MethodPost, "/api/v1/rules", rule, nil); st != http.StatusCreated {
		t.Fatalf("rule: %d %v", st, r)
	}
	own := fake.IGUserID
	// A DM mentioning the account in a story.
	fake.AddProfile("7001", map[string]string{"name": "Bia Costa", "username": "biacosta"})
	story := map[string]any{"sender": map[string]any{"id": "7001"}, "recipient": map[string]any{"id": own}, "timestamp": time.Now().UnixMilli(),
		"message": map[string]any{"mid": "aWdfZAG1-story", "attachments": []any{map[string]any{"type": "story_mention",
			"payload": map[string]any{"url": m.url + "/healthz"}}}}}
	if st := m.post(t, "instagram", messaging(own, story), metaSecret); st != http.StatusOK {
		t.Fatalf("story mention: %d", st)
	}
	bia := m.contact(t, "7001")
	dmConv := waitConversation(t, db, workflows.ConversationWorkflowID(m.id, bia.ContactID), 1)
	var contact store.Contact
	db.Take(&contact, "id = ?", bia.ContactID)
	var storyMsg store.Message
	db.Where("conversation_id = ?", dmConv.ID).Take(&storyMsg)
	if contact.Name != "Bia Costa (@biacosta)" || !strings.Contains(storyMsg.Body, "story") || storyMsg.Kind != store.KindText {
		t.Errorf("contact %q, story message %+v", contact.Name, storyMsg)
	}

	// Bia comments on a post, twice: one conversation of that post.
	fake.AddMedia("17890000000000001", map[string]string{"caption": "Coleção de verão ☀️", "media_type": "IMAGE",
		"media_url": "https://scontent.cdninstagram.com/v/verao.jpg", "permalink": "https://www.instagram.com/p/Cverao/"})
	m.post(t, "instagram", igComment(own, "17850000000000001", "7001", "biacosta", "17890000000000001", "Qual o preço?", ""), metaSecret)
	eventually(t, 20*time.Second, func() error {
		if out := fake.Sent(); len(out) != 1 || out[0].Recipient["comment_id"] != "17850000000000001" || out[0].Message["text"] != "Oi! Te mandei os preços no Direct." {
			return fmt.Errorf("the rule's private reply: %+v", out)
		}
		return nil
	})
	m.post(t, "instagram", igComment(own, "17850000000000002", "7001", "biacosta", "17890000000000001", "Tem no P?", ""), metaSecret)
	postConv := waitConversation(t, db, workflows.ThreadWorkflowID(m.id, bia.ContactID, "post:17890000000000001"), 2)
	var comments []store.Message
	db.Where("conversation_id = ? AND direction = ?", postConv.ID, store.DirectionInbound).Order("created_at").Find(&comments)
	if len(comments) != 2 || comments[0].Kind != store.KindComment || postConv.ID == dmConv.ID {
		t.Fatalf("comments %+v", comments)
	}
	_, view := m.admin.call(http.MethodGet, "/api/v1/conversations/"+postConv.ID, nil, nil)
	if thread, _ := view["thread"].(map[string]any); thread["kind"] != "post" {
		t.Errorf("conversation's thread %v", view["thread"])
	}
	st, thread := m.admin.call(http.MethodGet, "/api/v1/conversations/"+postConv.ID+"/thread", nil, nil)
	if st != http.StatusOK || thread["caption"] != "Coleção de verão ☀️" || thread["link"] != "https://www.instagram.com/p/Cverao/" || thread["kind"] != "post" {
		t.Errorf("thread: %d %v", st, thread)
	}

	// A public reply answers the latest comment.
	st, msg := m.send(t, postConv.ID, map[string]any{"body": "Temos do P ao GG!", "kind": "comment"}, "ig-public")
	if st != http.StatusCreated {
		t.Fatalf("public reply: %d %v", st, msg)
	}
	public := m.waitSent(t, msg["id"].(string))
	replies := fake.Replies()
	if len(replies) != 1 || replies[0].CommentID != "17850000000000002" || replies[0].Message != "Temos do P ao GG!" || *public.ExternalID != replies[0].ID || public.Kind != store.KindComment {
		t.Fatalf("replies %+v, message %+v", replies, public)
	}
	// Instagram tells us of our own reply as a comment: not the customer's.
	m.post(t, "instagram", igComment(own, replies[0].ID, own, "lojadaana", "17890000000000001", "Temos do P ao GG!", "17850000000000002"), metaSecret)
	if st, body := m.send(t, postConv.ID, map[string]any{"body": "x", "kind": "comment", "attachment_ids": []string{"a"}}, "ig-bad"); st != http.StatusUnprocessableEntity {
		t.Errorf("a public reply with a file: %d %v", st, body)
	}
	if st, body := m.send(t, dmConv.ID, map[string]any{"body": "x", "kind": "comment"}, "ig-bad-2"); st != http.StatusUnprocessableEntity {
		t.Errorf("a public reply in a DM conversation: %d %v", st, body)
	}

	// A private reply to the first comment: a DM to the commenter.
	st, msg = m.send(t, postConv.ID, map[string]any{"body": "Te mandei os preços por Direct 😉", "reply_to_id": comments[0].ID}, "ig-private")
	if st != http.StatusCreated {
		t.Fatalf("private reply: %d %v", st, msg)
	}
	m.waitSent(t, msg["id"].(string))
	out := fake.Sent()
	if len(out) != 2 || out[1].Path != "me/messages" || out[1].Recipient["comment_id"] != "17850000000000001" || out[1].Type != "" {
		t.Fatalf("private reply sent as %+v", out)
	}

	// A DM with a file: Instagram fetches it from a signed link.
	hdr := map[string]string{"X-CSRF-Token": m.admin.csrf}
	st, file := upload(t, m.admin.http, m.url+"/api/v1/attachments", hdr, "tabela.png", pngBytes)
	if st != http.StatusCreated {
		t.Fatalf("upload: %d", st)
	}
	st, msg = m.send(t, dmConv.ID, map[string]any{"body": "Segue a tabela", "attachment_ids": []string{file["id"].(string)}}, "ig-file")
	if st != http.StatusCreated {
		t.Fatalf("send a file: %d %v", st, msg)
	}
	m.waitSent(t, msg["id"].(string))
	out = fake.Sent()
	last := out[len(out)-1]
	link, _ := last.Message["attachment"].(map[string]any)["payload"].(map[string]any)["url"].(string)
	if len(out) != 4 || out[2].Message["text"] != "Segue a tabela" || !bytes.Equal(last.File, pngBytes) || !strings.HasPrefix(link, "https://chatspot.example.com/hooks/files/") {
		t.Fatalf("DM with a file: %+v", out)
	}
	if res, err := http.Get(m.url + strings.TrimPrefix(link, "https://chatspot.example.com") + "0"); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("a link with a wrong signature: %v %v", res.StatusCode, err)
	}

	// An echo that arrives before our send's answer was stored is matched to
	// the queued message (Instagram's echoes carry no id of ours), not
	// stored as another business message.
	queued := store.Message{ID: store.NewID(), AccountID: m.f.Account.ID, ChannelID: m.id, ContactID: bia.ContactID, ConversationID: &dmConv.ID,
		Direction: store.DirectionOutbound, Kind: store.KindText, Body: "Chegou sim!", Status: store.MessageQueued}
	db.Create(&queued)
	echo := map[string]any{"sender": map[string]any{"id": own}, "recipient": map[string]any{"id": "7001"}, "timestamp": time.Now().UnixMilli(),
		"message": map[string]any{"mid": "aWdfZAG1-echo-early", "text": "Chegou sim!", "is_echo": true}}
	if st := m.post(t, "instagram", messaging(own, echo), metaSecret); st != http.StatusOK {
		t.Fatalf("echo: %d", st)
	}
	db.Take(&queued, "id = ?", queued.ID)
	var echoes int64
	db.Model(&store.Message{}).Where("conversation_id = ? AND body = ?", dmConv.ID, "Chegou sim!").Count(&echoes)
	if queued.ExternalID == nil || *queued.ExternalID != "aWdfZAG1-echo-early" || echoes != 1 {
		t.Errorf("early echo: queued message's id %v, %d messages with its text", queued.ExternalID, echoes)
	}

	// Hide, show and delete comments at Instagram.
	path := "/api/v1/messages/" + comments[0].ID
	if st, body := m.admin.call(http.MethodPost, path+"/hide", map[string]any{"hidden": true}, nil); st != http.StatusOK || body["hidden_at"] == nil || !fake.Hidden("17850000000000001") {
		t.Fatalf("hide: %d %v", st, body)
	}
	saveHistory(t, m.tc, workflows.ModerationWorkflowID(comments[0].ID), "", "moderate-comment.json")
	if st, body := m.admin.call(http.MethodPost, path+"/hide", map[string]any{"hidden": false}, nil); st != http.StatusOK || body["hidden_at"] != nil || fake.Hidden("17850000000000001") {
		t.Errorf("show: %d %v", st, body)
	}
	fake.FailNext(metatest.Error{Code: 100, Subcode: 33, Message: "Unsupported delete request"})
	if st, body := m.admin.call(http.MethodDelete, "/api/v1/messages/"+comments[1].ID, nil, nil); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "Unsupported delete") {
		t.Errorf("a refused delete: %d %v", st, body)
	}
	if st, body := m.admin.call(http.MethodDelete, "/api/v1/messages/"+comments[1].ID, nil, nil); st != http.StatusOK || body["revoked_at"] == nil {
		t.Errorf("delete: %d %v", st, body)
	}
	if d := fake.Deleted(); len(d) != 1 || d[0] != "17850000000000002" {
		t.Errorf("deleted %v", d)
	}
	if st, _ := m.admin.call(http.MethodPost, "/api/v1/messages/"+storyMsg.ID+"/hide", map[string]any{"hidden": true}, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("hiding a DM: %d", st)
	}
	var n int64
	db.Model(&store.Message{}).Where("conversation_id = ? AND direction = ?", postConv.ID, store.DirectionInbound).Count(&n)
	if n != 2 {
		t.Errorf("%d customer comments, want 2 (our own reply is not one)", n)
	}
}

// Connecting Messenger with Facebook Login: the consent screen of the
// channel's app; the code traded for the person's token, made long-lived,
// and the token of their page stored; activation follows and subscribes
// the page.
func TestMessengerFacebookLogin(t *testing.T) {
	m := newMetaStack(t, "sqlite")
	fake := m.fake
	fake.SetPageToken(fbPageToken)
	m.create(t, "messenger", map[string]any{"app_id": fake.AppID, "app_secret": metaSecret})
	m.waitStatus(t, store.ChannelDisconnected)
	st, start := m.admin.call(http.MethodPost, "/api/v1/channels/"+m.id+"/oauth", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("oauth: %d %v", st, start)
	}
	consent, _ := url.Parse(start["url"].(string))
	q := consent.Query()
	if consent.Host != "www.facebook.com" || consent.Path != "/v25.0/dialog/oauth" || q.Get("client_id") != fake.AppID || !strings.Contains(q.Get("scope"), "pages_messaging") {
		t.Fatalf("consent screen %s", consent)
	}
	fake.AddCode("fb-code-1", "EAAG-user-short")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(m.url + "/oauth/callback?" + url.Values{"code": {"fb-code-1"}, "state": {q.Get("state")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.Contains(loc, "oauth=connected") {
		t.Fatalf("callback: %d %s", res.StatusCode, loc)
	}
	ch := m.waitStatus(t, store.ChannelConnected)
	if s := ch["settings"].(map[string]any); s["page_id"] != fake.PageID || s["page_name"] != "Loja da Ana" || s["access_token"] != "********" {
		t.Errorf("settings %v", s)
	}
	if fields, _ := fake.Subscribed("page"); !strings.Contains(fields, "messages") {
		t.Errorf("subscribed %q", fields)
	}
	// The manager declines on Facebook's screen: told so on the channel.
	res, err = noRedirect.Get(m.url + "/oauth/callback?" + url.Values{"error": {"access_denied"}, "error_description": {"Permissions error"}, "state": {q.Get("state")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "oauth_error=") || !strings.Contains(loc, "Permissions+error") {
		t.Errorf("declined: %s", loc)
	}
}
