package temporal

import "testing"

func TestIsLoopback(t *testing.T) {
	for hostPort, want := range map[string]bool{
		"127.0.0.1:7233":         true,
		"localhost:7233":         true,
		"[::1]:7233":             true,
		"127.0.0.2:7233":         true,
		"temporal.internal:7233": false,
		"10.0.0.5:7233":          false,
		"[2001:db8::1]:7233":     false,
		"":                       false,
	} {
		if got := isLoopback(hostPort); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", hostPort, got, want)
		}
	}
}
