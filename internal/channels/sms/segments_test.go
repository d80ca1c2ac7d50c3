package sms

import (
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		limits   Limits
		segments int
		encoding string
		length   int
	}{
		{"plain Portuguese without accents", "Ola, seu pedido foi enviado. Obrigado!", Standard, 1, GSM7, 38},
		{"é and à are GSM-7", "Você é à", Standard, 1, UCS2, 8}, // ê is not
		{"GSM-7 accents only", "Até já, café à vontade", Standard, 1, UCS2, 22},
		{"é è à ü in GSM-7", "é è à ü Ç", Standard, 1, GSM7, 9},
		{"ç makes it UCS-2", "Promoção", Standard, 1, UCS2, 8},
		{"160 GSM-7 is one", strings.Repeat("a", 160), Standard, 1, GSM7, 160},
		{"161 GSM-7 is two", strings.Repeat("a", 161), Standard, 2, GSM7, 161},
		{"306 GSM-7 is two", strings.Repeat("a", 306), Standard, 2, GSM7, 306},
		{"307 GSM-7 is three", strings.Repeat("a", 307), Standard, 3, GSM7, 307},
		{"Zenvia: 305 GSM-7 is three", strings.Repeat("a", 305), Zenvia, 3, GSM7, 305},
		{"extension characters count two", strings.Repeat("€", 80), Standard, 1, GSM7, 160},
		{"one more extension character", strings.Repeat("€", 80) + "a", Standard, 2, GSM7, 161},
		{"70 UCS-2 is one", strings.Repeat("ã", 70), Standard, 1, UCS2, 70},
		{"71 UCS-2 is two", strings.Repeat("ã", 71), Standard, 2, UCS2, 71},
		{"Zenvia: 133 UCS-2 is three", strings.Repeat("ã", 133), Zenvia, 3, UCS2, 133},
		{"Standard: 134 UCS-2 is two", strings.Repeat("ã", 134), Standard, 2, UCS2, 134},
		{"an emoji is two UCS-2 units", "Oi 😀", Standard, 1, UCS2, 5},
		{"a real notice with accents", "Olá, Maria! Sua encomenda nº 4521 saiu para entrega hoje. Acompanhe pelo link enviado por e-mail. Dúvidas? Responda esta mensagem.", Standard, 2, UCS2, 130},
	}
	for _, c := range cases {
		segs, enc, n := Count(c.text, c.limits)
		if segs != c.segments || enc != c.encoding || n != c.length {
			t.Errorf("%s: %d segments %s length %d, want %d %s %d", c.name, segs, enc, n, c.segments, c.encoding, c.length)
		}
	}
}
