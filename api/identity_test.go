package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// otherTenantObjects creates one object of every kind a route parameter can
// name, in tenant a, and returns their ids by the path segment before the
// parameter.
func otherTenantObjects(t *testing.T, e *env, a *tenant) map[string]string {
	agent := a.user("agent", a.f.Profiles[auth.ProfileAgent].ID)
	team := store.Team{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Vendas"}
	e.db.Create(&team)
	e.as(agent)
	active, err := e.sessions.Active(t.Context(), a.f.Account.ID)
	if err != nil || len(active) == 0 {
		t.Fatalf("no session in tenant a: %v", err)
	}
	admin := e.as(a.admin)
	tok := admin.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "erp", "permissions": []string{"conversations:view:all"}})
	if tok.status != http.StatusCreated {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	contact := store.Contact{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Cliente A"}
	e.db.Create(&contact)
	conv := store.Conversation{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID,
		WorkflowID: "conversation/x/y", RunID: store.NewID(), Status: store.StatusOpen, Priority: "normal"}
	e.db.Create(&conv)
	msg := store.Message{ID: store.NewID(), AccountID: a.f.Account.ID, ChannelID: a.f.Channel.ID, ContactID: contact.ID, ConversationID: &conv.ID,
		Direction: store.DirectionOutbound, Kind: store.KindText, Body: "segredo da conta A", Status: store.MessageFailed}
	e.db.Create(&msg)
	file := store.Attachment{ID: store.NewID(), AccountID: a.f.Account.ID, MessageID: &msg.ID, UploaderID: a.admin.ID, Name: "contrato.pdf",
		ContentType: "application/pdf", Size: 4, SHA256: "x", Data: []byte("%PDF")}
	e.db.Create(&file)
	crm := crmObjects(e, a, conv)
	rc := billing.Recharge{ID: store.NewID(), AccountID: a.f.Account.ID, AmountCents: 10000, Status: billing.RechargePending, Provider: "mercadopago",
		ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	e.db.Create(&rc)
	return map[string]string{
		"recharges":           rc.ID,
		"webhooks":            crm.Webhook.ID,
		"webhook-deliveries":  crm.Delivery.ID,
		"pipelines":           crm.Pipeline.ID,
		"stages":              crm.Stage.ID,
		"stage-quick-replies": crm.Reply.ID,
		"cards":               crm.Card.ID,
		"follow-ups":          crm.FollowUp.ID,
		"scheduled-messages":  crm.Scheduled.ID,
		"attachments":         file.ID,
		"conversations":       conv.ID,
		"contacts":            contact.ID,
		"messages":            msg.ID,
		"channels":            a.f.Channel.ID,
		"quick-replies":       quickReply(t, e, a),
		"rules":               rule(t, e, a),
		"users":               agent.ID,
		"profiles":            a.profileWith(auth.Reply).ID,
		"teams":               team.ID,
		"sessions":            active[0].ID,
		"tokens":              tok.body["id"].(string),
	}
}

// pathFor fills a route's parameters with ids from ids, by the segment that
// precedes each parameter. A route whose parameter is unknown fails the
// test, so every new route joins this check.
func pathFor(t *testing.T, path string, ids map[string]string) (string, bool) {
	segs := strings.Split(path, "/")
	has := false
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		has = true
		id, ok := ids[segs[i-1]]
		if !ok {
			t.Errorf("route %s: the cross-tenant test has no %s object; add one to otherTenantObjects", path, segs[i-1])
			return "", false
		}
		segs[i] = id
	}
	return strings.Join(segs, "/"), has
}

// TestRoutesNeverCrossTenants calls every /api/v1 route as another
// account's administrator: routes that name an object answer 404, lists
// never show the other account's objects.
func TestRoutesNeverCrossTenants(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect)
			a, b := e.tenant(10), e.tenant(10)
			ids := otherTenantObjects(t, e, a)
			intruder := e.as(b.admin)
			_, intruderToken := createToken(t, intruder, auth.All...)
			for _, caller := range []*client{intruder, e.bearer(intruderToken)} {
				for _, r := range e.srv.Routes() {
					path, named := pathFor(t, r.Path, ids)
					if path == "" {
						continue
					}
					if r.Path == "/api/v1/stream" {
						continue // an endless response; TestStreamCarriesOnlyVisibleEvents covers it
					}
					if !named {
						if r.Method == http.MethodGet {
							res := caller.do(r.Method, path, nil)
							for kind, id := range ids {
								if strings.Contains(res.raw, id) {
									t.Errorf("GET %s shows another account's %s %s", r.Path, kind, id)
								}
							}
						}
						continue
					}
					res := caller.do(r.Method, path, map[string]any{"password": goodPassword + "x", "name": "x"})
					if res.status != http.StatusNotFound {
						t.Errorf("%s %s on another account's object: %d %s, want 404", r.Method, r.Path, res.status, res.raw)
					}
				}
			}
			// And nothing of tenant a changed.
			var agent store.User
			e.db.Take(&agent, "id = ?", ids["users"])
			if agent.Name != "agent" || !agent.Active {
				t.Errorf("tenant a's user was changed: %+v", agent)
			}
		})
	}
}

