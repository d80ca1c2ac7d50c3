// Package api is CHATSPOT's HTTP server: health checks, the REST API under
// /api/v1, channel webhooks under /hooks, and the web UI.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/channels/linkedin"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// Server holds what the handlers need.
type Server struct {
	DB            *gorm.DB
	Temporal      client.Client
	Inbox         *inbox.Inbox
	Sessions      *auth.Sessions
	Bus           events.Bus // wakes the agents' streams; nil: they poll
	Logger        *slog.Logger
	UI            fs.FS  // the built web UI
	BaseURL       string // public URL; https turns on Secure cookies
	Namespace     string
	TemporalUIURL string    // where operators inspect workflow histories
	LoginRate     LoginRate // zero: DefaultLoginRate

	SecretKey []byte // signs webchat visitor tokens and seals stored credentials
	// PreviousSecretKeys open credentials sealed before the secret key was
	// rotated; SealStoredCredentials moves them to SecretKey.
	PreviousSecretKeys [][]byte
	// AllowPrivateURLs lets webhook, API channel and rule URLs name
	// loopback and private addresses (dev, tests); off, they are refused.
	AllowPrivateURLs bool
	VisitorRate      Rate   // webchat messages per visitor; zero: DefaultVisitorRate
	Widget           fs.FS  // widget.js and demo.html
	DemoWebchatID    string // dev: the webchat channel the demo page shows; "" disables /demo

	TokenRate Rate // per API token; zero: DefaultTokenRate
	// Channels are the channel kinds' adapters; nil: kinds.Registry with
	// AllowPrivateURLs.
	Channels *channels.Registry
	// TemplateRates price the WhatsApp costs report: ten-thousandths of a
	// real per delivered template message, by category; nil: unpriced.
	TemplateRates map[string]int64
	// Pix is CHATSPOT's payment provider for recharges (it verifies their
	// notifications); nil: recharges are off.
	Pix billing.PixProvider

	loginLimit   keyedLimiter
	tokenLimit   keyedLimiter
	visitorLimit keyedLimiter
	streamReads  events.SharedReads // agents' streams of an account share their log reads
	routes       []Route
	hooks        []hookRoute
	box          *secrets.Box // from SecretKey; nil refuses to seal
}

// Route is one /api/v1 endpoint and the permission it requires ("" = any
// logged-in user or token). Tests walk this table.
type Route struct {
	Method, Path string
	Permission   auth.Permission
}

// Routes lists the registered /api/v1 routes; valid after Handler.
func (s *Server) Routes() []Route { return s.routes }

// channels is the registry of channel kinds; Handler sets the default.
func (s *Server) channels() *channels.Registry { return s.Channels }

// maxBody caps request bodies; larger requests get 413.
const maxBody = 1 << 20

