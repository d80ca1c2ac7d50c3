package mercadolivre

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/mercadolivre/mltest"
	"github.com/chatspot/chatspot/internal/store"
)

// Mercado Livre's documented example of a question search (api_version=4)
// reads into questions: an answered one whose answer was banned (no text:
// nothing shown as the business's), and a banned one (marked removed).
func TestDocumentedQuestions(t *testing.T) {
	raw, err := os.ReadFile("testdata/questions_search.json")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Questions []question `json:"questions"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	a := &Adapter{names: map[string]string{"162981404": "COMPRADOR"}}
	ch := store.Channel{ID: "ch1"}
	b := a.questionBatch(context.Background(), ch, "tok", page.Questions[0])
	if len(b.Messages) != 1 {
		t.Fatalf("answered question with a banned answer: %+v", b.Messages)
	}
	in := b.Messages[0]
	if in.ExternalID != "11764931832" || in.ThreadKey != "item:MLA903218023" || in.Contact.ExternalID != "162981404" ||
		in.Contact.Name != "COMPRADOR" || in.Text != "Texto de la pregunta." || in.At.IsZero() || in.Revoke {
		t.Errorf("question %+v", in)
	}
	if b := a.questionBatch(context.Background(), ch, "tok", page.Questions[1]); len(b.Messages) != 1 || !b.Messages[0].Revoke {
		t.Errorf("banned question %+v", b.Messages)
	}
}

// A notification is answered without calling Mercado Livre: it names the
// question to fetch; another seller's, another app's and other topics are
// dropped; garbage is a 400.
func TestReceiveNotification(t *testing.T) {
	a := &Adapter{}
	ch := store.Channel{ID: "ch1", Settings: channels.Settings{keyAppID: "2069392825111111", keyUserID: "123456789"}.JSON()}
	body := `{"_id":"f9f08571-1f65-4c46-9e0a-c0f43faas1557","resource":"/questions/5036111111","user_id":123456789,"topic":"questions","application_id":2069392825111111,"attempts":1,"sent":"2017-10-09T13:58:23.347Z","received":"2017-10-09T13:58:23.329Z"}`
	b, reply, err := a.Receive(context.Background(), ch, channels.Request{Method: http.MethodPost, Body: []byte(body)})
	if err != nil || reply != nil || len(b.Fetches) != 1 || b.Fetches[0].Ref != "/questions/5036111111" || b.Fetches[0].Key != "ml-f9f08571-1f65-4c46-9e0a-c0f43faas1557" {
		t.Errorf("notification: %+v %v %v", b, reply, err)
	}
	for _, other := range []string{
		`{"_id":"x","resource":"/questions/1","user_id":999,"topic":"questions","application_id":2069392825111111}`,
		`{"_id":"x","resource":"/questions/1","user_id":123456789,"topic":"questions","application_id":1}`,
		`{"_id":"x","resource":"/orders/1","user_id":123456789,"topic":"orders_v2","application_id":2069392825111111}`,
	} {
		if b, _, err := a.Receive(context.Background(), ch, channels.Request{Method: http.MethodPost, Body: []byte(other)}); err != nil || len(b.Fetches) != 0 {
			t.Errorf("%s: %+v %v", other, b, err)
		}
	}
	var malformed *channels.MalformedError
	if _, _, err := a.Receive(context.Background(), ch, channels.Request{Method: http.MethodPost, Body: []byte("{")}); !errors.As(err, &malformed) {
		t.Errorf("garbage: %v", err)
	}
}

// Refresh tokens are single-use: the rotated one is what the next refresh
// uses; two refreshes racing with the same token get one success and one
// refusal that asks to reconnect — why only the channel's one
// token-refresh workflow refreshes.
func TestRefreshRotation(t *testing.T) {
	ml := mltest.New("1234", "s", 42, "LOJA")
	defer ml.Close()
	a := &Adapter{APIURL: ml.URL}
	ch := store.Channel{Settings: channels.Settings{keyAppID: "1234", keyAppSecret: "s"}.JSON()}
	flow := channels.OAuthFlow{RedirectURI: "https://app/cb", State: "st", Verifier: "v3rifier-0123456789-0123456789-0123456789"}
	ml.AddCode("code", flow.Challenge())
	if _, err := a.Exchange(context.Background(), ch, channels.OAuthFlow{RedirectURI: flow.RedirectURI, Verifier: "wrong"}, "code"); err == nil {
		t.Fatal("a wrong PKCE verifier was accepted")
	}
	ml.AddCode("code", flow.Challenge())
	set, err := a.Exchange(context.Background(), ch, flow, "code")
	if err != nil || set.String(keyUserID) != "42" || set.String(keyRefreshToken) == "" {
		t.Fatalf("exchange: %v %v", set, err)
	}
	with := func(set channels.Settings) store.Channel {
		s, _ := channels.ParseSettings(ch.Settings)
		for k, v := range set {
			s[k] = v
		}
		return store.Channel{Settings: s.JSON()}
	}
	cur := with(set)
	var wg sync.WaitGroup
	results := make([]error, 2)
	fresh := make([]channels.Settings, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fresh[i], results[i] = a.RefreshToken(context.Background(), cur)
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range results {
		var perm *channels.PermanentError
		switch {
		case err == nil:
			ok++
			if fresh[i].String(keyRefreshToken) == set.String(keyRefreshToken) {
				t.Error("the refresh token did not rotate")
			}
		case errors.As(err, &perm) && perm.Reauth:
		default:
			t.Errorf("refresh: %v", err)
		}
	}
	if ok != 1 || ml.Refreshes() != 1 {
		t.Errorf("%d refreshes succeeded (server counted %d), want 1", ok, ml.Refreshes())
	}
}
