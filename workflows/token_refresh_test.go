package workflows_test

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/meta/metatest"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// refreshFixture is an active Instagram channel whose long-lived token
// expires in expiresIn, against a local Instagram Graph API.
func refreshFixture(t *testing.T, expiresIn time.Duration) (*gorm.DB, *metatest.Server, *activities.ChannelKit, activities.ChannelRef) {
	fake := metatest.New("v25.0", "IGAA-long-first")
	t.Cleanup(fake.Close)
	db := storetest.Open(t, "sqlite")
	f := storetest.Seed(t, db, "")
	box, err := secrets.New([]byte("token-refresh-test-secret-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	reg := kinds.Registry(kinds.Config{InstagramGraphURL: fake.URL, MetaGraphVersion: "v25.0"})
	a, _ := reg.Adapter(channels.KindInstagram)
	settings, err := channels.Seal(a.Kind(), box, channels.Settings{"access_token": "IGAA-long-first", "app_id": fake.AppID,
		"token_expires_at": time.Now().Add(expiresIn).UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	ch := store.Channel{ID: store.NewID(), AccountID: f.Account.ID, Kind: channels.KindInstagram, Name: "Instagram", Settings: settings,
		Active: true, Status: store.ChannelConnected}
	if err := db.Create(&ch).Error; err != nil {
		t.Fatal(err)
	}
	return db, fake, &activities.ChannelKit{DB: db, Channels: reg, Secrets: box}, activities.ChannelRef{AccountID: f.Account.ID, ChannelID: ch.ID}
}

// A token eleven days from expiry is refreshed a day later, once, and the
// new one stored sealed; the workflow then waits out the new token's
// life in daily checks, continuing as new to keep its history short.
func TestTokenRefreshRefreshesBeforeExpiry(t *testing.T) {
	db, fake, kit, ref := refreshFixture(t, 11*24*time.Hour)
	env := newEnv(t, db)
	env.RegisterWorkflow(workflows.TokenRefresh)
	env.RegisterActivity(kit)
	start := env.Now()
	env.ExecuteWorkflow(workflows.TokenRefresh, ref)
	var cont *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &cont) {
		t.Fatalf("workflow ended with %v, want it to continue as new", err)
	}
	if fake.Refreshed() != 1 {
		t.Fatalf("%d refreshes, want 1", fake.Refreshed())
	}
	if waited := env.Now().Sub(start); waited < 24*time.Hour {
		t.Errorf("refreshed after %s of workflow time; the token was due in a day", waited)
	}
	var ch store.Channel
	db.Take(&ch, "id = ?", ref.ChannelID)
	opened, err := kit.Secrets.OpenJSON(ch.Settings)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := channels.ParseSettings(opened)
	exp, _ := time.Parse(time.RFC3339, s.String("token_expires_at"))
	if s.String("access_token") == "IGAA-long-first" || ch.Settings == opened || time.Until(exp) < 50*24*time.Hour {
		t.Errorf("after the refresh: token %q expiring %s (stored sealed: %v)", s.String("access_token"), exp, ch.Settings != opened)
	}
}

// A refresh Instagram refuses (the token was revoked) puts the channel in
// "needs re-authorization" and ends the workflow.
func TestTokenRefreshRefusedNeedsReauth(t *testing.T) {
	db, fake, kit, ref := refreshFixture(t, 5*24*time.Hour)
	fake.AllowToken("IGAA-long-first", false)
	env := newEnv(t, db)
	env.RegisterWorkflow(workflows.TokenRefresh)
	env.RegisterActivity(kit)
	env.ExecuteWorkflow(workflows.TokenRefresh, ref)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var ch store.Channel
	db.Take(&ch, "id = ?", ref.ChannelID)
	if ch.Status != store.ChannelNeedsReauth || ch.StatusReason == "" {
		t.Errorf("channel %s %q", ch.Status, ch.StatusReason)
	}
}
