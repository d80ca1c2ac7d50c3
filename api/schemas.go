package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
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

// Markers for answers that are not a JSON body.
type (
	noContent    struct{} // 204
	eventStream  struct{} // text/event-stream
	fileDownload struct{} // the stored file's bytes
)

// responseTypes are the success bodies of the routes documented with a
// schema; the document is generated from these Go types, and a test
// validates real answers against it; a test also requires every route to
// be listed.
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
	"POST /api/v1/messages/:id/hide":          store.MessageView{},
	"POST /api/v1/channels/:id/oauth":         oauthStart{},
	"DELETE /api/v1/messages/:id":             store.MessageView{},
	"GET /api/v1/conversations/:id/thread":    channels.ThreadInfo{},
	"GET /api/v1/conversations/:id/rules":     list[store.RuleRun]{},
	"GET /api/v1/channels":                    list[channelItem]{},
	"GET /api/v1/channel-kinds":               list[KindView]{},
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
	"GET /api/v1/webhook-deliveries/:id":         WebhookDeliveryDetail{},
	"POST /api/v1/webhooks/:id/rotate-secret":    rotatedSecret{},
	"DELETE /api/v1/webhooks/:id":                noContent{},

	"POST /api/v1/auth/logout":                 noContent{},
	"PUT /api/v1/me/status":                    MeUser{},
	"POST /api/v1/users/:id/password":          noContent{},
	"DELETE /api/v1/profiles/:id":              noContent{},
	"DELETE /api/v1/teams/:id":                 noContent{},
	"GET /api/v1/sessions":                     sessionList{},
	"DELETE /api/v1/sessions/:id":              noContent{},
	"DELETE /api/v1/tokens/:id":                noContent{},
	"GET /api/v1/audit":                        list[AuditEntryJSON]{},
	"GET /api/v1/stream":                       eventStream{},
	"POST /api/v1/channels/:id/rotate-token":   ChannelJSON{},
	"GET /api/v1/reports/whatsapp-costs":       CostReport{},
	"GET /api/v1/billing":                      BillingView{},
	"PUT /api/v1/billing/settings":             BillingView{},
	"GET /api/v1/billing/entries":              ledgerPage{},
	"GET /api/v1/billing/recharges":            rechargeList{},
	"POST /api/v1/billing/recharges":           billing.Recharge{},
	"GET /api/v1/billing/recharges/:id":        billing.Recharge{},
	"POST /api/v1/conversations/:id/quote":     QuoteView{},
	"POST /api/v1/linkedin/captures":           CaptureResult{},
	"POST /api/v1/linkedin/token":              TokenJSON{},
	"GET /api/v1/channels/:id/templates":       list[store.MessageTemplate]{},
	"POST /api/v1/channels/:id/templates":      store.MessageTemplate{},
	"POST /api/v1/channels/:id/templates/sync": noContent{},
	"DELETE /api/v1/quick-replies/:id":         noContent{},
	"POST /api/v1/rules/validate":              validity{},
	"DELETE /api/v1/rules/:id":                 noContent{},
	"POST /api/v1/rules/:id/dry-run":           DryRun{},
	"POST /api/v1/rules/:id/run":               RuleStarted{},

	"GET /api/v1/conversations/:id":         ConversationDetail{},
	"POST /api/v1/conversations/:id/read":   noContent{},
	"POST /api/v1/conversations/:id/assist": AssistAnswer{},
	"POST /api/v1/contacts/:id/merge":       ContactDetail{},
	"POST /api/v1/attachments":              store.AttachmentView{},
	"GET /api/v1/attachments/:id":           fileDownload{},

	"DELETE /api/v1/pipelines/:id":                            noContent{},
	"DELETE /api/v1/stages/:id":                               noContent{},
	"DELETE /api/v1/stage-quick-replies/:id":                  noContent{},
	"DELETE /api/v1/cards/:id/conversations/:conversation_id": CardDetail{},
	"DELETE /api/v1/follow-ups/:id":                           noContent{},
}

// multipartFile marks an upload: multipart/form-data with a "file" part.
type multipartFile struct{}

