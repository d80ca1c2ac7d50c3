package api

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// openAPI builds the OpenAPI 3.1 document from the registered route table,
// so a route cannot exist without being documented. It describes paths,
// parameters, authentication, the permission each route needs, the error
// format and, for the routes in responseTypes, the success body's schema
// generated from its Go type.
func (s *Server) openAPI() map[string]any {
	paths := map[string]map[string]any{}
	schemas := &schemaSet{components: map[string]any{}}
	for _, r := range s.routes {
		path, params := openAPIPath(r.Path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		perm := "any logged-in user or token"
		if r.Permission != "" {
			perm = "permission `" + string(r.Permission) + "`"
		}
		op := map[string]any{
			"operationId": operationID(r.Method, r.Path),
			"summary":     fmt.Sprintf("%s %s", r.Method, r.Path),
			"description": "Requires " + perm + ". Browser sessions also send X-CSRF-Token on state-changing requests.",
			"security":    []any{map[string]any{"session": []any{}}, map[string]any{"token": []any{}}},
			"responses": map[string]any{
				"2XX":     map[string]any{"description": "Success"},
				"4XX":     map[string]any{"$ref": "#/components/responses/Problem"},
				"default": map[string]any{"$ref": "#/components/responses/Problem"},
			},
		}
		if t, ok := responseTypes[r.Method+" "+r.Path]; ok {
			op["responses"].(map[string]any)["2XX"] = successResponse(t, schemas)
		}
		if len(params) > 0 {
			var ps []any
			for _, p := range params {
				ps = append(ps, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
			op["parameters"] = ps
		}
		if body := requestBody(requestTypes[r.Method+" "+r.Path], schemas); body != nil {
			op["requestBody"] = body
		}
		paths[path][strings.ToLower(r.Method)] = op
	}
	for _, h := range s.hooks {
		path, params := openAPIPath(h.Path)
		var ps []any
		for _, p := range params {
			ps = append(ps, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		paths[path] = map[string]any{}
		for _, method := range []string{"post", "get"} {
			paths[path][method] = map[string]any{
				"operationId": operationID(strings.ToUpper(method), h.Path),
				"summary":     fmt.Sprintf("%s channel webhook", h.Kind.Label),
				"description": "Called by the provider of " + h.Kind.Label + " channels, in its own wire format; verified by its signature, " +
					"secret token or the channel's token (401 when missing or wrong, nothing stored). 2xx: stored (once per provider message id); " +
					"5xx: nothing past the last stored message was kept, retry the same request.",
				"tags":       []any{"channel webhooks"},
				"parameters": ps,
				"security":   []any{},
				"responses": map[string]any{
					"2XX":     map[string]any{"description": "Stored"},
					"4XX":     map[string]any{"$ref": "#/components/responses/Problem"},
					"default": map[string]any{"$ref": "#/components/responses/Problem"},
				},
			}
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "CHATSPOT API",
			"version":     "v1",
			"description": "Omnichannel customer service: conversations, messages, contacts, channels, rules, users and teams.",
		},
		"servers": []any{map[string]any{"url": s.BaseURL}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (cst_...) created under Administration → API tokens."},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
			"schemas": withProblem(schemas.components, map[string]any{
				"type":     "object",
				"required": []any{"type", "title", "status"},
				"properties": map[string]any{
					"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
					"status": map[string]any{"type": "integer"}, "detail": map[string]any{"type": "string"},
					"field": map[string]any{"type": "string", "description": "The input field the error is about."},
				},
			}),
			"responses": map[string]any{
				"Problem": map[string]any{
					"description": "RFC 9457 problem details",
					"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
				},
			},
		},
	}
}

// successResponse documents a route's success answer from its entry in
// responseTypes.
func successResponse(t any, schemas *schemaSet) map[string]any {
	switch t.(type) {
	case noContent:
		return map[string]any{"description": "Done; no body (204)"}
	case eventStream:
		return map[string]any{"description": "Server-sent events: `id`, `event` (conversation.*, message.*, card.*) and `data` (JSON); reconnect with Last-Event-ID to resume without gaps",
			"content": map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}}
	case fileDownload:
		return map[string]any{"description": "The file, with its Content-Type and Content-Disposition",
			"content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
	}
	return map[string]any{"description": "Success",
		"content": map[string]any{"application/json": map[string]any{"schema": schemas.of(reflect.TypeOf(t))}}}
}

// requestBody documents what a route accepts from its entry in
// requestTypes; nil when it takes no body.
func requestBody(t any, schemas *schemaSet) map[string]any {
	switch t.(type) {
	case nil, noContent:
		return nil
	case multipartFile:
		return map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
			"type": "object", "required": []any{"file"}, "properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}}}}
	}
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemas.input(reflect.TypeOf(t))}}}
}

func withProblem(components map[string]any, problem map[string]any) map[string]any {
	components["Problem"] = problem
	return components
}

// openAPIPath turns /a/:id into /a/{id} and lists the parameters.
func openAPIPath(p string) (string, []string) {
	var params []string
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			params = append(params, s[1:])
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/"), params
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.TrimPrefix(seg, ":")
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func (s *Server) serveOpenAPI(c *gin.Context) {
	c.JSON(http.StatusOK, s.openAPI())
}

// apiDocs is a human page listing every route with its permission.
func (s *Server) apiDocs(c *gin.Context) {
	routes := append([]Route(nil), s.routes...)
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><meta charset="utf-8"><title>CHATSPOT API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #ddd}code{background:#f2f4f8;padding:0 .2rem}</style>
<h1>CHATSPOT API v1</h1><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer cst_…</code>; errors are <code>application/problem+json</code> with <code>field</code> naming the input.</p>
<table><tr><th>Method</th><th>Path</th><th>Permission</th></tr>`)
	for _, r := range routes {
		perm := "—"
		if r.Permission != "" {
			perm = string(r.Permission)
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td><code>%s</code></td><td>%s</td></tr>", r.Method, r.Path, perm)
	}
	b.WriteString("</table></html>")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}
