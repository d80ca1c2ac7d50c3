package extension

import "testing"

// The id Chromium gives the unpacked extension, computed from its key
// independently (sha256 of the DER key, hex digits mapped to a–p).
func TestLinkedInID(t *testing.T) {
	if got := LinkedInID(); got != "fkhoahfemdmpmhjiomhbikigbfgfoeep" {
		t.Fatalf("id %q", got)
	}
	if z, err := LinkedInZip(); err != nil || len(z) == 0 {
		t.Fatalf("zip: %v", err)
	}
}
