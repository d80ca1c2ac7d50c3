// Package extension holds the browser extensions CHATSPOT gives its users,
// embedded so the server can hand them out: the LinkedIn capture
// extension (Manifest V3, loaded unpacked; its manifest's key gives it a
// stable id).
package extension

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"sync"
)

//go:embed linkedin
var files embed.FS

// LinkedIn is the LinkedIn extension's files.
func LinkedIn() fs.FS {
	sub, _ := fs.Sub(files, "linkedin")
	return sub
}

// LinkedInID is the extension's id as Chromium derives it from the
// manifest's key: the first 32 hex digits of the key's SHA-256, each
// written as a letter a–p.
func LinkedInID() string {
	raw, err := fs.ReadFile(LinkedIn(), "manifest.json")
	if err != nil {
		return ""
	}
	var m struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	der, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	id := make([]byte, 32)
	for i := range 16 {
		id[2*i] = 'a' + sum[i]>>4
		id[2*i+1] = 'a' + sum[i]&0x0f
	}
	return string(id)
}

var (
	zipOnce sync.Once
	zipped  []byte
	zipErr  error
)

// LinkedInZip is the extension as a zip with its files at the top, to
// unzip and load unpacked.
func LinkedInZip() ([]byte, error) {
	zipOnce.Do(func() {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		zipErr = fs.WalkDir(LinkedIn(), ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(LinkedIn(), path)
			if err != nil {
				return err
			}
			f, err := w.Create("chatspot-linkedin/" + path)
			if err != nil {
				return err
			}
			_, err = f.Write(data)
			return err
		})
		if zipErr == nil {
			zipErr = w.Close()
		}
		zipped = buf.Bytes()
	})
	return zipped, zipErr
}
