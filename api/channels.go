package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
	"github.com/chatspot/chatspot/workflows"
)

// ChannelJSON is a channel with its settings, secrets masked.
type ChannelJSON struct {
	ID           string               `json:"id"`
	Kind         string               `json:"kind"`
	Name         string               `json:"name"`
	Active       bool                 `json:"active"`
	Status       string               `json:"status"` // connected, pending, disconnected, needs_reauth, banned, inactive; "" for kinds without a connection
	StatusReason string               `json:"status_reason"`
	StatusAt     *time.Time           `json:"status_at,omitempty"`
	Activation   *channels.Activation `json:"activation,omitempty"`
	Settings     map[string]any       `json:"settings"`
	Snippet      string               `json:"snippet,omitempty"`       // webchat: what to paste in the site
	Inbound      string               `json:"inbound_url,omitempty"`   // api: where integrators post
	WebhookURL   string               `json:"webhook_url,omitempty"`   // where the provider calls
	Token        string               `json:"inbound_token,omitempty"` // api: shown once, on creation or rotation
	// LinkedIn: the capture extension to install, its id, and when
	// captures arrived.
	ExtensionURL   string `json:"extension_url,omitempty"`
	ExtensionID    string `json:"extension_id,omitempty"`
	FirstCaptureAt string `json:"first_capture_at,omitempty"`
	LastCaptureAt  string `json:"last_capture_at,omitempty"`
}

func (s *Server) channelJSON(ch store.Channel) ChannelJSON {
	out := ChannelJSON{ID: ch.ID, Kind: ch.Kind, Name: ch.Name, Active: ch.Active, Status: ch.Status, StatusReason: ch.StatusReason,
		StatusAt: ch.StatusAt, Settings: map[string]any{}}
	if !ch.Active {
		out.Status = store.ChannelInactive
	}
	if ch.Activation != "" {
		var a channels.Activation
		if json.Unmarshal([]byte(ch.Activation), &a) == nil {
			out.Activation = &a
		}
	}
	a, ok := s.channels().Adapter(ch.Kind)
	if !ok {
		return out // a kind not built: its settings are not shown
	}
	out.Settings = channels.Public(a.Kind(), ch.Settings)
	if p, ok := a.(channels.Presenter); ok {
		pr := p.Present(ch, s.BaseURL)
		out.Snippet, out.Inbound = pr.Snippet, pr.InboundURL
		out.ExtensionURL, out.ExtensionID, out.FirstCaptureAt, out.LastCaptureAt = pr.ExtensionURL, pr.ExtensionID, pr.FirstCaptureAt, pr.LastCaptureAt
	}
	if _, ok := a.(channels.Webhook); ok {
		out.WebhookURL = s.BaseURL + "/hooks/" + ch.Kind + "/" + ch.ID
	}
	return out
}

// KindView is a channel kind as the channel screen lists it.
type KindView struct {
	Kind       string `json:"kind"`
	Label      string `json:"label"`
	Available  bool   `json:"available"` // built: channels of it can be created
	InPlan     bool   `json:"in_plan"`   // the account's plan includes it
	Component  string `json:"component,omitempty"`
	Activation bool   `json:"activation"` // creating or enabling runs an activation
	// OAuth: the channel connects through the provider's consent screen
	// (POST /channels/:id/oauth answers its URL).
	OAuth        bool             `json:"oauth"`
	Capabilities CapabilitiesView `json:"capabilities"`
	Settings     []channels.Field `json:"settings"`
}

// CapabilitiesView is channels.Capabilities with durations in seconds.
type CapabilitiesView struct {
	WindowSeconds           int64    `json:"window_seconds"`
	HumanAgentWindowSeconds int64    `json:"human_agent_window_seconds"`
	Media                   []string `json:"media"`
	Templates               bool     `json:"templates"`
	Receipts                bool     `json:"receipts"`
	Threads                 bool     `json:"threads"`
	Edits                   bool     `json:"edits"`
	Reactions               bool     `json:"reactions"`
	Comments                bool     `json:"comments"` // public comments besides private messages (Instagram)
	SendsPerSecond          float64  `json:"sends_per_second"`
	Subjects                bool     `json:"subjects"`         // messages carry a subject and copies (e-mail)
	Questions               bool     `json:"questions"`        // each customer message is a question answered publicly once (Mercado Livre)
	AnswersLatest           bool     `json:"answers_latest"`   // a send answers the customer's latest message unless one is chosen
	MaxText                 int      `json:"max_text"`         // the longest text the provider takes; 0: no known limit
	Metered                 bool     `json:"metered"`          // each send costs the prepaid balance (SMS); POST /conversations/:id/quote prices a text
	ExternalReplies         bool     `json:"external_replies"` // replies are written on the provider's site (LinkedIn): notes only here
}