// requestTypes are the bodies the routes that change something accept
// (noContent: none). Handlers decode into exactly these types, which a
// test checks as it calls them; the document's request schemas come from
// them. Required fields and value rules are the handlers' (a 422 names
// the field), so the schemas list what may be sent, not what must.
var requestTypes = map[string]any{
	"PUT /api/v1/me/status":                               setStatusRequest{},
	"PATCH /api/v1/account":                               updateAccountSettingsRequest{},
	"POST /api/v1/users":                                  createUserRequest{},
	"PATCH /api/v1/users/:id":                             updateUserRequest{},
	"POST /api/v1/users/:id/password":                     resetPasswordRequest{},
	"POST /api/v1/profiles":                               profileRequest{},
	"PATCH /api/v1/profiles/:id":                          profileRequest{},
	"POST /api/v1/teams":                                  teamRequest{},
	"PATCH /api/v1/teams/:id":                             teamRequest{},
	"POST /api/v1/tokens":                                 createTokenRequest{},
	"POST /api/v1/channels":                               channelRequest{},
	"PATCH /api/v1/channels/:id":                          channelRequest{},
	"POST /api/v1/quick-replies":                          quickReplyRequest{},
	"PATCH /api/v1/quick-replies/:id":                     quickReplyRequest{},
	"POST /api/v1/rules":                                  ruleRequest{},
	"POST /api/v1/rules/validate":                         validateConditionRequest{},
	"PATCH /api/v1/rules/:id":                             ruleRequest{},
	"POST /api/v1/contacts/:id/merge":                     mergeContactRequest{},
	"POST /api/v1/conversations/:id/messages":             sendMessageRequest{},
	"POST /api/v1/conversations/:id/assist":               assistRequest{},
	"POST /api/v1/conversations/:id/quote":                quoteRequest{},
	"POST /api/v1/linkedin/captures":                      captureRequest{},
	"POST /api/v1/linkedin/token":                         noContent{},
	"PUT /api/v1/billing/settings":                        billingSettingsRequest{},
	"POST /api/v1/billing/recharges":                      rechargeRequest{},
	"POST /api/v1/webhooks":                               createWebhookRequest{},
	"PATCH /api/v1/webhooks/:id":                          updateWebhookRequest{},
	"POST /api/v1/pipelines":                              createPipelineRequest{},
	"PATCH /api/v1/pipelines/:id":                         updatePipelineRequest{},
	"POST /api/v1/pipelines/:id/stages":                   stageRequest{},
	"PUT /api/v1/pipelines/:id/stage-order":               reorderStagesRequest{},
	"PATCH /api/v1/stages/:id":                            stageRequest{},
	"POST /api/v1/stages/:id/quick-replies":               stageReplyRequest{},
	"PATCH /api/v1/stage-quick-replies/:id":               stageReplyRequest{},
	"POST /api/v1/cards":                                  createCardRequest{},
	"PATCH /api/v1/cards/:id":                             cardFields{},
	"POST /api/v1/cards/:id/move":                         moveCardRequest{},
	"POST /api/v1/cards/:id/status":                       setCardStatusRequest{},
	"POST /api/v1/cards/:id/notes":                        addCardNoteRequest{},
	"POST /api/v1/cards/:id/conversations":                linkConversationRequest{},
	"POST /api/v1/cards/:id/quick-replies/:reply_id/send": sendStageReplyRequest{},
	"POST /api/v1/cards/:id/follow-ups":                   createFollowUpRequest{},
	"PATCH /api/v1/follow-ups/:id":                        updateFollowUpRequest{},
	"POST /api/v1/scheduled-messages":                     createScheduledRequest{},
	"PATCH /api/v1/scheduled-messages/:id":                updateScheduledRequest{},

	"POST /api/v1/contacts":                   contactFields{},
	"PUT /api/v1/contacts":                    contactFields{},
	"PATCH /api/v1/contacts/:id":              contactFields{},
	"POST /api/v1/conversations/:id/assign":   assignRequest{},
	"POST /api/v1/conversations/:id/transfer": transferRequest{},
	"POST /api/v1/conversations/:id/tags":     tagsRequest{},
	"POST /api/v1/conversations/:id/priority": priorityRequest{},
	"POST /api/v1/conversations/:id/snooze":   snoozeRequest{},
	"POST /api/v1/attachments":                multipartFile{},
	"POST /api/v1/messages/:id/hide":          hideRequest{},

	"POST /api/v1/auth/logout":                   noContent{},
	"POST /api/v1/channels/:id/rotate-token":     noContent{},
	"POST /api/v1/channels/:id/oauth":            noContent{},
	"POST /api/v1/channels/:id/templates":        createTemplateRequest{},
	"POST /api/v1/channels/:id/templates/sync":   noContent{},
	"POST /api/v1/rules/:id/dry-run":             noContent{},
	"POST /api/v1/rules/:id/run":                 noContent{},
	"POST /api/v1/messages/:id/retry":            noContent{},
	"POST /api/v1/conversations/:id/read":        noContent{},
	"POST /api/v1/conversations/:id/close":       noContent{},
	"POST /api/v1/conversations/:id/reopen":      noContent{},
	"POST /api/v1/webhooks/:id/rotate-secret":    noContent{},
	"POST /api/v1/webhooks/:id/ping":             noContent{},
	"POST /api/v1/webhook-deliveries/:id/replay": noContent{},
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

// input is a request body's schema: its fields, none marked required (the
// handler decides, per field, with a 422 naming it).
func (s *schemaSet) input(t reflect.Type) map[string]any {
	ref := s.of(t)
	if name, ok := strings.CutPrefix(ref["$ref"].(string), "#/components/schemas/"); ok {
		delete(s.components[name].(map[string]any), "required")
	}
	return ref
}

// object is a struct's schema: its JSON fields (embedded structs
// flattened), those without omitempty required.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		var embedded []reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				embedded = append(embedded, f.Type)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			if _, shadowed := props[name]; shadowed {
				continue
			}
			props[name] = s.of(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		// As encoding/json does, a field of the outer struct hides the
		// embedded struct's field of the same name.
		for _, e := range embedded {
			walk(e)
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
