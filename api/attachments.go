package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatspot/chatspot/internal/attachments"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// uploadLimit is the request size allowed on upload routes: one file plus
// the multipart envelope.
const uploadLimit = attachments.MaxSize + 1<<20

// isUpload tells the body limiter which requests carry files.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/attachments")
}

// saveUpload stores the multipart "file" of the request.
func (s *Server) saveUpload(c *gin.Context, accountID, uploaderID string) (store.Attachment, bool) {
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			problem(c, http.StatusRequestEntityTooLarge, "file is larger than 10 MiB", "file")
		} else {
			problem(c, http.StatusBadRequest, "send the file as multipart/form-data in the field \"file\"", "file")
		}
		return store.Attachment{}, false
	}
	f, err := fh.Open()
	if err != nil {
		s.internalError(c, "upload", err)
		return store.Attachment{}, false
	}
	defer f.Close()
	a, err := attachments.Save(s.DB.WithContext(c), accountID, uploaderID, fh.Filename, f)
	if errors.Is(err, attachments.ErrTooLarge) {
		problem(c, http.StatusRequestEntityTooLarge, err.Error(), "file")
		return a, false
	}
	var fe *channels.FieldError
	if errors.As(err, &fe) {
		problem(c, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
		return a, false
	}
	if err != nil {
		s.internalError(c, "upload", err)
		return a, false
	}
	return a, true
}

func attachmentView(a store.Attachment, url string) store.AttachmentView {
	return store.AttachmentView{ID: a.ID, Name: a.Name, Size: a.Size, ContentType: a.ContentType, URL: url}
}

func (s *Server) uploadAttachment(c *gin.Context) {
	p := principal(c)
	a, ok := s.saveUpload(c, p.AccountID, p.UserID)
	if !ok {
		return
	}
	c.JSON(http.StatusCreated, attachmentView(a, "/api/v1/attachments/"+a.ID))
}

// getAttachment serves a file to an agent who may see its conversation,
// or to its uploader before it is sent.
func (s *Server) getAttachment(c *gin.Context) {
	p := principal(c)
	var a store.Attachment
	if err := s.DB.WithContext(c).Take(&a, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such file", "id")
		return
	}
	if a.MessageID == nil {
		if a.UploaderID != p.UserID {
			problem(c, http.StatusNotFound, "no such file", "id")
			return
		}
	} else {
		var msg store.Message
		if err := s.DB.WithContext(c).Select("conversation_id").Take(&msg, "id = ?", *a.MessageID).Error; err != nil || msg.ConversationID == nil {
			problem(c, http.StatusNotFound, "no such file", "id")
			return
		}
		if _, ok := s.visibleConversation(c, *msg.ConversationID); !ok {
			return
		}
	}
	serveFile(c, a)
}

// serveFile sends a stored file; only images and PDFs open in the browser,
// everything else downloads, and the type is never sniffed again.
func serveFile(c *gin.Context, a store.Attachment) {
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") || a.ContentType == "application/pdf" {
		disposition = "inline"
	}
	c.Header("Content-Disposition", disposition+`; filename="`+strings.ReplaceAll(a.Name, `"`, "")+`"`)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, a.ContentType, a.Data)
}
