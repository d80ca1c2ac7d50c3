package channels

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// Providers that fetch an outbound file by URL (Instagram) get a link to
// /hooks/files/<channel>/<file> that only they can use: signed with a
// per-channel key, valid for a day.

// KeyFileLinks is the settings key of a channel's file-link key; kinds
// that use file links generate it in Validate (NewFileLinkKey) and declare
// it secret and hidden.
const KeyFileLinks = "file_link_key"

// FileLinkTTL is how long a file link works.
const FileLinkTTL = 24 * time.Hour

// NewFileLinkKey is a new random key.
func NewFileLinkKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ErrNoPublicURL: the provider must fetch the file from CHATSPOT, which
// it cannot reach.
var ErrNoPublicURL = &PermanentError{Reason: "the provider fetches files from CHATSPOT's public URL, and this installation has none (set --public-url to an https address the internet reaches)"}

// FileLink is the provider's URL of a file of an outbound message; ch's
// settings must be open.
func FileLink(publicURL string, ch store.Channel, fileID string, now time.Time) (string, error) {
	s, err := ParseSettings(ch.Settings)
	if err != nil {
		return "", err
	}
	key := s.String(KeyFileLinks)
	if publicURL == "" {
		return "", ErrNoPublicURL
	}
	if key == "" {
		return "", errors.New("the channel has no file-link key: save its settings again")
	}
	exp := strconv.FormatInt(now.Add(FileLinkTTL).Unix(), 10)
	q := url.Values{"exp": {exp}, "sig": {fileSignature(key, ch.ID, fileID, exp)}}
	return publicURL + "/hooks/files/" + url.PathEscape(ch.ID) + "/" + url.PathEscape(fileID) + "?" + q.Encode(), nil
}

// VerifyFileLink checks a file link's signature (in constant time) and
// expiry; s are the channel's open settings.
func VerifyFileLink(s Settings, channelID, fileID, exp, sig string, now time.Time) bool {
	key := s.String(KeyFileLinks)
	until, err := strconv.ParseInt(exp, 10, 64)
	if key == "" || err != nil || now.Unix() > until {
		return false
	}
	want := fileSignature(key, channelID, fileID, exp)
	return subtle.ConstantTimeCompare([]byte(sig), []byte(want)) == 1
}

func fileSignature(key, channelID, fileID, exp string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(channelID + "\n" + fileID + "\n" + exp))
	return hex.EncodeToString(mac.Sum(nil))
}