// Handler builds the Gin engine with every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	s.box, _ = secrets.New(s.SecretKey, s.PreviousSecretKeys...) // a missing key surfaces where a secret is sealed
	if s.Channels == nil {
		s.Channels = kinds.Registry(kinds.Config{AllowPrivateURLs: s.AllowPrivateURLs})
	}
	r := gin.New()
	r.Use(gin.Recovery(), s.requestLog(), limitBody(maxBody), s.extensionCORS)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	s.hookRoutes(r)
	s.webchatRoutes(r)
	r.GET("/widget.js", s.widgetScript)
	r.GET(linkedin.ExtensionPath, s.extensionZip)
	r.OPTIONS(linkedInCapturePath, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.GET("/demo", s.demoPage)

	r.POST("/api/v1/auth/login", s.login)
	r.GET("/oauth/callback", s.oauthCallback)
	r.GET("/api/v1/openapi.json", s.serveOpenAPI)
	r.GET("/api/docs", s.apiDocs)
	v1 := r.Group("/api/v1", s.authenticate())
	s.routes = nil
	add := func(method, path string, perm auth.Permission, h gin.HandlerFunc) {
		v1.Handle(method, path, require(perm), h)
		s.routes = append(s.routes, Route{Method: method, Path: "/api/v1" + path, Permission: perm})
	}
	add(http.MethodPost, "/auth/logout", "", s.logout)
	add(http.MethodGet, "/me", "", s.getMe)
	add(http.MethodPut, "/me/status", "", s.setStatus)

	add(http.MethodGet, "/account", "", s.getAccountSettings)
	add(http.MethodPatch, "/account", auth.ManageUsers, s.updateAccountSettings)
	add(http.MethodGet, "/users", "", s.listUsers)
	add(http.MethodPost, "/users", auth.ManageUsers, s.createUser)
	add(http.MethodPatch, "/users/:id", auth.ManageUsers, s.updateUser)
	add(http.MethodPost, "/users/:id/password", auth.ManageUsers, s.resetPassword)
	add(http.MethodGet, "/profiles", auth.ManageUsers, s.listProfiles)
	add(http.MethodPost, "/profiles", auth.ManageUsers, s.createProfile)
	add(http.MethodPatch, "/profiles/:id", auth.ManageUsers, s.updateProfile)
	add(http.MethodDelete, "/profiles/:id", auth.ManageUsers, s.deleteProfile)
	add(http.MethodGet, "/teams", "", s.listTeams)
	add(http.MethodPost, "/teams", auth.ManageUsers, s.createTeam)
	add(http.MethodPatch, "/teams/:id", auth.ManageUsers, s.updateTeam)
	add(http.MethodDelete, "/teams/:id", auth.ManageUsers, s.deleteTeam)
	add(http.MethodGet, "/sessions", auth.ManageUsers, s.listSessions)
	add(http.MethodDelete, "/sessions/:id", auth.ManageUsers, s.endSession)
	add(http.MethodGet, "/tokens", auth.ManageAPITokens, s.listTokens)
	add(http.MethodPost, "/tokens", auth.ManageAPITokens, s.createToken)
	add(http.MethodDelete, "/tokens/:id", auth.ManageAPITokens, s.revokeToken)
	add(http.MethodGet, "/audit", auth.ManageUsers, s.listAudit)

	// Conversations: visibility is the caller's view scope, checked in the
	// handlers; acting needs the permission named.
	add(http.MethodGet, "/stream", "", s.stream)
	add(http.MethodGet, "/channels", "", s.listChannels)
	add(http.MethodGet, "/channel-kinds", "", s.listChannelKinds)
	add(http.MethodPost, "/channels", auth.ManageChannels, s.createChannel)
	add(http.MethodGet, "/channels/:id", auth.ManageChannels, s.getChannel)
	add(http.MethodPatch, "/channels/:id", auth.ManageChannels, s.updateChannel)
	add(http.MethodPost, "/channels/:id/rotate-token", auth.ManageChannels, s.rotateToken)
	add(http.MethodPost, "/channels/:id/oauth", auth.ManageChannels, s.startOAuth)
	add(http.MethodGet, "/channels/:id/templates", "", s.listTemplates)
	add(http.MethodGet, "/reports/whatsapp-costs", auth.ViewReports, s.whatsappCosts)
	add(http.MethodGet, "/billing", auth.ManageBilling, s.getBilling)
	add(http.MethodPut, "/billing/settings", auth.ManageBilling, s.updateBillingSettings)
	add(http.MethodGet, "/billing/entries", auth.ManageBilling, s.listLedger)
	add(http.MethodGet, "/billing/recharges", auth.ManageBilling, s.listRecharges)
	add(http.MethodPost, "/billing/recharges", auth.ManageBilling, s.createRecharge)
	add(http.MethodGet, "/billing/recharges/:id", auth.ManageBilling, s.getRecharge)
	add(http.MethodPost, "/channels/:id/templates", auth.ManageChannels, s.createTemplate)
	add(http.MethodPost, "/channels/:id/templates/sync", auth.ManageChannels, s.syncTemplates)
	add(http.MethodGet, "/quick-replies", "", s.listQuickReplies)
	add(http.MethodPost, "/quick-replies", auth.ManageRules, s.createQuickReply)
	add(http.MethodPatch, "/quick-replies/:id", auth.ManageRules, s.updateQuickReply)
	add(http.MethodDelete, "/quick-replies/:id", auth.ManageRules, s.deleteQuickReply)

	add(http.MethodGet, "/rules", auth.ManageRules, s.listRules)
	add(http.MethodPost, "/rules", auth.ManageRules, s.saveRule)
	add(http.MethodPost, "/rules/validate", auth.ManageRules, s.validateCondition)
	add(http.MethodPatch, "/rules/:id", auth.ManageRules, s.saveRule)
	add(http.MethodDelete, "/rules/:id", auth.ManageRules, s.deleteRule)
	add(http.MethodPost, "/rules/:id/dry-run", auth.ManageRules, s.dryRun)
	add(http.MethodPost, "/rules/:id/run", auth.ManageRules, s.runRule)
	add(http.MethodGet, "/conversations/:id/rules", "", s.ruleTrail)
	add(http.MethodGet, "/conversations", "", s.listConversations)
	add(http.MethodGet, "/conversations/:id", "", s.getConversation)
	add(http.MethodGet, "/contacts/:id/messages", "", s.contactMessages)
	add(http.MethodPost, "/contacts/:id/merge", auth.AssignConversations, s.mergeContact)
	add(http.MethodGet, "/contacts", auth.ViewAllConversations, s.listContacts)
	add(http.MethodPost, "/contacts", auth.AssignConversations, s.createContact)
	add(http.MethodPut, "/contacts", auth.AssignConversations, s.createContact)
	add(http.MethodGet, "/contacts/:id", auth.ViewAllConversations, s.getContact)
	add(http.MethodPatch, "/contacts/:id", auth.AssignConversations, s.updateContact)
	add(http.MethodPost, "/conversations/:id/messages", auth.Reply, s.sendMessage)
	add(http.MethodPost, "/messages/:id/retry", auth.Reply, s.retryMessage)
	add(http.MethodPost, "/messages/:id/hide", auth.Reply, s.hideComment)
	add(http.MethodDelete, "/messages/:id", auth.Reply, s.deleteComment)
	add(http.MethodGet, "/conversations/:id/thread", "", s.getThread)
	add(http.MethodPost, "/conversations/:id/quote", auth.Reply, s.quote)
	add(http.MethodPost, "/linkedin/captures", auth.Reply, s.linkedInCapture)
	add(http.MethodPost, "/linkedin/token", auth.Reply, s.linkedInToken)
	add(http.MethodPost, "/conversations/:id/assist", auth.Reply, s.assist)
	add(http.MethodPost, "/attachments", auth.Reply, s.uploadAttachment)
	add(http.MethodGet, "/attachments/:id", "", s.getAttachment)
	add(http.MethodPost, "/conversations/:id/read", "", s.markRead)
	add(http.MethodPost, "/conversations/:id/assign", auth.AssignConversations, s.conversationAction(workflows.UpdateAssign, s.decodeAssign))
	add(http.MethodPost, "/conversations/:id/transfer", auth.AssignConversations, s.conversationAction(workflows.UpdateTransfer, s.decodeTransfer))
	add(http.MethodPost, "/conversations/:id/tags", auth.Reply, s.conversationAction(workflows.UpdateTags, decodeTags))
	add(http.MethodPost, "/conversations/:id/priority", auth.Reply, s.conversationAction(workflows.UpdatePriority, decodePriority))
	add(http.MethodPost, "/conversations/:id/snooze", auth.CloseConversations, s.conversationAction(workflows.UpdateSnooze, decodeSnooze))
	add(http.MethodPost, "/conversations/:id/close", auth.CloseConversations, s.conversationAction(workflows.UpdateClose, decodeClose))
	add(http.MethodPost, "/conversations/:id/reopen", auth.CloseConversations, s.reopen)

	// addIn registers routes that exist only for accounts with a module.
	addIn := func(module, name string) func(method, path string, perm auth.Permission, h gin.HandlerFunc) {
		gate := s.requireModule(module, name)
		return func(method, path string, perm auth.Permission, h gin.HandlerFunc) {
			add(method, path, perm, func(c *gin.Context) {
				if gate(c); !c.IsAborted() {
					h(c)
				}
			})
		}
	}

	// Account webhooks: the API module.
	addAPI := addIn("api", "API")
	addAPI(http.MethodGet, "/webhook-events", auth.ManageAPITokens, s.listWebhookEvents)
	addAPI(http.MethodGet, "/webhooks", auth.ManageAPITokens, s.listWebhooks)
	addAPI(http.MethodPost, "/webhooks", auth.ManageAPITokens, s.createWebhook)
	addAPI(http.MethodPatch, "/webhooks/:id", auth.ManageAPITokens, s.updateWebhook)
	addAPI(http.MethodDelete, "/webhooks/:id", auth.ManageAPITokens, s.deleteWebhook)
	addAPI(http.MethodPost, "/webhooks/:id/rotate-secret", auth.ManageAPITokens, s.rotateWebhookSecret)
	addAPI(http.MethodPost, "/webhooks/:id/ping", auth.ManageAPITokens, s.pingWebhook)
	addAPI(http.MethodGet, "/webhooks/:id/deliveries", auth.ManageAPITokens, s.listWebhookDeliveries)
	addAPI(http.MethodGet, "/webhook-deliveries/:id", auth.ManageAPITokens, s.getWebhookDelivery)
	addAPI(http.MethodPost, "/webhook-deliveries/:id/replay", auth.ManageAPITokens, s.replayWebhookDelivery)

	// The CRM module.
	addCRM := addIn("crm", "CRM")
	addCRM(http.MethodGet, "/pipelines", auth.ViewCRM, s.listPipelines)
	addCRM(http.MethodPost, "/pipelines", auth.ManagePipelines, s.createPipeline)
	addCRM(http.MethodPatch, "/pipelines/:id", auth.ManagePipelines, s.updatePipeline)
	addCRM(http.MethodDelete, "/pipelines/:id", auth.ManagePipelines, s.deletePipeline)
	addCRM(http.MethodGet, "/pipelines/:id/board", auth.ViewCRM, s.board)
	addCRM(http.MethodPost, "/pipelines/:id/stages", auth.ManagePipelines, s.createStage)
	addCRM(http.MethodPut, "/pipelines/:id/stage-order", auth.ManagePipelines, s.reorderStages)
	addCRM(http.MethodPatch, "/stages/:id", auth.ManagePipelines, s.updateStage)
	addCRM(http.MethodDelete, "/stages/:id", auth.ManagePipelines, s.deleteStage)
	addCRM(http.MethodPost, "/stages/:id/quick-replies", auth.ManagePipelines, s.createStageReply)
	addCRM(http.MethodPatch, "/stage-quick-replies/:id", auth.ManagePipelines, s.updateStageReply)
	addCRM(http.MethodDelete, "/stage-quick-replies/:id", auth.ManagePipelines, s.deleteStageReply)
	addCRM(http.MethodPost, "/cards", auth.EditCRM, s.createCard)
	addCRM(http.MethodGet, "/cards/:id", auth.ViewCRM, s.getCard)
	addCRM(http.MethodPatch, "/cards/:id", auth.EditCRM, s.updateCard)
	addCRM(http.MethodPost, "/cards/:id/move", auth.EditCRM, s.moveCard)
	addCRM(http.MethodPost, "/cards/:id/status", auth.EditCRM, s.setCardStatus)
	addCRM(http.MethodPost, "/cards/:id/notes", auth.EditCRM, s.addCardNote)
	addCRM(http.MethodPost, "/cards/:id/conversations", auth.EditCRM, s.linkConversation)
	addCRM(http.MethodDelete, "/cards/:id/conversations/:conversation_id", auth.EditCRM, s.unlinkConversation)
	addCRM(http.MethodPost, "/cards/:id/quick-replies/:reply_id/send", auth.Reply, s.sendStageReply)
	addCRM(http.MethodPost, "/cards/:id/follow-ups", auth.EditCRM, s.createFollowUp)
	addCRM(http.MethodPatch, "/follow-ups/:id", auth.EditCRM, s.updateFollowUp)
	addCRM(http.MethodDelete, "/follow-ups/:id", auth.EditCRM, s.deleteFollowUp)
	addCRM(http.MethodGet, "/conversations/:id/cards", auth.ViewCRM, s.conversationCards)
	addCRM(http.MethodGet, "/scheduled-messages", "", s.listScheduled)
	addCRM(http.MethodPost, "/scheduled-messages", auth.Reply, s.createScheduled)
	addCRM(http.MethodPatch, "/scheduled-messages/:id", auth.Reply, s.updateScheduled)
	addCRM(http.MethodDelete, "/scheduled-messages/:id", auth.Reply, s.cancelScheduled)
	addCRM(http.MethodGet, "/agenda", auth.ViewCRM, s.agenda)

	r.NoRoute(s.ui())
	return r
}

