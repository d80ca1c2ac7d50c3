package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// A 1x1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func multipartFile(t *testing.T, name string, data []byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	return &buf, w.FormDataContentType()
}

func upload(t *testing.T, client *http.Client, url string, header map[string]string, name string, data []byte) (int, map[string]any) {
	body, ct := multipartFile(t, name, data)
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Content-Type", ct)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestAttachmentsBothWays(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	prov := newIntegrator(t, "file-secret-0123456789")
	configureOutbound(t, a, prov.url, "file-secret-0123456789")
	ana, err := auth.CreateUser(t.Context(), a.db, a.f.Account.ID, auth.NewUser{Email: "files@example.com", Name: "Ana", Password: "correct-horse-42", ProfileID: a.f.Profiles[auth.ProfileAdmin].ID})
	if err != nil {
		t.Fatal(err)
	}
	ag := login(t, a.url, ana.Email)
	r := a.post(t, a.token, msgJSON("f1", "5511911112222", "Pode mandar o catálogo?"))
	conv := waitConversation(t, a.db, workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string)), 1)

	hdr := map[string]string{"X-CSRF-Token": ag.csrf}
	if st, p := upload(t, ag.http, a.url+"/api/v1/attachments", hdr, "setup.exe", append([]byte("MZ\x90\x00"), make([]byte, 200)...)); st != 422 || p["field"] != "file" {
		t.Errorf("an executable: %d %v, want 422", st, p)
	}
	if st, _ := upload(t, ag.http, a.url+"/api/v1/attachments", hdr, "huge.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...)); st != 413 {
		t.Errorf("a file just over 10 MiB: %d, want 413", st)
	}
	st, file := upload(t, ag.http, a.url+"/api/v1/attachments", hdr, "catalogo.png", pngBytes)
	if st != http.StatusCreated || file["content_type"] != "image/png" {
		t.Fatalf("upload: %d %v", st, file)
	}
	st, msg := ag.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "", "attachment_ids": []string{file["id"].(string)}}, map[string]string{"Idempotency-Key": "file-1"})
	if st != http.StatusCreated || len(msg["attachments"].([]any)) != 1 {
		t.Fatalf("send with a file: %d %v", st, msg)
	}
	// The same file cannot go out twice.
	if st, p := ag.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "de novo", "attachment_ids": []string{file["id"].(string)}}, nil); st != 422 || p["field"] != "attachment_ids" {
		t.Errorf("re-sending a sent file: %d %v", st, p)
	}
	// The integrator receives the file's reference and fetches it with the channel token.
	var got []byte
	eventually(t, 15*time.Second, func() error {
		_, delivered := prov.snapshot()
		d, ok := delivered[msg["id"].(string)]
		if !ok || len(d.Files) != 1 {
			return fmt.Errorf("delivery with the file not received yet")
		}
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/hooks/api/%s/attachments/%s", a.url, a.f.Channel.ID, d.Files[0].ID), nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		got, _ = io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			return fmt.Errorf("fetch: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		return nil
	})
	if !bytes.Equal(got, pngBytes) {
		t.Error("the integrator fetched different bytes")
	}
	// The agent UI reads it back through the API.
	res, err := ag.http.Get(a.url + file["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(body, pngBytes) || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("agent download: %d, %d bytes", res.StatusCode, len(body))
	}
}

func TestVisitorSendsAFile(t *testing.T) {
	s, _, w := newWebchat(t, "sqlite", nil)
	_, v, _ := w.call(http.MethodPost, "/visitors", map[string]string{"name": "Bia"})
	w.token = v["visitor_token"].(string)
	st, file := upload(t, http.DefaultClient, w.base+"/attachments", map[string]string{"Authorization": "Bearer " + w.token, "Origin": w.origin}, "comprovante.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"))
	if st != http.StatusCreated || file["content_type"] != "application/pdf" {
		t.Fatalf("visitor upload: %d %v", st, file)
	}
	st, m, _ := w.call(http.MethodPost, "/messages", map[string]any{"text": "", "client_id": "c-file", "attachment_ids": []string{file["id"].(string)}})
	if st != http.StatusAccepted || len(m["attachments"].([]any)) != 1 {
		t.Fatalf("visitor send: %d %v", st, m)
	}
	// A retry of the same send is the same message, not a refusal.
	if st, again, _ := w.call(http.MethodPost, "/messages", map[string]any{"text": "", "client_id": "c-file", "attachment_ids": []string{file["id"].(string)}}); st != http.StatusAccepted || again["id"] != m["id"] {
		t.Errorf("retried send: %d %v", st, again)
	}
	var msg store.Message
	s.db.Take(&msg, "id = ?", m["id"])
	views, _ := store.MessageViews(t.Context(), s.db, []store.Message{msg})
	if len(views[0].Attachments) != 1 || views[0].Attachments[0].Name != "comprovante.pdf" {
		t.Errorf("agent's view of the message: %+v", views[0].Attachments)
	}
	// Only this visitor can fetch it.
	url := w.base + "/attachments/" + file["id"].(string)
	if res, _ := http.Get(url + "?token=" + w.token); res == nil || res.StatusCode != 200 {
		t.Errorf("visitor fetch failed")
	}
	_, other, _ := (&widget{t: t, base: w.base, origin: w.origin}).call(http.MethodPost, "/visitors", map[string]string{"name": "Outro"})
	if res, _ := http.Get(url + "?token=" + other["visitor_token"].(string)); res == nil || res.StatusCode != 404 {
		t.Errorf("another visitor fetched the file")
	}
}
