package channels

import (
	"regexp"
	"strconv"
)

var templateVariable = regexp.MustCompile(`\{\{\s*(\d+)\s*\}\}`)

// TemplateVariables is how many numbered variables ({{1}}..{{n}}) a
// template text has: the highest number in it.
func TemplateVariables(text string) int {
	n := 0
	for _, m := range templateVariable.FindAllStringSubmatch(text, -1) {
		k, _ := strconv.Atoi(m[1])
		n = max(n, k)
	}
	return n
}

// RenderTemplate fills a template text's variables with params ({{1}} is
// the first); a variable without a value stays as it is.
func RenderTemplate(text string, params []string) string {
	return templateVariable.ReplaceAllStringFunc(text, func(v string) string {
		k, _ := strconv.Atoi(templateVariable.FindStringSubmatch(v)[1])
		if k >= 1 && k <= len(params) {
			return params[k-1]
		}
		return v
	})
}
