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
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/mercadolivre"
	"github.com/chatspot/chatspot/internal/channels/mercadolivre/mltest"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// A Mercado Livre seller connected by OAuth with PKCE: a notified question
// (notified twice) opens one conversation threaded by its listing, with
// the listing's title and price; the agent's answer is posted once and its
// notification is not taken as new; a question answered on Mercado
// Livre's site shows the answer; a banned question is marked; a question
// whose notification was missed is recovered from the missed feeds.
func TestMercadoLivreQuestions(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testMercadoLivre(t, dialect) })
	}
}

func testMercadoLivre(t *testing.T, dialect string) {
	ml := mltest.New("4459087200151032", "ml-secret", 700100, "LOJA_DA_ANA")
	defer ml.Close()
	ml.AddItem("MLB123456789", "Vestido floral midi", 1249.9)
	ml.AddUser(900001, "COMPRADORA_BIA")
	db := storetest.Open(t, dialect)
	_, f := seedAPIChannel(t, db)
	reg := channels.NewRegistry(&mercadolivre.Adapter{APIURL: ml.URL, AuthURL: "https://auth.mercadolivre.example/authorization", PollInterval: 300 * time.Millisecond})
	s := newStackWith(t, db, stackOptions{Channels: reg})
	s.srv.BaseURL = s.url
	u, err := auth.CreateUser(t.Context(), db, f.Account.ID, auth.NewUser{Email: "admin-ml@" + dialect + ".example.com", Name: "Ana",
		Password: "correct-horse-42", ProfileID: f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s.url, u.Email)
	st, ch := admin.call(http.MethodPost, "/api/v1/channels", map[string]any{"kind": "mercadolivre", "name": "Loja no ML",
		"settings": map[string]any{"app_id": ml.AppID, "app_secret": ml.Secret}}, nil)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, ch)
	}
	id := ch["id"].(string)
	channel := func() map[string]any {
		_, got := admin.call(http.MethodGet, "/api/v1/channels/"+id, nil, nil)
		return got
	}

	// Connect: the consent screen gets a S256 challenge; the code is traded
	// with its verifier.
	st, start := admin.call(http.MethodPost, "/api/v1/channels/"+id+"/oauth", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("oauth: %d %v", st, start)
	}
	consent, _ := url.Parse(start["url"].(string))
	q := consent.Query()
	if consent.Host != "auth.mercadolivre.example" || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("client_id") != ml.AppID {
		t.Fatalf("consent screen %s", consent)
	}
	ml.AddCode("TG-consent-1", q.Get("code_challenge"))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(s.url + "/oauth/callback?" + url.Values{"code": {"TG-consent-1"}, "state": {q.Get("state")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.Contains(loc, "oauth=connected") {
		t.Fatalf("callback: %d %s", res.StatusCode, loc)
	}
	eventually(t, 30*time.Second, func() error {
		if got := channel(); got["status"] != store.ChannelConnected {
			return fmt.Errorf("status %v (%v) activation %v", got["status"], got["status_reason"], got["activation"])
		}
		return nil
	})
	if settings := channel()["settings"].(map[string]any); settings["nickname"] != "LOJA_DA_ANA" || settings["user_id"] != "700100" {
		t.Errorf("settings %v", settings)
	}

	notify := func(body []byte) {
		t.Helper()
		res, err := http.Post(s.url+"/hooks/mercadolivre/"+id, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("notification answered %d", res.StatusCode)
		}
	}
	// A question, notified twice (Mercado Livre retries).
	n := ml.Ask(5001, "MLB123456789", 900001, "Tem no tamanho M?")
	notify(n)
	notify(n)
	var buyer store.ContactIdentity
	eventually(t, 30*time.Second, func() error {
		return db.Where("channel_id = ? AND external_id = ?", id, "900001").Take(&buyer).Error
	})
	conv := waitConversation(t, db, workflows.ThreadWorkflowID(id, buyer.ContactID, "item:MLB123456789"), 1)
	var contact store.Contact
	db.Take(&contact, "id = ?", buyer.ContactID)
	if contact.Name != "COMPRADORA_BIA" {
		t.Errorf("buyer named %q", contact.Name)
	}
	_, thread := admin.call(http.MethodGet, "/api/v1/conversations/"+conv.ID+"/thread", nil, nil)
	if thread["kind"] != "listing" || thread["title"] != "Vestido floral midi" || thread["caption"] != "R$ 1.249,90" ||
		thread["link"] != "https://produto.mercadolivre.com.br/MLB123456789" {
		t.Errorf("listing %v", thread)
	}

	// The agent answers; too long is refused before Mercado Livre sees it.
	if st, _ := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": strings.Repeat("a", 2001)}, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("an answer over 2000 characters: %d", st)
	}
	st, answer := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "Temos sim! Pode comprar."},
		map[string]string{"Idempotency-Key": "ml-1"})
	if st != http.StatusCreated {
		t.Fatalf("answer: %d %v", st, answer)
	}
	eventually(t, 30*time.Second, func() error {
		var m store.Message
		db.Take(&m, "id = ?", answer["id"])
		if m.Status != store.MessageSent || m.ExternalID == nil || *m.ExternalID != "answer:5001" {
			return fmt.Errorf("answer %s %q %v", m.Status, m.FailureReason, m.ExternalID)
		}
		return nil
	})
	if got := ml.Answers(); len(got) != 1 || got[0].QuestionID != 5001 || got[0].Text != "Temos sim! Pode comprar." {
		t.Errorf("Mercado Livre received %+v", got)
	}
	notify(ml.Notification(5001)) // the answer's own notification

	// Answered on Mercado Livre's site; then a banned question.
	ml.Ask(5002, "MLB123456789", 900001, "Entrega em Campinas?")
	ml.AnswerElsewhere(5002, "Entregamos sim, em 2 dias.")
	notify(ml.Notification(5002))
	notify(ml.Ask(5003, "MLB123456789", 900001, "me chama no zap 11 99999-0000"))
	waitConversation(t, db, conv.WorkflowID, 3)
	ml.SetStatus(5003, "BANNED")
	notify(ml.Notification(5003))
	eventually(t, 30*time.Second, func() error {
		var m store.Message
		db.Take(&m, "channel_id = ? AND external_id = ?", id, "5003")
		if m.RevokedAt == nil {
			return fmt.Errorf("the banned question is not marked")
		}
		var elsewhere store.Message
		if err := db.Take(&elsewhere, "channel_id = ? AND external_id = ?", id, "answer:5002").Error; err != nil {
			return err
		}
		if elsewhere.Direction != store.DirectionOutbound || elsewhere.Body != "Entregamos sim, em 2 dias." || elsewhere.Status != store.MessageSent {
			return fmt.Errorf("answer given elsewhere: %+v", elsewhere)
		}
		return nil
	})

	// A notification Mercado Livre gave up on: recovered from missed feeds.
	ml.Ask(5004, "MLB987654321", 900001, "Aceita troca?")
	ml.AnswerElsewhere(5004, "Aceitamos em 30 dias.") // answered, so only the missed feed brings it
	ml.Miss(5004)
	waitConversation(t, db, workflows.ThreadWorkflowID(id, buyer.ContactID, "item:MLB987654321"), 1)

	// Two questions waiting: each answer without a chosen question goes to
	// the latest one not answered yet.
	notify(ml.Ask(5005, "MLB123456789", 900001, "Qual o comprimento?"))
	notify(ml.Ask(5006, "MLB123456789", 900001, "E a cor bege?"))
	waitConversation(t, db, conv.WorkflowID, 5)
	for i, body := range []string{"Temos bege.", "Tem 110 cm."} {
		want := len(ml.Answers()) + 1
		if st, _ := admin.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": body},
			map[string]string{"Idempotency-Key": fmt.Sprint("ml-next-", i)}); st != http.StatusCreated {
			t.Fatalf("answer %d: %d", i, st)
		}
		eventually(t, 30*time.Second, func() error {
			if n := len(ml.Answers()); n != want {
				return fmt.Errorf("%d answers", n)
			}
			return nil
		})
	}
	if got := ml.Answers(); got[1].QuestionID != 5006 || got[2].QuestionID != 5005 {
		t.Errorf("answers went to %+v", got)
	}

	var outbound int64
	db.Model(&store.Message{}).Where("channel_id = ? AND external_id = ?", id, "answer:5001").Count(&outbound)
	if outbound != 1 {
		t.Errorf("our answer is stored %d times", outbound)
	}
	var questions int64
	db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'inbound'", id).Count(&questions)
	if questions != 6 {
		t.Errorf("%d questions stored, want 6", questions)
	}
	if dialect == "sqlite" {
		saveHistory(t, s.tc, workflows.ResourceFetchWorkflowID(id, "ml-"+noteID(n)), "", "resource-fetch.json")
	}
}

// noteID is a notification's _id.
func noteID(n []byte) string {
	var v struct {
		ID string `json:"_id"`
	}
	_ = json.Unmarshal(n, &v)
	return v.ID
}