// ready checks the database and Temporal; load balancers send traffic only
// when both answer.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := store.Ping(ctx, s.DB); err != nil {
		checks["database"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, checks)
}

func (s *Server) widgetScript(c *gin.Context) {
	data, err := fs.ReadFile(s.Widget, "widget.js")
	if err != nil {
		problem(c, http.StatusNotFound, "widget not available", "")
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", data)
}

// demoPage is a shop page with the demo account's webchat, so a newcomer
// sees the customer's side of a conversation.
func (s *Server) demoPage(c *gin.Context) {
	data, err := fs.ReadFile(s.Widget, "demo.html")
	if err != nil || s.DemoWebchatID == "" {
		problem(c, http.StatusNotFound, "the demo page is served by `chatspot dev` only", "")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(strings.ReplaceAll(string(data), "{{CHANNEL_ID}}", s.DemoWebchatID)))
}

// notBuilt answers for the UI when web/dist was not built.
const notBuilt = `<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>CHATSPOT</title>
<body style="font-family:sans-serif;max-width:40rem;margin:10vh auto"><h1>CHATSPOT</h1>
<p>The server is running, but this binary was built without the agent UI. Run <code>make build</code> (it runs <code>npm ci</code> and <code>npm run build</code> in <code>web/</code>).</p></body></html>`

// ui serves the single-page app: a file when it exists, else index.html so
// client-side routes work on reload. Unknown API paths stay 404 JSON.
func (s *Server) ui() gin.HandlerFunc {
	files := http.FileServer(http.FS(s.UI))
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/hooks/") {
			problem(c, http.StatusNotFound, "no such endpoint", "")
			return
		}
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			problem(c, http.StatusMethodNotAllowed, "method not allowed", "")
			return
		}
		if _, err := fs.Stat(s.UI, "index.html"); err != nil {
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
			return
		}
		if _, err := fs.Stat(s.UI, strings.TrimPrefix(p, "/")); err != nil || p == "/" {
			c.Request.URL.Path = "/"
		}
		files.ServeHTTP(c.Writer, c.Request)
	}
}