func createToken(t *testing.T, c *client, perms ...auth.Permission) (string, string) {
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = string(p)
	}
	r := c.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "test", "permissions": names})
	if r.status != http.StatusCreated {
		t.Fatalf("create token: %d %s", r.status, r.raw)
	}
	return r.body["id"].(string), r.body["token"].(string)
}

// TestEachPermissionDeniesItsRoutes logs in users whose profile lacks
// exactly one permission and checks every route needing it answers 403,
// while a profile holding it gets past the check.
func TestEachPermissionDeniesItsRoutes(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(50)
	ids := map[string]string{"users": a.admin.ID, "profiles": "x", "teams": "x", "sessions": "x", "tokens": "x",
		"conversations": "x", "contacts": "x", "messages": "x", "quick-replies": "x", "rules": "x", "channels": "x", "attachments": "x",
		"pipelines": "x", "stages": "x", "stage-quick-replies": "x", "cards": "x", "follow-ups": "x", "scheduled-messages": "x",
		"webhooks": "x", "webhook-deliveries": "x", "recharges": "x"}
	for _, perm := range auth.All {
		var rest []auth.Permission
		for _, p := range auth.All {
			if p != perm {
				rest = append(rest, p)
			}
		}
		name := strings.ReplaceAll(string(perm), ":", "-")
		without := e.as(a.user("without-"+name, a.profileWith(rest...).ID))
		with := e.as(a.user("with-"+name, a.profileWith(perm).ID))
		for _, r := range e.srv.Routes() {
			if r.Permission != perm {
				continue
			}
			path, _ := pathFor(t, r.Path, ids)
			if res := without.do(r.Method, path, map[string]any{}); res.status != http.StatusForbidden {
				t.Errorf("%s %s without %s: %d, want 403", r.Method, r.Path, perm, res.status)
			}
			if res := with.do(r.Method, path, map[string]any{}); res.status == http.StatusForbidden {
				t.Errorf("%s %s with %s: 403 %s", r.Method, r.Path, perm, res.raw)
			}
		}
	}
}

// TestSeatsLimitConcurrentLogins: with N seats, parallel logins of more
// people than N let exactly N in; the rest learn the limit and who holds
// the seats.
func TestSeatsLimitConcurrentLogins(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect)
			const seats = 3
			a := e.tenant(seats)
			var people []store.User
			for i := range 8 {
				people = append(people, a.user(fmt.Sprintf("agent%d", i), a.f.Profiles[auth.ProfileAgent].ID))
			}
			replies := make([]reply, len(people))
			var wg sync.WaitGroup
			for i, u := range people {
				wg.Add(1)
				go func() {
					defer wg.Done()
					replies[i] = e.browser().login(u.Email, goodPassword)
				}()
			}
			wg.Wait()
			ok, refused := 0, 0
			for _, r := range replies {
				switch r.status {
				case http.StatusOK:
					ok++
				case http.StatusConflict:
					refused++
					holders, _ := r.body["holders"].([]any)
					if len(holders) != seats || !strings.Contains(r.body["detail"].(string), "3 seats") {
						t.Errorf("refusal does not name the limit and the holders: %s", r.raw)
					}
				default:
					t.Errorf("login answered %d %s", r.status, r.raw)
				}
			}
			if ok != seats || refused != len(people)-seats {
				t.Fatalf("%d logins succeeded and %d were refused, want %d and %d", ok, refused, seats, len(people)-seats)
			}
			var active int64
			e.db.Model(&store.Session{}).Where("account_id = ? AND ended_at IS NULL", a.f.Account.ID).Distinct("user_id").Count(&active)
			if active != seats {
				t.Errorf("%d people hold sessions, want %d", active, seats)
			}
		})
	}
}

