// Command mailserve runs the test IMAP and SMTP servers of package
// mailtest for the browser end-to-end test, with a small HTTP control
// API: it prints {"imap": addr, "smtp": addr, "control": url} on its first
// line, then serves POST /deliver (a raw mail into INBOX) and GET /sent
// (the mails the SMTP server received, as JSON) until stdin closes.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/chatspot/chatspot/internal/channels/email/mailtest"
)

func main() {
	user, password := os.Getenv("MAIL_USER"), os.Getenv("MAIL_PASSWORD")
	if user == "" {
		user, password = "suporte", "s3nha"
	}
	srv, err := mailtest.New(user, password)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /deliver", func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		if err := srv.Append("INBOX", string(raw)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /sent", func(w http.ResponseWriter, r *http.Request) {
		type mail struct {
			From string   `json:"from"`
			To   []string `json:"to"`
			Data string   `json:"data"`
		}
		out := []mail{}
		for _, m := range srv.Sent() {
			out = append(out, mail{From: m.From, To: m.To, Data: string(m.Data)})
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(l, mux)
	line, _ := json.Marshal(map[string]string{"imap": srv.IMAPAddr, "smtp": srv.SMTPAddr, "control": "http://" + l.Addr().String()})
	fmt.Println(string(line))
	_, _ = io.Copy(io.Discard, os.Stdin) // runs until the test closes stdin or exits
}
