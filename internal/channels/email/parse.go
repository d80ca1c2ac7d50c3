package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"io"
	"mime"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-1, Windows-1252 and the rest: common in Brazilian mail
	"github.com/emersion/go-message/mail"
	"github.com/microcosm-cc/bluemonday"

	"github.com/chatspot/chatspot/internal/channels"
)

// Limits of what one mail brings in.
const (
	maxText     = 100_000 // characters of text kept
	maxHTML     = 2 << 20 // bytes of sanitised HTML kept; a larger body is shown as text
	maxInline   = 1 << 20 // bytes of inline images embedded in the HTML
	maxFileSize = 25 << 20
)

// Envelope is what the IMAP server parsed of a mail itself: used where
// our own parsing of a malformed mail cannot read the header.
type Envelope struct {
	From      string
	FromName  string
	Subject   string
	MessageID string
	InReplyTo []string
	Date      time.Time
}

// Skipped is a mail that is not a customer's message (an auto-reply, a
// bounce, our own), with why.
type Skipped struct{ Reason string }

func (s *Skipped) Error() string { return s.Reason }

// Parse reads a raw mail into the inbox's message. A mail that cannot be
// read fully is taken as far as it can be (the envelope fills in the
// header); auto-replies, bounces and the mailbox's own mail answer a
// *Skipped error.
func Parse(channelID, own string, raw []byte, env Envelope) (channels.Inbound, error) {
	in := channels.Inbound{ChannelID: channelID}
	r, _ := mail.CreateReader(bytes.NewReader(raw)) // an unknown charset still reads
	var h mail.Header
	if r != nil {
		h = r.Header
	}
	if reason := automatic(h); reason != "" {
		return in, &Skipped{Reason: reason}
	}
	from := env.From
	fromName := env.FromName
	if addrs, err := h.AddressList("From"); err == nil && len(addrs) > 0 {
		from, fromName = addrs[0].Address, addrs[0].Name
	}
	from = strings.ToLower(strings.TrimSpace(from))
	switch {
	case from == "":
		return in, &Skipped{Reason: "no sender address"}
	case from == own:
		return in, &Skipped{Reason: "sent by this mailbox"}
	case isDaemon(from):
		return in, &Skipped{Reason: "a delivery report from " + from}
	}
	in.Contact = channels.InboundContact{ExternalID: from, Name: clean(fromName), Email: from}
	in.Subject = clean(env.Subject)
	if s, err := h.Subject(); err == nil && s != "" {
		in.Subject = clean(s)
	}
	in.ExternalID = env.MessageID
	if id, err := h.MessageID(); err == nil && id != "" {
		in.ExternalID = id
	}
	if in.ExternalID == "" {
		// No Message-ID: one derived from the mail itself, the same on
		// every rescan.
		sum := sha256.Sum256(raw)
		in.ExternalID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	refs, _ := h.MsgIDList("References")
	parents, _ := h.MsgIDList("In-Reply-To")
	if len(parents) == 0 {
		parents = env.InReplyTo
	}
	in.References = limitRefs(appendNew(refs, parents...))
	in.ThreadKey = ThreadKey(append(in.References, in.ExternalID)[0])
	in.At = env.Date
	if d, err := h.Date(); err == nil && !d.IsZero() {
		in.At = d
	}
	if cc, err := h.AddressList("Cc"); err == nil {
		for _, a := range cc {
			if addr := strings.ToLower(a.Address); addr != own && addr != from {
				in.CC = append(in.CC, addr)
			}
		}
	}
	if r == nil {
		// Not even the header could be read: the raw text is what there is.
		in.Text = clean(string(raw))
		return in, nil
	}
	body := readParts(r)
	in.Media = body.files
	text := body.text
	if text == "" && body.html != "" {
		text = htmlText(body.html)
	}
	newPart, quoted := splitQuoted(text)
	in.Text = clean(newPart)
	switch {
	case body.html != "":
		in.HTML = sanitize(body.html, body.inline)
	case quoted:
		// Plain mail with history: the whole of it is kept for the agent
		// who expands it.
		in.HTML = "<pre>" + html.EscapeString(clean(text)) + "</pre>"
	}
	if len(in.HTML) > maxHTML {
		in.HTML = ""
	}
	if in.Text == "" && len(in.Media) == 0 {
		in.Text = in.Subject
	}
	return in, nil
}

// maxRefs bounds the references a mail brings (its thread's first and
// latest ones), so a header of thousands of ids cannot stall its folder.
const maxRefs = 50

func limitRefs(refs []string) []string {
	if len(refs) <= maxRefs {
		return refs
	}
	return append(refs[:1:1], refs[len(refs)-maxRefs+1:]...)
}

// ThreadKey is the conversation thread of a mail whose thread starts with
// the message id root.
func ThreadKey(root string) string {
	sum := sha256.Sum256([]byte(root))
	return "mail:" + hex.EncodeToString(sum[:8])
}

// automatic names why a mail was sent by a machine (RFC 3834's
// Auto-Submitted, the headers auto-responders set, a delivery status
// report), "" for a person's mail.
func automatic(h mail.Header) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "an automatic reply (Auto-Submitted: " + v + ")"
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if h.Get(k) != "" {
			return "an automatic reply (" + k + ")"
		}
	}
	if p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p == "auto_reply" || p == "bulk" || p == "junk" {
		return "an automatic or bulk mail (Precedence: " + p + ")"
	}
	if t, params, _ := h.ContentType(); t == "multipart/report" {
		return "a delivery report (" + params["report-type"] + ")"
	}
	return ""
}

