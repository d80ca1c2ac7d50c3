package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestReadmeCarriesTheSettingsTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	Table(&b)
	if !strings.Contains(string(readme), b.String()) {
		t.Errorf("README.md's configuration table differs from `chatspot config`; paste this:\n%s", b.String())
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := Load("dev", []string{"--http-addr", ":9090"}, env(map[string]string{"CHATSPOT_HTTP_ADDR": ":7070", "TEMPORAL_NAMESPACE": "acme"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":9090" || c.Namespace != "acme" || c.BaseURL != "http://localhost:9090" {
		t.Errorf("got addr %q namespace %q base %q", c.HTTPAddr, c.Namespace, c.BaseURL)
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	cases := map[string]string{
		"CHATSPOT_HTTP_ADDR":        "8080",
		"TEMPORAL_ADDRESS":          ":7233",
		"DATABASE_URL":              "mysql://db",
		"CHATSPOT_TEMPORAL_PORT":    "0",
		"CHATSPOT_TEMPORAL_UI_PORT": "-1",
		"CHATSPOT_BASE_URL":         "localhost",
		"CHATSPOT_SHUTDOWN_GRACE":   "soon",
		"CHATSPOT_EVENT_RETENTION":  "10m",
	}
	for name, value := range cases {
		_, err := Load("dev", nil, env(map[string]string{name: value}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Setting.Env != name {
			t.Errorf("%s=%q: got %v, want an error naming %s", name, value, err, name)
		}
	}
}

func TestPrivateURLsDefaultPerCommand(t *testing.T) {
	c, err := Load("serve", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.PrivateURLs("dev") || c.PrivateURLs("serve") || c.PrivateURLs("worker") {
		t.Error("by default only dev may call private addresses")
	}
	c, err = Load("serve", nil, env(map[string]string{"CHATSPOT_ALLOW_PRIVATE_URLS": "true"}))
	if err != nil || !c.PrivateURLs("serve") {
		t.Errorf("set true: %v", err)
	}
	c, err = Load("dev", nil, env(map[string]string{"CHATSPOT_ALLOW_PRIVATE_URLS": "false"}))
	if err != nil || c.PrivateURLs("dev") {
		t.Errorf("set false: %v", err)
	}
	if _, err := Load("dev", nil, env(map[string]string{"CHATSPOT_ALLOW_PRIVATE_URLS": "maybe"})); err == nil {
		t.Error("a non-boolean must be refused")
	}
}

func TestPreviousSecretKeys(t *testing.T) {
	c, err := Load("serve", nil, env(map[string]string{"CHATSPOT_SECRET_KEY_PREVIOUS": strings.Repeat("a", 32) + ", " + strings.Repeat("b", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, prev := c.SecretKeys(); len(prev) != 2 || string(prev[1]) != strings.Repeat("b", 32) {
		t.Errorf("previous keys %q", prev)
	}
	if _, err := Load("serve", nil, env(map[string]string{"CHATSPOT_SECRET_KEY_PREVIOUS": "short"})); err == nil || !strings.Contains(err.Error(), "CHATSPOT_SECRET_KEY_PREVIOUS") {
		t.Errorf("a short previous key must be refused naming the setting: %v", err)
	}
}

func TestDBMaxConns(t *testing.T) {
	c, err := Load("serve", nil, env(nil))
	if err != nil || c.DBMaxConns != 20 {
		t.Fatalf("default %d, %v", c.DBMaxConns, err)
	}
	for _, bad := range []string{"0", "-3", "many", "5000"} {
		if _, err := Load("serve", nil, env(map[string]string{"CHATSPOT_DB_MAX_CONNS": bad})); err == nil || !strings.Contains(err.Error(), "CHATSPOT_DB_MAX_CONNS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
