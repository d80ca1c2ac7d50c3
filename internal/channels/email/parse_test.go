package email

import (
	"strings"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// A Gmail reply in Portuguese, plain and HTML, with a copy and the thread
// headers: the new text alone, the history behind the HTML, the thread of
// the first message, our own address left out of the copies.
func TestParseReply(t *testing.T) {
	raw := crlf(`From: "Joana Silva" <Joana@Cliente.com.br>
To: suporte@loja.com.br
Cc: financeiro@cliente.com.br, suporte@loja.com.br
Subject: Re: Pedido 1234 =?UTF-8?Q?n=C3=A3o?= chegou
Message-ID: <CAB123@mail.gmail.com>
In-Reply-To: <chatspot.m1@loja.com.br>
References: <first@cliente.com.br> <chatspot.m1@loja.com.br>
Date: Mon, 07 Dec 2026 10:00:00 -0300
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Ainda n=C3=A3o chegou, podem verificar?

Em seg., 7 de dez. de 2026 =C3=A0s 09:00, Suporte <suporte@loja.com.br>
escreveu:
> Seu pedido saiu para entrega.
--b1
Content-Type: text/html; charset="UTF-8"

<div>Ainda n&atilde;o chegou, podem verificar?<script>alert(1)</script></div><img src="https://tracker.example/p.gif"><img src="//tracker.example/q.gif"><blockquote>Seu pedido saiu para entrega.</blockquote>
--b1--
`)
	in, err := Parse("ch1", "suporte@loja.com.br", raw, Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Contact.ExternalID != "joana@cliente.com.br" || in.Contact.Name != "Joana Silva" || in.Contact.Email != "joana@cliente.com.br" {
		t.Errorf("contact %+v", in.Contact)
	}
	if in.Text != "Ainda não chegou, podem verificar?" {
		t.Errorf("text %q: the quoted history must be cut", in.Text)
	}
	if in.Subject != "Re: Pedido 1234 não chegou" || in.ExternalID != "CAB123@mail.gmail.com" {
		t.Errorf("subject %q id %q", in.Subject, in.ExternalID)
	}
	if strings.Join(in.References, " ") != "first@cliente.com.br chatspot.m1@loja.com.br" || in.ThreadKey != ThreadKey("first@cliente.com.br") {
		t.Errorf("references %v thread %q", in.References, in.ThreadKey)
	}
	if strings.Join(in.CC, ",") != "financeiro@cliente.com.br" {
		t.Errorf("cc %v", in.CC)
	}
	if strings.Contains(in.HTML, "<script") || strings.Contains(in.HTML, ` src="https://tracker`) || !strings.Contains(in.HTML, `data-remote-src="https://tracker.example/p.gif"`) ||
		strings.Contains(in.HTML, ` src="//tracker`) {
		t.Errorf("html not sanitised, or the remote image loads: %s", in.HTML)
	}
	if want := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC); !in.At.Equal(want) {
		t.Errorf("at %v", in.At)
	}
}

// An HTML-only mail in Windows-1252 with an inline image and a PDF: text
// from the HTML, the image embedded, the PDF a file stored with it.
func TestParseHTMLWithFiles(t *testing.T) {
	raw := crlf(`From: compras@empresa.com.br
To: suporte@loja.com.br
Subject: =?windows-1252?Q?Cota=E7=E3o?=
Message-ID: <abc@empresa.com.br>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: multipart/related; boundary="r"

--r
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

<p>Segue a cota=E7=E3o.</p><p>Logo: <img src=3D"cid:logo1"></p>
--r
Content-Type: image/png
Content-ID: <logo1>
Content-Disposition: inline
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--r--
--m
Content-Type: application/pdf; name="cotacao.pdf"
Content-Disposition: attachment; filename="cotacao.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--m--
`)
	in, err := Parse("ch1", "suporte@loja.com.br", raw, Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Subject != "Cotação" || !strings.HasPrefix(in.Text, "Segue a cotação.") {
		t.Errorf("subject %q text %q", in.Subject, in.Text)
	}
	if !strings.Contains(in.HTML, `src="data:image/png;base64,iVBORw0KGgo="`) {
		t.Errorf("inline image not embedded: %s", in.HTML)
	}
	if len(in.Media) != 1 || in.Media[0].Name != "cotacao.pdf" || in.Media[0].Kind != channels.MediaDocument || string(in.Media[0].Data) != "%PDF-1.4\n" {
		t.Errorf("files %+v", in.Media)
	}
	if len(in.References) != 0 || in.ThreadKey != ThreadKey("abc@empresa.com.br") {
		t.Errorf("a new mail starts its own thread: %v %q", in.References, in.ThreadKey)
	}
}

// Machines' mail is not a customer's: out-of-office replies, bounces, the
// mailbox's own.
func TestParseSkipsAutomatic(t *testing.T) {
	cases := map[string]string{
		"auto-submitted": "From: a@b.com\nAuto-Submitted: auto-replied\nSubject: Ausente\n\nEstou de férias.\n",
		"x-autoreply":    "From: a@b.com\nX-Autoreply: yes\nSubject: Out of office\n\nAway.\n",
		"precedence":     "From: a@b.com\nPrecedence: auto_reply\nSubject: Recebido\n\nRecebemos.\n",
		"dsn":            "From: MAILER-DAEMON@mx.b.com\nSubject: Undelivered\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: text/plain\n\nfailed\n--x--\n",
		"daemon":         "From: postmaster@b.com\nSubject: Delivery failure\n\nfailed\n",
		"own":            "From: Suporte <suporte@loja.com.br>\nSubject: Re: x\n\nolá\n",
	}
	for name, raw := range cases {
		_, err := Parse("ch1", "suporte@loja.com.br", crlf(raw), Envelope{})
		if _, ok := err.(*Skipped); !ok {
			t.Errorf("%s: taken as a customer's mail (err %v)", name, err)
		}
	}
	if _, err := Parse("ch1", "suporte@loja.com.br", crlf("From: a@b.com\nAuto-Submitted: no\nSubject: oi\n\noi\n"), Envelope{}); err != nil {
		t.Errorf("Auto-Submitted: no is a person's mail: %v", err)
	}
}

// Malformed mail is taken as far as it can be read: a broken multipart
// keeps its header and what came before; a mail without Message-ID gets
// the same derived id every time; an unreadable header falls back on the
// server's envelope.
func TestParseMalformed(t *testing.T) {
	broken := crlf("From: a@b.com\nSubject: quebrado\nMessage-ID: <x1@b.com>\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\nContent-Type: text/plain\n\nprimeira parte\n--zz\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!not base64")
	in, err := Parse("ch1", "s@l.com", broken, Envelope{})
	if err != nil || in.ExternalID != "x1@b.com" || in.Subject != "quebrado" || !strings.Contains(in.Text, "primeira parte") {
		t.Errorf("broken multipart: %+v %v", in, err)
	}
	noID := crlf("From: a@b.com\nSubject: sem id\n\ntexto\n")
	a, _ := Parse("ch1", "s@l.com", noID, Envelope{})
	b, _ := Parse("ch1", "s@l.com", noID, Envelope{})
	if a.ExternalID == "" || a.ExternalID != b.ExternalID {
		t.Errorf("derived ids %q %q", a.ExternalID, b.ExternalID)
	}
	garbage := []byte("\x00\xff\xfe not a header at all\r\n\r\n\xc3\x28 body")
	g, err := Parse("ch1", "s@l.com", garbage, Envelope{From: "c@d.com", Subject: "do envelope", MessageID: "env@d.com"})
	if err != nil || g.Contact.ExternalID != "c@d.com" || g.ExternalID != "env@d.com" || strings.ContainsRune(g.Text, 0) {
		t.Errorf("garbage: %+v %v", g, err)
	}
}