// listChannelKinds describes every kind: what the create form offers and
// the settings form of each.
func (s *Server) listChannelKinds(c *gin.Context) {
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", principal(c).AccountID).Error; err != nil {
		s.internalError(c, "channel kinds", err)
		return
	}
	var items []KindView
	for _, k := range s.channels().Kinds() {
		caps := k.Capabilities
		v := KindView{Kind: k.Name, Label: k.Label, Available: k.Available, InPlan: acc.ChannelEnabled(k.Name), Component: k.Component,
			Settings: k.Settings, Capabilities: CapabilitiesView{
				WindowSeconds: int64(caps.Window / time.Second), HumanAgentWindowSeconds: int64(caps.HumanAgentWindow / time.Second),
				Media: caps.Media, Templates: caps.Templates, Receipts: caps.Receipts, Threads: caps.Threads, Edits: caps.Edits,
				Reactions: caps.Reactions, Comments: caps.Comments, SendsPerSecond: caps.SendsPerSecond,
				Subjects: caps.Subjects, Questions: caps.Questions, AnswersLatest: caps.AnswersLatest, MaxText: caps.MaxText, Metered: caps.Metered, ExternalReplies: caps.ExternalReplies,
			}}
		if a, ok := s.channels().Adapter(k.Name); ok {
			_, v.Activation = a.(channels.Activator)
			_, v.OAuth = a.(channels.OAuth)
		}
		if v.Settings == nil {
			v.Settings = []channels.Field{}
		}
		if v.Capabilities.Media == nil {
			v.Capabilities.Media = []string{}
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) getChannel(c *gin.Context) {
	var ch store.Channel
	if err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such channel", "id")
		return
	}
	c.JSON(http.StatusOK, s.channelJSON(ch))
}

type channelRequest struct {
	Kind     string          `json:"kind"`
	Name     *string         `json:"name"`
	Active   *bool           `json:"active"`
	Settings json.RawMessage `json:"settings"`
}

// channelSettings applies a settings change through the kind's adapter:
// validated, merged over what is stored, secrets sealed.
func (s *Server) channelSettings(a channels.Adapter, raw json.RawMessage, stored string) (string, error) {
	out, err := channels.Apply(a, s.box, raw, stored)
	var fe *channels.FieldError
	if errors.As(err, &fe) {
		return "", &auth.FieldError{Field: fe.Field, Reason: fe.Reason}
	}
	return out, err
}

func (s *Server) createChannel(c *gin.Context) {
	var req channelRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	a, built := s.channels().Adapter(req.Kind)
	if !built {
		var names []string
		for _, k := range s.channels().Kinds() {
			if k.Available {
				names = append(names, k.Name)
			}
		}
		problem(c, http.StatusUnprocessableEntity, "kind: "+req.Kind+" channels are not available yet; use "+strings.Join(names, ", "), "kind")
		return
	}
	var acc store.Account
	if err := s.DB.WithContext(c).Take(&acc, "id = ?", p.AccountID).Error; err != nil {
		s.internalError(c, "channel", err)
		return
	}
	if !acc.ChannelEnabled(req.Kind) {
		problem(c, http.StatusForbidden, "kind: "+req.Kind+" is not in this account's plan", "kind")
		return
	}
	if req.Name == nil || strings.TrimSpace(*req.Name) == "" {
		problem(c, http.StatusUnprocessableEntity, "name is required", "name")
		return
	}
	settings, err := s.channelSettings(a, req.Settings, "")
	if s.fieldOrInternal(c, "channel", err) {
		return
	}
	token := ""
	if issuer, ok := a.(channels.TokenIssuer); ok {
		st, _ := channels.ParseSettings(settings)
		var out channels.Settings
		token, out = issuer.IssueToken(st)
		settings = out.JSON()
	}
	ch := store.Channel{ID: store.NewID(), AccountID: p.AccountID, Kind: req.Kind, Name: strings.TrimSpace(*req.Name), Settings: settings, Active: true}
	_, activates := a.(channels.Activator)
	if activates {
		ch.Status, ch.StatusReason = store.ChannelPending, "activating"
	}
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&ch).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "channel.created", ch.ID, ch.Kind+" "+ch.Name)
	})
	if err != nil {
		s.internalError(c, "channel", err)
		return
	}
	if activates {
		s.startActivation(c, ch, false)
	}
	out := s.channelJSON(ch)
	out.Token = token
	c.JSON(http.StatusCreated, out)
}

