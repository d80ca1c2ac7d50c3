package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/web"
)

// env is the HTTP server on a test database, without Temporal: the
// identity routes do not need it.
type env struct {
	t        *testing.T
	db       *gorm.DB
	srv      *api.Server
	url      string
	sessions *auth.Sessions
	clock    time.Time // what the session policy sees as now, when set
}

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	e := &env{t: t, db: storetest.Open(t, dialect)}
	e.sessions = &auth.Sessions{DB: e.db, Policy: auth.DefaultPolicy, Now: func() time.Time {
		if e.clock.IsZero() {
			return time.Now()
		}
		return e.clock
	}}
	e.srv = &api.Server{DB: e.db, Sessions: e.sessions, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), UI: web.Assets(),
		SecretKey: testSecretKey, LoginRate: api.LoginRate{Burst: 10_000, Every: time.Millisecond}}
	hs := httptest.NewServer(e.srv.Handler())
	t.Cleanup(hs.Close)
	e.url = hs.URL
	return e
}

// tenant is an account with an admin and handles to make more users.
type tenant struct {
	e       *env
	f       storetest.Fixture
	admin   store.User
	adminPw string
}

const goodPassword = "correct-horse-42"

func (e *env) tenant(seats int) *tenant {
	e.t.Helper()
	f := storetest.Seed(e.t, e.db, "")
	e.db.Model(&f.Account).Updates(map[string]any{"seats": seats, "modules": "api,crm"})
	tn := &tenant{e: e, f: f, adminPw: goodPassword}
	tn.admin = tn.user("admin", f.Profiles[auth.ProfileAdmin].ID)
	return tn
}

func (tn *tenant) user(name, profileID string) store.User {
	tn.e.t.Helper()
	u, err := auth.CreateUser(tn.e.t.Context(), tn.e.db, tn.f.Account.ID, auth.NewUser{
		Email: name + "-" + store.NewID()[24:] + "@example.com", Name: name, Password: goodPassword, ProfileID: profileID})
	if err != nil {
		tn.e.t.Fatal(err)
	}
	return u
}

// profileWith creates a custom profile holding exactly perms.
func (tn *tenant) profileWith(perms ...auth.Permission) store.Profile {
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = string(p)
	}
	p := store.Profile{ID: store.NewID(), AccountID: tn.f.Account.ID, Name: "custom " + store.NewID(), Permissions: auth.FromNames(names).String()}
	if err := tn.e.db.Create(&p).Error; err != nil {
		tn.e.t.Fatal(err)
	}
	return p
}

// client is a browser: a cookie jar and the CSRF header the UI sends.
type client struct {
	e     *env
	http  *http.Client
	token string // bearer API token instead of cookies, when set
}

func (e *env) browser() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar}}
}

func (e *env) bearer(token string) *client {
	return &client{e: e, http: http.DefaultClient, token: token}
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c *client) do(method, path string, body any) reply {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.e.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else if c.http.Jar != nil {
		u, _ := url.Parse(c.e.url)
		for _, ck := range c.http.Jar.Cookies(u) {
			if ck.Name == "chatspot_csrf" {
				req.Header.Set("X-CSRF-Token", ck.Value)
			}
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, body: map[string]any{}, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (c *client) login(email, password string) reply {
	return c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password})
}

// as logs a new browser in as u and fails the test if it cannot.
func (e *env) as(u store.User) *client {
	e.t.Helper()
	c := e.browser()
	if r := c.login(u.Email, goodPassword); r.status != http.StatusOK {
		e.t.Fatalf("login as %s: %d %s", u.Name, r.status, r.raw)
	}
	return c
}

// testSecretKey seals the credentials the tests store.
var testSecretKey = []byte("api-test-secret-key-0123456789-abcdef")
