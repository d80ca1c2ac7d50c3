// Package attachments stores the files agents and customers send with
// messages, checks them on the way in, and links them to their message.
package attachments

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// MaxSize is the largest file accepted: 10 MiB, what messaging apps
// commonly allow for documents.
const MaxSize = 10 << 20

// MaxPerMessage bounds how many files one message carries.
const MaxPerMessage = 10

// allowed are the content types accepted, by their family. Executables
// and archives are refused: customers' files are opened by agents.
var allowed = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
	"audio/ogg", "audio/mpeg", "audio/wave", "audio/wav", "video/mp4", "video/webm", "text/csv",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

// Save reads a file (at most MaxSize bytes), decides its type from its
// content, refuses the types not allowed, and stores it unlinked.
func Save(tx *gorm.DB, accountID, uploaderID, name string, r io.Reader) (store.Attachment, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return store.Attachment{}, err
	}
	switch {
	case len(data) == 0:
		return store.Attachment{}, &channels.FieldError{Field: "file", Reason: "is empty"}
	case len(data) > MaxSize:
		return store.Attachment{}, ErrTooLarge
	}
	ct := contentType(name, data)
	if !isAllowed(ct) {
		return store.Attachment{}, &channels.FieldError{Field: "file", Reason: "files of type " + ct + " are not accepted"}
	}
	sum := sha256.Sum256(data)
	a := store.Attachment{ID: store.NewID(), AccountID: accountID, UploaderID: uploaderID, Name: cleanName(name),
		ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data}
	return a, tx.Create(&a).Error
}

// contentType trusts the content over the name, except for the office
// formats, which sniff as zip archives.
func contentType(name string, data []byte) string {
	sniffed := strings.Split(http.DetectContentType(data), ";")[0]
	byExt := strings.Split(mime.TypeByExtension(strings.ToLower(filepath.Ext(name))), ";")[0]
	switch {
	case sniffed == "application/zip" && strings.HasPrefix(byExt, "application/vnd.openxmlformats"):
		return byExt
	case sniffed == "text/plain" && byExt == "text/csv":
		return byExt
	case sniffed == "audio/wave":
		return "audio/wav"
	}
	return sniffed
}

func isAllowed(ct string) bool {
	for _, a := range allowed {
		if a == ct {
			return true
		}
	}
	return false
}

// cleanName keeps a file name displayable and path-free.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		name = "arquivo"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// ErrTooLarge is a file over MaxSize.
var ErrTooLarge = &channels.FieldError{Field: "file", Reason: fmt.Sprintf("is larger than %d MiB", MaxSize>>20)}

// ErrNotYours is a link request naming files that are not the uploader's
// own unsent files.
var ErrNotYours = errors.New("attachment_ids: every file must be one you uploaded and not yet sent")

// Link attaches the uploader's unsent files to a message, in tx.
func Link(tx *gorm.DB, accountID, uploaderID, messageID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxPerMessage {
		return &channels.FieldError{Field: "attachment_ids", Reason: fmt.Sprintf("at most %d files per message", MaxPerMessage)}
	}
	res := tx.Model(&store.Attachment{}).
		Where("id IN ? AND account_id = ? AND uploader_id = ? AND message_id IS NULL", ids, accountID, uploaderID).
		Update("message_id", messageID)
	if res.Error != nil {
		return res.Error
	}
	if int(res.RowsAffected) != len(ids) {
		return ErrNotYours
	}
	return nil
}

// Check reports whether the files can be linked by this uploader, before
// a message is created for them.
func Check(db *gorm.DB, accountID, uploaderID string, ids []string) error {
	if len(ids) > MaxPerMessage {
		return &channels.FieldError{Field: "attachment_ids", Reason: fmt.Sprintf("at most %d files per message", MaxPerMessage)}
	}
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := db.Model(&store.Attachment{}).Where("id IN ? AND account_id = ? AND uploader_id = ? AND message_id IS NULL", ids, accountID, uploaderID).
		Count(&n).Error; err != nil {
		return err
	}
	if int(n) != len(ids) {
		return ErrNotYours
	}
	return nil
}
