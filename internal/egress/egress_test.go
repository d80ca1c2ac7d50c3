package egress

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPrivate(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1"} {
		if !Private(netip.MustParseAddr(a)) {
			t.Errorf("%s must be private", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "200.147.67.142", "2001:4860:4860::8888"} {
		if Private(netip.MustParseAddr(a)) {
			t.Errorf("%s is public", a)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.example.com/x":   "",
		"http://200.147.67.142:8080/in": "",
		"ftp://example.com":             "http(s)",
		"https://":                      "http(s)",
		"https://u:p@example.com/":      "user or password",
		"http://localhost:9000/":        "private",
		"http://api.localhost/":         "private",
		"http://127.0.0.1/":             "private",
		"http://[::1]:80/":              "private",
		"http://169.254.169.254/latest": "private",
	} {
		err := CheckURL(raw, false)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckURL(%q) = %v, want %q", raw, err, want)
		}
	}
	if err := CheckURL("http://127.0.0.1:9/", true); err != nil {
		t.Errorf("allowed private: %v", err)
	}
}

// The dial-time check is what stops names and redirects that lead inside.
func TestClientRefusesPrivateOnDial(t *testing.T) {
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer inside.Close()
	port := inside.URL[strings.LastIndex(inside.URL, ":"):]
	for _, u := range []string{inside.URL, "http://localhost" + port + "/"} {
		_, err := Client(5*time.Second, false).Get(u)
		if err == nil || !errors.Is(err, ErrPrivate) {
			t.Fatalf("GET %s: %v, want a private-address refusal", u, err)
		}
	}
	res, err := Client(5*time.Second, true).Get(inside.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 {
		t.Fatalf("allowed: %d", res.StatusCode)
	}
}
