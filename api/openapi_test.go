package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute: the document is built from the route
// table, so each registered route must appear with its method, its path
// parameters and its permission.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := newEnv(t, "sqlite")
	doc := e.browser().do(http.MethodGet, "/api/v1/openapi.json", nil)
	if doc.status != 200 || doc.body["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d %s", doc.status, doc.raw[:min(200, len(doc.raw))])
	}
	paths := doc.body["paths"].(map[string]any)
	n := 0
	for _, r := range e.srv.Routes() {
		n++
		p := r.Path
		var params []string
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				params = append(params, seg[1:])
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		ops, ok := paths[p].(map[string]any)
		if !ok {
			t.Errorf("%s %s is not documented", r.Method, r.Path)
			continue
		}
		op, ok := ops[strings.ToLower(r.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s: method missing from the document", r.Method, r.Path)
			continue
		}
		if r.Permission != "" && !strings.Contains(op["description"].(string), string(r.Permission)) {
			t.Errorf("%s %s: the permission %s is not stated", r.Method, r.Path, r.Permission)
		}
		got, _ := op["parameters"].([]any)
		if len(got) != len(params) {
			t.Errorf("%s %s: %d parameters documented, want %d", r.Method, r.Path, len(got), len(params))
		}
	}
	if n < 50 {
		t.Errorf("only %d routes registered?", n)
	}
	// Every channel kind's provider webhook is documented.
	for _, hook := range []string{"/hooks/api/{channel_id}", "/hooks/telegram/{channel_id}"} {
		ops, ok := paths[hook].(map[string]any)
		if !ok || ops["post"] == nil {
			t.Errorf("%s is not documented", hook)
		}
	}
	page := e.browser().do(http.MethodGet, "/api/docs", nil)
	if page.status != 200 || !strings.Contains(page.raw, "/api/v1/conversations/:id/messages") {
		t.Errorf("docs page: %d", page.status)
	}
}