func TestSeatsSecondDeviceAdminEndAndIdleExpiry(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(2)
	agent := a.user("agent", a.f.Profiles[auth.ProfileAgent].ID)
	late := a.user("late", a.f.Profiles[auth.ProfileAgent].ID)
	admin := e.as(a.admin)
	e.as(agent)
	e.as(agent) // a second device of the same person takes no extra seat
	if r := e.browser().login(late.Email, goodPassword); r.status != http.StatusConflict {
		t.Fatalf("third person got %d, want 409", r.status)
	}
	// The admin ends the agent's sessions to free a seat.
	list := admin.do(http.MethodGet, "/api/v1/sessions", nil)
	for _, it := range list.body["items"].([]any) {
		s := it.(map[string]any)
		if s["user_id"] == agent.ID {
			if r := admin.do(http.MethodDelete, "/api/v1/sessions/"+s["id"].(string), nil); r.status != http.StatusNoContent {
				t.Fatalf("end session: %d %s", r.status, r.raw)
			}
		}
	}
	lateBrowser := e.browser()
	if r := lateBrowser.login(late.Email, goodPassword); r.status != http.StatusOK {
		t.Fatalf("after the admin freed a seat: %d %s", r.status, r.raw)
	}
	// Idle sessions expire and free their seat; the idle user is logged out.
	e.clock = time.Now().Add(auth.DefaultPolicy.IdleTimeout + time.Minute)
	if r := lateBrowser.do(http.MethodGet, "/api/v1/me", nil); r.status != http.StatusUnauthorized {
		t.Errorf("idle session still works: %d", r.status)
	}
	if r := e.browser().login(agent.Email, goodPassword); r.status != http.StatusOK {
		t.Errorf("seat not freed by idle sessions: %d %s", r.status, r.raw)
	}
}

func TestLoginLockoutCSRFAndAudit(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	agent := a.user("agent", a.f.Profiles[auth.ProfileAgent].ID)
	b := e.browser()
	for i := range auth.DefaultPolicy.MaxFailures - 1 {
		if r := b.login(agent.Email, "wrong-password-1"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, r.status)
		}
	}
	r := b.login(agent.Email, "wrong-password-1")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d (Retry-After %q), want 429", auth.DefaultPolicy.MaxFailures, r.status, r.header.Get("Retry-After"))
	}
	if r := b.login(agent.Email, goodPassword); r.status != http.StatusTooManyRequests {
		t.Fatalf("the right password during the lockout: %d, want 429", r.status)
	}

	admin := e.as(a.admin)
	// A state-changing request without the CSRF header is refused.
	noCSRF := &client{e: e, http: admin.http, token: ""}
	req, _ := http.NewRequest(http.MethodPut, e.url+"/api/v1/me/status", strings.NewReader(`{"status":"online"}`))
	res, err := noCSRF.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("PUT without CSRF header: %d, want 403", res.StatusCode)
	}
	if r := admin.do(http.MethodPut, "/api/v1/me/status", map[string]string{"status": "online"}); r.status != http.StatusOK || r.body["status"] != "online" {
		t.Errorf("PUT with CSRF header: %d %s", r.status, r.raw)
	}

	audit := admin.do(http.MethodGet, "/api/v1/audit", nil)
	actions := map[string]int{}
	for _, it := range audit.body["items"].([]any) {
		actions[it.(map[string]any)["action"].(string)]++
	}
	if actions["login.failed"] != auth.DefaultPolicy.MaxFailures || actions["login"] < 1 {
		t.Errorf("audit log actions %v: want %d failed sign-ins and the admin's sign-in", actions, auth.DefaultPolicy.MaxFailures)
	}
}

