package instagram

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/chatspot/chatspot/internal/channels/meta"
)

// Comment notifications as Meta documents them (in changes[], and inline
// on the entry as the examples page shows): the customer's comments join
// their post's thread, a reply names its parent, and the account's own
// comments are not taken.
func TestCommentInboundExamples(t *testing.T) {
	raw, err := os.ReadFile("../meta/testdata/instagram_comments.json")
	if err != nil {
		t.Fatal(err)
	}
	var n meta.Notification
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatal(err)
	}
	own := "17841474524784050"
	var got []string
	for _, e := range n.Entry {
		for _, c := range e.FieldChanges() {
			in, ok := commentInbound("ch1", own, c)
			if !ok {
				continue
			}
			if !in.Comment || in.ThreadKey != "post:18172143295349192" {
				t.Errorf("comment %+v", in)
			}
			got = append(got, in.ExternalID+"|"+in.Contact.Name+"|"+in.Text+"|"+in.ReplyTo)
		}
	}
	want := []string{"17919697626119712|@jiangwenwen1213|Qual o preço?|", "17919697626119713|@outra|Responde aqui|17919697626119712"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("comments %q, want %q", got, want)
	}
}

func TestShortTokenAnswers(t *testing.T) {
	for _, raw := range []string{
		`{"data":[{"access_token":"IGQVJ...","user_id":"17841400000000001","permissions":"instagram_business_basic,instagram_business_manage_messages"}]}`,
		`{"access_token":"IGQVJ...","user_id":17841400000000001}`,
	} {
		token, user, err := shortToken([]byte(raw))
		if err != nil || token != "IGQVJ..." || user != "17841400000000001" {
			t.Errorf("%s: %q %q %v", raw, token, user, err)
		}
	}
	if _, _, err := shortToken([]byte(`{"data":[{"access_token":"x","user_id":"1","permissions":"instagram_business_basic"}]}`)); err == nil {
		t.Error("a grant without the messages permission accepted")
	}
}
