package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// list is the envelope of list answers: {"items": [...]}.
type list[T any] struct {
	Items []T `json:"items"`
}

// paged is a list with the cursor of the next page ("" at the end).
type paged[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// cursorList is a list whose next page's cursor is null at the end.
type cursorList[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// ruleList is GET /rules' answer: the rules and what the editor offers.
type ruleList struct {
	Items      []RuleJSON `json:"items"`
	Events     []string   `json:"events"`
	Strategies []string   `json:"strategies"`
}

// profileList is GET /profiles' answer: the profiles and every permission.
type profileList struct {
	Items          []ProfileJSON `json:"items"`
	AllPermissions []string      `json:"all_permissions"`
}

// board is GET /pipelines/:id/board's answer.
type board struct {
	Pipeline PipelineView `json:"pipeline"`
	Cards    []CardView   `json:"cards"`
}

// contactItem is a contact in a search result.
type contactItem struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// stageReplySent answers a stage quick reply sent.
type stageReplySent struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	Body           string `json:"body"`
}

// responseTypes are the success bodies of the routes documented with a
// schema; the document is generated from these Go types, and a test
// validates real answers against it. Routes not listed are documented
// without a body schema (yet).
var responseTypes = map[string]any{
	"GET /api/v1/users":                       list[UserJSON]{},
	"GET /api/v1/me":                          Me{},
	"POST /api/v1/users":                      UserJSON{},
	"PATCH /api/v1/users/:id":                 UserJSON{},
	"GET /api/v1/profiles":                    profileList{},
	"POST /api/v1/profiles":                   ProfileJSON{},
	"PATCH /api/v1/profiles/:id":              ProfileJSON{},
	"POST /api/v1/teams":                      TeamJSON{},
	"PATCH /api/v1/teams/:id":                 TeamJSON{},
	"POST /api/v1/tokens":                     TokenJSON{},
	"POST /api/v1/channels":                   ChannelJSON{},
	"GET /api/v1/channels/:id":                ChannelJSON{},
	"PATCH /api/v1/channels/:id":              ChannelJSON{},
	"POST /api/v1/conversations/:id/assign":   store.ConversationView{},
	"POST /api/v1/conversations/:id/transfer": store.ConversationView{},
	"POST /api/v1/conversations/:id/tags":     store.ConversationView{},
	"POST /api/v1/conversations/:id/priority": store.ConversationView{},
	"POST /api/v1/conversations/:id/snooze":   store.ConversationView{},
	"POST /api/v1/conversations/:id/close":    store.ConversationView{},
	"POST /api/v1/conversations/:id/reopen":   store.ConversationView{},
	"GET /api/v1/teams":                       list[TeamJSON]{},
	"GET /api/v1/account":                     AccountSettings{},
	"PATCH /api/v1/account":                   AccountSettings{},

	"GET /api/v1/conversations":               cursorList[store.ConversationView]{},
	"GET /api/v1/contacts/:id/messages":       cursorList[store.MessageView]{},
	"POST /api/v1/conversations/:id/messages": store.MessageView{},
	"POST /api/v1/messages/:id/retry":         store.MessageView{},
	"GET /api/v1/conversations/:id/rules":     list[store.RuleRun]{},
	"GET /api/v1/channels":                    list[channelItem]{},
	"GET /api/v1/tokens":                      list[TokenJSON]{},
	"GET /api/v1/quick-replies":               list[store.QuickReply]{},
	"POST /api/v1/quick-replies":              store.QuickReply{},
	"PATCH /api/v1/quick-replies/:id":         store.QuickReply{},
	"GET /api/v1/rules":                       ruleList{},
	"POST /api/v1/rules":                      RuleJSON{},
	"PATCH /api/v1/rules/:id":                 RuleJSON{},

	"GET /api/v1/contacts":       paged[contactItem]{},
	"POST /api/v1/contacts":      ContactDetail{},
	"PUT /api/v1/contacts":       ContactDetail{},
	"GET /api/v1/contacts/:id":   ContactDetail{},
	"PATCH /api/v1/contacts/:id": ContactDetail{},

	"GET /api/v1/pipelines":                               list[PipelineView]{},
	"POST /api/v1/pipelines":                              PipelineView{},
	"PATCH /api/v1/pipelines/:id":                         PipelineView{},
	"GET /api/v1/pipelines/:id/board":                     board{},
	"POST /api/v1/pipelines/:id/stages":                   StageView{},
	"PUT /api/v1/pipelines/:id/stage-order":               PipelineView{},
	"PATCH /api/v1/stages/:id":                            StageView{},
	"POST /api/v1/stages/:id/quick-replies":               StageReplyView{},
	"PATCH /api/v1/stage-quick-replies/:id":               StageReplyView{},
	"POST /api/v1/cards":                                  CardDetail{},
	"GET /api/v1/cards/:id":                               CardDetail{},
	"PATCH /api/v1/cards/:id":                             CardDetail{},
	"POST /api/v1/cards/:id/move":                         CardDetail{},
	"POST /api/v1/cards/:id/status":                       CardDetail{},
	"POST /api/v1/cards/:id/notes":                        CardNoteView{},
	"POST /api/v1/cards/:id/conversations":                CardDetail{},
	"POST /api/v1/cards/:id/follow-ups":                   FollowUpView{},
	"PATCH /api/v1/follow-ups/:id":                        FollowUpView{},
	"GET /api/v1/conversations/:id/cards":                 list[CardView]{},
	"GET /api/v1/scheduled-messages":                      list[store.ScheduledMessageView]{},
	"POST /api/v1/scheduled-messages":                     store.ScheduledMessageView{},
	"PATCH /api/v1/scheduled-messages/:id":                store.ScheduledMessageView{},
	"DELETE /api/v1/scheduled-messages/:id":               store.ScheduledMessageView{},
	"GET /api/v1/agenda":                                  list[AgendaItem]{},
	"POST /api/v1/cards/:id/quick-replies/:reply_id/send": stageReplySent{},

	"GET /api/v1/webhook-events":                 list[string]{},
	"GET /api/v1/webhooks":                       list[WebhookEndpointView]{},
	"POST /api/v1/webhooks":                      WebhookEndpointView{},
	"PATCH /api/v1/webhooks/:id":                 WebhookEndpointView{},
	"POST /api/v1/webhooks/:id/ping":             WebhookDeliveryView{},
	"GET /api/v1/webhooks/:id/deliveries":        paged[WebhookDeliveryView]{},
	"POST /api/v1/webhook-deliveries/:id/replay": WebhookDeliveryView{},
}

// schemaSet turns Go types into JSON Schemas (OpenAPI 3.1), named
// structs into shared components.
type schemaSet struct {
	components map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// of returns the schema of t: a $ref for named structs.
func (s *schemaSet) of(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := s.of(t.Elem())
		return map[string]any{"oneOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := s.components[name]; !ok {
			s.components[name] = map[string]any{} // placeholder against recursion
			s.components[name] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is a struct's schema: its JSON fields (embedded structs
// flattened), those without omitempty required.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				walk(f.Type)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = s.of(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// schemaName names a struct's component, generic instances included
// (list[api.CardView] → ListCardView).
func schemaName(t reflect.Type) string {
	n := t.Name()
	base, args, generic := strings.Cut(n, "[")
	if !generic {
		return strings.ToUpper(n[:1]) + n[1:]
	}
	args = strings.TrimSuffix(args, "]")
	if i := strings.LastIndex(args, "."); i >= 0 {
		args = args[i+1:]
	}
	return strings.ToUpper(base[:1]) + base[1:] + strings.ToUpper(args[:1]) + args[1:]
}