func TestUserAdministrationRejectsBadInput(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	admin := e.as(a.admin)
	agentProfile := a.f.Profiles[auth.ProfileAgent].ID
	cases := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"duplicate e-mail", map[string]any{"email": a.admin.Email, "name": "X", "password": goodPassword, "profile_id": agentProfile}, 409, "email"},
		{"bad e-mail", map[string]any{"email": "not-an-email", "name": "X", "password": goodPassword, "profile_id": agentProfile}, 422, "email"},
		{"short password", map[string]any{"email": "a@example.com", "name": "X", "password": "abc1", "profile_id": agentProfile}, 422, "password"},
		{"letters only", map[string]any{"email": "a@example.com", "name": "X", "password": "onlylettershere", "profile_id": agentProfile}, 422, "password"},
		{"unknown profile", map[string]any{"email": "a@example.com", "name": "X", "password": goodPassword, "profile_id": "nope"}, 422, "profile_id"},
		{"no name", map[string]any{"email": "a@example.com", "password": goodPassword, "profile_id": agentProfile}, 422, "name"},
	}
	for _, c := range cases {
		r := admin.do(http.MethodPost, "/api/v1/users", c.body)
		if r.status != c.status || r.body["field"] != c.field {
			t.Errorf("%s: %d field %v, want %d naming %q (%s)", c.name, r.status, r.body["field"], c.status, c.field, r.raw)
		}
	}
	if r := admin.do(http.MethodPost, "/api/v1/profiles", map[string]any{"name": "Supervisor", "permissions": []string{"conversations:fly"}}); r.status != 422 || r.body["field"] != "permissions" {
		t.Errorf("unknown permission: %d %s", r.status, r.raw)
	}

	// A created user logs in; deactivating ends their session.
	r := admin.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "Nova@Example.com", "name": "Nova", "password": goodPassword, "profile_id": agentProfile})
	if r.status != http.StatusCreated || r.body["email"] != "nova@example.com" {
		t.Fatalf("create user: %d %s", r.status, r.raw)
	}
	nova := e.browser()
	if l := nova.login("nova@example.com", goodPassword); l.status != http.StatusOK {
		t.Fatalf("new user login: %d %s", l.status, l.raw)
	}
	if u := admin.do(http.MethodPatch, "/api/v1/users/"+r.body["id"].(string), map[string]any{"active": false}); u.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", u.status, u.raw)
	}
	if m := nova.do(http.MethodGet, "/api/v1/me", nil); m.status != http.StatusUnauthorized {
		t.Errorf("deactivated user's session still works: %d", m.status)
	}
	if l := e.browser().login("nova@example.com", goodPassword); l.status != http.StatusUnauthorized {
		t.Errorf("deactivated user logged in: %d", l.status)
	}
}

func TestAPITokensScopedShownOnceRevocable(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	admin := e.as(a.admin)
	id, plain := createToken(t, admin, auth.ManageUsers)
	list := admin.do(http.MethodGet, "/api/v1/tokens", nil)
	if strings.Contains(list.raw, plain) {
		t.Error("the token list shows the secret")
	}
	var stored store.APIToken
	e.db.Take(&stored, "id = ?", id)
	if strings.Contains(stored.TokenHash, plain) || stored.TokenHash == plain {
		t.Error("token stored in clear")
	}
	integrator := e.bearer(plain)
	if r := integrator.do(http.MethodGet, "/api/v1/users", nil); r.status != http.StatusOK {
		t.Errorf("token with users:manage listing users: %d", r.status)
	}
	if r := integrator.do(http.MethodGet, "/api/v1/tokens", nil); r.status != http.StatusForbidden {
		t.Errorf("token without api:tokens listing tokens: %d, want 403", r.status)
	}
	e.db.Take(&stored, "id = ?", id)
	if stored.LastUsedAt == nil {
		t.Error("last-used time not recorded")
	}
	// An agent cannot mint a token with more than their own permissions.
	agentWithTokens := e.as(a.user("dev", a.profileWith(auth.ManageAPITokens, auth.Reply).ID))
	if r := agentWithTokens.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "permissions": []string{"users:manage"}}); r.status != 422 {
		t.Errorf("escalating token: %d, want 422", r.status)
	}
	// Without the API module, tokens are refused with a message saying so.
	e.db.Model(&store.Account{}).Where("id = ?", a.f.Account.ID).Update("modules", "crm")
	if r := integrator.do(http.MethodGet, "/api/v1/users", nil); r.status != http.StatusForbidden || !strings.Contains(r.body["detail"].(string), "API module") {
		t.Errorf("API module off: %d %s", r.status, r.raw)
	}
	e.db.Model(&store.Account{}).Where("id = ?", a.f.Account.ID).Update("modules", "api")
	if r := admin.do(http.MethodDelete, "/api/v1/tokens/"+id, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := integrator.do(http.MethodGet, "/api/v1/users", nil); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token still works: %d", r.status)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.srv.LoginRate = api.LoginRate{Burst: 3, Every: time.Hour}
	a := e.tenant(5)
	b := e.browser()
	for range 3 {
		b.login("nobody@example.com", "whatever-123")
	}
	r := b.login(a.admin.Email, goodPassword)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("4th attempt from one address in a burst of 3: %d (Retry-After %q), want 429", r.status, r.header.Get("Retry-After"))
	}
}

