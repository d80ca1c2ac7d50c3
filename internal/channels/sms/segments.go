package sms

import (
	"strings"
	"unicode/utf16"
)

// Encodings of an SMS.
const (
	GSM7 = "gsm7"
	UCS2 = "ucs2"
)

// gsmBasic is the GSM 03.38 default alphabet: one septet each.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension are the characters of the extension table: an escape and
// the character, two septets each.
const gsmExtension = "^{}\\[~]|€\f"

// Limits are a provider's characters per single message and per part of
// a concatenated one, for each encoding.
type Limits struct {
	GSMSingle, GSMPart   int
	UCS2Single, UCS2Part int
}

// Standard is the 3GPP count (Twilio's): the user data header of a
// concatenated message takes 7 septets (153 per part) or 3 UCS-2
// characters (67).
var Standard = Limits{GSMSingle: 160, GSMPart: 153, UCS2Single: 70, UCS2Part: 67}

// Zenvia counts 152 GSM-7 and 66 UCS-2 characters per concatenated part.
var Zenvia = Limits{GSMSingle: 160, GSMPart: 152, UCS2Single: 70, UCS2Part: 66}

// Count is how a text is sent: its encoding, its length in that encoding
// (GSM-7 septets, UCS-2 code units) and its segments. One character
// outside GSM-7 (ã, õ, â, ê, ô, ç, an emoji) makes the whole message
// UCS-2.
func Count(text string, l Limits) (segments int, encoding string, length int) {
	if text == "" {
		return 0, GSM7, 0
	}
	septets := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			units := len(utf16.Encode([]rune(text)))
			return parts(units, l.UCS2Single, l.UCS2Part), UCS2, units
		}
	}
	return parts(septets, l.GSMSingle, l.GSMPart), GSM7, septets
}

func parts(n, single, part int) int {
	if n <= single {
		return 1
	}
	return (n + part - 1) / part
}