func isDaemon(addr string) bool {
	local, _, _ := strings.Cut(addr, "@")
	return local == "mailer-daemon" || local == "postmaster"
}

// parts is what a mail's body holds.
type parts struct {
	text, html string
	inline     map[string]string // Content-ID -> data: URI, for the HTML
	files      []channels.Media
}

// readParts walks the mail's parts: the first plain and HTML texts, inline
// images the HTML shows, attached files. A part that cannot be read ends
// the walk with what was read so far.
func readParts(r *mail.Reader) parts {
	var p parts
	p.inline = map[string]string{}
	inlineBytes := 0
	for {
		part, err := r.NextPart()
		if err == io.EOF || (err != nil && !message.IsUnknownCharset(err)) {
			return p
		}
		data, err := io.ReadAll(io.LimitReader(part.Body, maxFileSize+1))
		if err != nil && len(data) == 0 {
			return p
		}
		switch h := part.Header.(type) {
		case *mail.InlineHeader:
			t, _, _ := h.ContentType()
			cid := strings.Trim(h.Get("Content-Id"), "<> ")
			switch {
			case t == "text/plain" && p.text == "":
				p.text = string(data)
			case t == "text/html" && p.html == "":
				p.html = string(data)
			case strings.HasPrefix(t, "image/") && cid != "" && inlineBytes+len(data) <= maxInline:
				inlineBytes += len(data)
				p.inline[cid] = "data:" + t + ";base64," + base64.StdEncoding.EncodeToString(data)
			case !strings.HasPrefix(t, "text/"):
				p.files = append(p.files, file(t, filename(h.Header, t), data))
			}
		case *mail.AttachmentHeader:
			t, _, _ := h.ContentType()
			name, _ := h.Filename()
			if name == "" {
				name = filename(h.Header, t)
			}
			p.files = append(p.files, file(t, name, data))
		}
	}
}

func file(contentType, name string, data []byte) channels.Media {
	kind := channels.MediaDocument
	for _, k := range []string{channels.MediaImage, channels.MediaAudio, channels.MediaVideo} {
		if strings.HasPrefix(contentType, k+"/") {
			kind = k
		}
	}
	return channels.Media{Ref: "inline", Kind: kind, Name: clean(name), ContentType: contentType, Size: int64(len(data)), Data: data}
}