func quickReply(t *testing.T, e *env, a *tenant) string {
	qr := store.QuickReply{ID: store.NewID(), AccountID: a.f.Account.ID, Shortcut: "preco", Text: "Nosso preço é R$ 10"}
	if err := e.db.Create(&qr).Error; err != nil {
		t.Fatal(err)
	}
	return qr.ID
}

func TestQuickReplies(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.tenant(5)
	admin := e.as(a.admin)
	if r := admin.do(http.MethodPost, "/api/v1/quick-replies", map[string]string{"shortcut": "/Frete", "text": "Frete grátis acima de R$ 200"}); r.status != 201 || r.body["shortcut"] != "frete" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if r := admin.do(http.MethodPost, "/api/v1/quick-replies", map[string]string{"shortcut": "frete", "text": "outro"}); r.status != 409 || r.body["field"] != "shortcut" {
		t.Errorf("duplicate shortcut: %d %s", r.status, r.raw)
	}
	if r := admin.do(http.MethodPost, "/api/v1/quick-replies", map[string]string{"shortcut": "com espaço", "text": "x"}); r.status != 422 || r.body["field"] != "shortcut" {
		t.Errorf("bad shortcut: %d %s", r.status, r.raw)
	}
	agent := e.as(a.user("agent", a.f.Profiles[auth.ProfileAgent].ID))
	list := agent.do(http.MethodGet, "/api/v1/quick-replies", nil)
	if items := list.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["text"] != "Frete grátis acima de R$ 200" {
		t.Errorf("agent's list: %s", list.raw)
	}
	if r := agent.do(http.MethodPost, "/api/v1/quick-replies", map[string]string{"shortcut": "x", "text": "y"}); r.status != 403 {
		t.Errorf("agent creating a quick reply: %d, want 403", r.status)
	}
}

func rule(t *testing.T, e *env, a *tenant) string {
	r := store.Rule{ID: store.NewID(), AccountID: a.f.Account.ID, Kind: "automation", Name: "VIP", Event: "message.created",
		Condition: `"vip" in contact.tags`, Enabled: true, Version: 1, Actions: `[{"type":"set_priority","priority":"high"}]`}
	if err := e.db.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestAPITokenRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.srv.TokenRate = api.Rate{Burst: 3, Every: time.Hour}
	a := e.tenant(5)
	_, plain := createToken(t, e.as(a.admin), auth.ManageUsers)
	integrator := e.bearer(plain)
	var last reply
	for range 4 {
		last = integrator.do(http.MethodGet, "/api/v1/users", nil)
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || last.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("4th call in a burst of 3: %d Retry-After %q %s", last.status, last.header.Get("Retry-After"), last.header.Get("Content-Type"))
	}
	// Another token, and browser sessions, are not affected.
	_, other := createToken(t, e.as(a.admin), auth.ManageUsers)
	if r := e.bearer(other).do(http.MethodGet, "/api/v1/users", nil); r.status != 200 {
		t.Errorf("another token: %d", r.status)
	}
}