func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		metrics.Observe(c.FullPath(), c.Request.Method, c.Writer.Status(), time.Since(start))
		s.Logger.Debug("http", "method", c.Request.Method, "path", c.Request.URL.Path,
			"status", c.Writer.Status(), "duration", time.Since(start))
	}
}

func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := n
		if isUpload(c.Request) {
			limit = uploadLimit
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// Problem is an RFC 9457 problem detail; Field names the offending input.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Field  string `json:"field,omitempty"`
}

func problem(c *gin.Context, status int, detail, field string) {
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(status, Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Field: field})
}

// bindJSON decodes the body into v or answers with a problem naming what
// was wrong.
func bindJSON(c *gin.Context, v any) bool {
	if bindHook != nil {
		bindHook(c, v)
	}
	err := c.ShouldBindJSON(v)
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		problem(c, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB", "")
		return false
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		problem(c, http.StatusBadRequest, fmt.Sprintf("%s must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type.Kind()), typeErr.Value), typeErr.Field)
		return false
	}
	problem(c, http.StatusBadRequest, "malformed JSON body: "+err.Error(), "")
	return false
}

// bindHook lets tests see which type each route decodes its body into,
// to hold the OpenAPI request schemas to the handlers.
var bindHook func(c *gin.Context, v any)

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return k.String()
}
