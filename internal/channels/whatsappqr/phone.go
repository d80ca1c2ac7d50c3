package whatsappqr

import "strings"

// E164 is a WhatsApp user id (the phone number's digits) in E.164, with
// the ninth digit Brazilian mobile numbers have had since 2016: WhatsApp
// still addresses many numbers registered before that without it
// (55 11 8765-4321), and the same customer must be one contact whichever
// form an id arrives in and whether they wrote on WhatsApp or by SMS.
func E164(user string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, user)
	if len(digits) == 12 && strings.HasPrefix(digits, "55") && isMobileStart(digits[4]) {
		digits = digits[:4] + "9" + digits[4:]
	}
	return "+" + digits
}

// isMobileStart: Brazilian mobile numbers without their ninth digit start
// with 6 to 9 (landlines with 2 to 5).
func isMobileStart(d byte) bool { return d >= '6' && d <= '9' }

// lookupForms are the forms of a Brazilian mobile number to ask WhatsApp
// about (with the ninth digit and without); other numbers have one.
func lookupForms(e164 string) []string {
	digits := strings.TrimPrefix(e164, "+")
	if len(digits) == 13 && strings.HasPrefix(digits, "55") && digits[4] == '9' && isMobileStart(digits[5]) {
		return []string{"+" + digits, "+" + digits[:4] + digits[5:]}
	}
	return []string{"+" + digits}
}