func (s *Server) updateChannel(c *gin.Context) {
	var req channelRequest
	if !bindJSON(c, &req) {
		return
	}
	var ch store.Channel
	if err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such channel", "id")
		return
	}
	a, built := s.channels().Adapter(ch.Kind)
	if !built {
		problem(c, http.StatusUnprocessableEntity, "kind: "+ch.Kind+" channels cannot be configured yet", "kind")
		return
	}
	settings := ch.Settings
	if len(req.Settings) > 0 {
		var err error
		if settings, err = s.channelSettings(a, req.Settings, ch.Settings); s.fieldOrInternal(c, "channel", err) {
			return
		}
	}
	updates := map[string]any{"settings": settings}
	if req.Name != nil {
		if strings.TrimSpace(*req.Name) == "" {
			problem(c, http.StatusUnprocessableEntity, "name must not be empty", "name")
			return
		}
		updates["name"] = strings.TrimSpace(*req.Name)
	}
	wasActive := ch.Active
	active := ch.Active
	if req.Active != nil {
		active = *req.Active
		updates["active"] = active
	}
	_, activates := a.(channels.Activator)
	// Turning a channel on, or changing an active one's settings, runs its
	// activation again; turning it off undoes it.
	reactivate := activates && active && (!wasActive || settings != ch.Settings || req.Active != nil)
	deactivate := activates && wasActive && !active
	if reactivate {
		updates["status"], updates["status_reason"] = store.ChannelPending, "activating"
	}
	err := s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ch).Updates(updates).Error; err != nil {
			return err
		}
		if active != wasActive && !activates {
			// Kinds with an activation report their status when it ends.
			data := map[string]any{"id": ch.ID, "kind": ch.Kind, "name": ch.Name, "active": active}
			if err := webhooks.Enqueue(tx, ch.AccountID, webhooks.ChannelStatusChanged, data); err != nil {
				return err
			}
		}
		return s.audit(c, tx, "channel.updated", ch.ID, ch.Name)
	})
	if err != nil {
		s.internalError(c, "channel", err)
		return
	}
	s.DB.WithContext(c).Take(&ch, "id = ?", ch.ID)
	if reactivate || deactivate {
		s.startActivation(c, ch, deactivate)
	}
	c.JSON(http.StatusOK, s.channelJSON(ch))
}

// startActivation starts the channel's activation (or deactivation)
// workflow, replacing one still running: the manager's latest settings
// win. The workflow records its progress on the channel; a failure to
// start it is recorded there too.
func (s *Server) startActivation(c *gin.Context, ch store.Channel, deactivate bool) {
	err := errors.New("no Temporal client")
	if s.Temporal != nil {
		opts := client.StartWorkflowOptions{
			ID: workflows.ChannelActivationWorkflowID(ch.ID), TaskQueue: s.Inbox.Queue(),
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}
		in := workflows.ChannelActivationInput{AccountID: ch.AccountID, ChannelID: ch.ID, Deactivate: deactivate}
		_, err = s.Temporal.ExecuteWorkflow(c, opts, workflows.ChannelActivation, in)
	}
	if err != nil {
		s.Logger.Error("channel activation not started", "channel", ch.ID, "error", err)
		s.DB.WithContext(c).Model(&ch).Updates(map[string]any{"status": store.ChannelDisconnected,
			"status_reason": "activation could not start; save again to retry"})
	}
}

// rotateToken replaces a channel's inbound token (kinds that issue one);
// the old one stops working at once.
func (s *Server) rotateToken(c *gin.Context) {
	var ch store.Channel
	err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error
	a, _ := s.channels().Adapter(ch.Kind)
	issuer, issues := a.(channels.TokenIssuer)
	if err != nil || !issues {
		problem(c, http.StatusNotFound, "no channel with an inbound token has this id", "id")
		return
	}
	st, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		s.internalError(c, "rotate", errors.New("channel settings unreadable"))
		return
	}
	token, out := issuer.IssueToken(st)
	settings := out.JSON()
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ch).Update("settings", settings).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "channel.token_rotated", ch.ID, ch.Name)
	})
	if err != nil {
		s.internalError(c, "rotate", err)
		return
	}
	ch.Settings = settings
	view := s.channelJSON(ch)
	view.Token = token
	c.JSON(http.StatusOK, view)
}
