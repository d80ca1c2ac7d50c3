package integration

import (
	"testing"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/rules"
)

// Every customer message asks whether its account has message rules; the
// answer, either way, is remembered for a few seconds so a busy ticket does
// not ask the database each time.
func TestNoRulesRemembersEitherAnswer(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := t.Context()
	account := func(name string) string {
		acc := store.Account{Name: name, Seats: 1}
		if _, err := auth.CreateAccount(db, &acc); err != nil {
			t.Fatal(err)
		}
		return acc.ID
	}
	without, with := account("Sem regras"), account("Com regras")
	rule := store.Rule{ID: store.NewID(), AccountID: with, Kind: "automation", Name: "Oi", Event: rules.MessageCreated, Enabled: true, Actions: "[]"}
	if err := db.Create(&rule).Error; err != nil {
		t.Fatal(err)
	}
	var n activities.NoRules
	check := func(accountID string) bool {
		t.Helper()
		none, err := n.Check(ctx, db, accountID, rules.MessageCreated)
		if err != nil {
			t.Fatal(err)
		}
		return none
	}
	if !check(without) || check(with) {
		t.Fatal("first answers: want none for the account without rules and some for the other")
	}
	// Both answers now come from memory: the database changing underneath
	// is seen only once they expire.
	db.Create(&store.Rule{ID: store.NewID(), AccountID: without, Kind: "automation", Name: "Novo", Event: rules.MessageCreated, Enabled: true, Actions: "[]"})
	db.Delete(&rule)
	if !check(without) || check(with) {
		t.Fatal("answers within the memory's few seconds changed: they were not remembered")
	}
	// Another event of the same account is asked on its own.
	if none, err := n.Check(ctx, db, with, rules.ConversationIdle); err != nil || !none {
		t.Fatalf("conversation.idle for the account: none=%v err=%v, want none", none, err)
	}
}