// filename names a part without one from its type.
func filename(h message.Header, contentType string) string {
	if _, params, err := h.ContentDisposition(); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	if _, params, err := h.ContentType(); err == nil && params["name"] != "" {
		return params["name"]
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		ext = exts[0]
	}
	return "anexo" + ext
}

// quoteMarkers start the quoted history a reply carries below the new
// text, as the common mail clients write it (English and Portuguese).
var quoteMarkers = regexp.MustCompile(`(?i)^(on\s.+wrote:|em\s.+escreveu:|-{2,}\s*(original message|mensagem original)\s*-{2,}|_{20,}|(from|de):\s.+|>.*)$`)

// splitQuoted cuts a reply's text at its quoted history: the new text,
// and whether there was history.
func splitQuoted(text string) (string, bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		l := strings.TrimSpace(line)
		joined := l
		if i+1 < len(lines) {
			joined = l + " " + strings.TrimSpace(lines[i+1]) // Gmail wraps a long attribution
		}
		if i > 0 && (quoteMarkers.MatchString(l) || (strings.HasPrefix(strings.ToLower(l), "on ") || strings.HasPrefix(strings.ToLower(l), "em ")) && quoteMarkers.MatchString(joined)) {
			if head := strings.TrimSpace(strings.Join(lines[:i], "\n")); head != "" {
				return head, true
			}
			return text, false
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n")), false
}

// policy is what HTML mail keeps: the user-generated-content elements
// with mail's presentational attributes, inline images as data: URIs; no
// scripts, styles, forms or frames.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("align", "bgcolor", "color", "width", "height", "border", "cellpadding", "cellspacing", "valign").Globally()
	p.AllowDataURIImages()
	p.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// imageSrc is an image's source in sanitised HTML (bluemonday writes
// attributes in double quotes).
var imageSrc = regexp.MustCompile(`(<img\b[^>]*?\s)src="([^"]*)"`)

// sanitize cleans an HTML body for agents' screens: inline images
// embedded, every other image not loaded (data-remote-src) until the agent
// asks.
func sanitize(body string, inline map[string]string) string {
	for cid, uri := range inline {
		body = strings.ReplaceAll(body, "cid:"+cid, uri)
	}
	safe := strings.ReplaceAll(policy.Sanitize(strings.ToValidUTF8(body, "")), "\x00", "")
	return imageSrc.ReplaceAllStringFunc(safe, func(tag string) string {
		m := imageSrc.FindStringSubmatch(tag)
		if strings.HasPrefix(m[2], "data:") {
			return tag // embedded: nothing to load
		}
		return m[1] + `data-remote-src="` + m[2] + `"` // absolute, protocol-relative or relative: not loaded
	})
}

var (
	blockEnd    = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|tr|li|h[1-6]|blockquote)>`)
	plainPolicy = bluemonday.StrictPolicy()
)

// htmlText is the plain text of an HTML-only mail.
func htmlText(body string) string {
	s := blockEnd.ReplaceAllString(body, "\n")
	s = html.UnescapeString(plainPolicy.Sanitize(s))
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.TrimRight(l, " \t\u00a0"))
	}
	return strings.TrimSpace(regexp.MustCompile(`\n{3,}`).ReplaceAllString(strings.Join(out, "\n"), "\n\n"))
}

// clean makes text storable on both databases: valid UTF-8, no NUL, not
// longer than maxText.
func clean(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if utf8.RuneCountInString(s) > maxText {
		s = string([]rune(s)[:maxText]) + "…"
	}
	return s
}

// appendNew appends the ids not in list yet.
func appendNew(list []string, ids ...string) []string {
	for _, id := range ids {
		found := false
		for _, l := range list {
			found = found || l == id
		}
		if !found && id != "" {
			list = append(list, id)
		}
	}
	return list
}
