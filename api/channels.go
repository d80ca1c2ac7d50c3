package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/channels/webchat"
	"github.com/chatspot/chatspot/internal/egress"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
)

// configurableKinds are the channel kinds an account can create today.
var configurableKinds = []string{channels.KindWebchat, channels.KindAPI}

// ChannelJSON is a channel with its settings, secrets left out.
type ChannelJSON struct {
	ID       string         `json:"id"`
	Kind     string         `json:"kind"`
	Name     string         `json:"name"`
	Active   bool           `json:"active"`
	Settings map[string]any `json:"settings"`
	Snippet  string         `json:"snippet,omitempty"`       // webchat: what to paste in the site
	Inbound  string         `json:"inbound_url,omitempty"`   // api: where integrators post
	Token    string         `json:"inbound_token,omitempty"` // api: shown once, on creation or rotation
}

func (s *Server) channelJSON(ch store.Channel) ChannelJSON {
	settings := map[string]any{}
	_ = json.Unmarshal([]byte(ch.Settings), &settings)
	delete(settings, "inbound_token_sha256")
	for k, v := range settings {
		if str, ok := v.(string); ok && (secrets.IsSealed(str) || k == "outbound_secret" && str != "") {
			settings[k] = "********" // credentials never leave the server
		}
	}
	out := ChannelJSON{ID: ch.ID, Kind: ch.Kind, Name: ch.Name, Active: ch.Active, Settings: settings}
	switch ch.Kind {
	case channels.KindWebchat:
		out.Snippet = fmt.Sprintf(`<script src="%s/widget.js" data-channel="%s" async></script>`, s.BaseURL, ch.ID)
	case channels.KindAPI:
		out.Inbound = s.BaseURL + "/hooks/api/" + ch.ID
	}
	return out
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

// channelSettings validates a kind's settings and returns what to store,
// keeping the stored secrets the request does not replace.
func (s *Server) channelSettings(kind string, raw json.RawMessage, stored string) (string, error) {
	if len(raw) == 0 {
		if stored == "" {
			raw = json.RawMessage("{}")
		} else {
			return stored, nil
		}
	}
	switch kind {
	case channels.KindWebchat:
		st, err := webchat.ParseSettings(string(raw))
		if err != nil {
			return "", &auth.FieldError{Field: "settings", Reason: strings.TrimPrefix(err.Error(), "webchat settings: ")}
		}
		out, _ := json.Marshal(st)
		return string(out), nil
	case channels.KindAPI:
		var in apichannel.Settings
		if err := json.Unmarshal(raw, &in); err != nil {
			return "", &auth.FieldError{Field: "settings", Reason: err.Error()}
		}
		old, _ := apichannel.ParseSettings(stored)
		old.OutboundURL = in.OutboundURL
		if in.OutboundSecret != "" && in.OutboundSecret != "********" {
			if len(in.OutboundSecret) < 16 {
				return "", &auth.FieldError{Field: "settings.outbound_secret", Reason: "must have at least 16 characters: it signs every delivery"}
			}
			sealed, err := s.box.Seal(in.OutboundSecret)
			if err != nil {
				return "", err
			}
			old.OutboundSecret = sealed
		}
		if old.OutboundURL != "" {
			if err := egress.CheckURL(old.OutboundURL, s.AllowPrivateURLs); err != nil {
				return "", &auth.FieldError{Field: "settings.outbound_url", Reason: err.Error()}
			}
			if old.OutboundSecret == "" {
				return "", &auth.FieldError{Field: "settings.outbound_secret", Reason: "must have at least 16 characters: it signs every delivery"}
			}
		}
		out, _ := json.Marshal(old)
		return string(out), nil
	}
	return "", &auth.FieldError{Field: "kind", Reason: "cannot be configured here"}
}

func (s *Server) createChannel(c *gin.Context) {
	var req channelRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	if !slices.Contains(configurableKinds, req.Kind) {
		problem(c, http.StatusUnprocessableEntity, "kind: "+req.Kind+" channels are not available yet; use "+strings.Join(configurableKinds, " or "), "kind")
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
	settings, err := s.channelSettings(req.Kind, req.Settings, "")
	if s.fieldOrInternal(c, "channel", err) {
		return
	}
	token := ""
	if req.Kind == channels.KindAPI {
		var st apichannel.Settings
		_ = json.Unmarshal([]byte(settings), &st)
		var fresh apichannel.Settings
		token, fresh = apichannel.NewToken()
		st.InboundTokenSHA256 = fresh.InboundTokenSHA256
		b, _ := json.Marshal(st)
		settings = string(b)
	}
	ch := store.Channel{ID: store.NewID(), AccountID: p.AccountID, Kind: req.Kind, Name: strings.TrimSpace(*req.Name), Settings: settings, Active: true}
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
	settings, err := s.channelSettings(ch.Kind, req.Settings, ch.Settings)
	if s.fieldOrInternal(c, "channel", err) {
		return
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
	if req.Active != nil {
		updates["active"] = *req.Active
	}
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ch).Updates(updates).Error; err != nil {
			return err
		}
		if req.Active != nil && *req.Active != wasActive {
			data := map[string]any{"id": ch.ID, "kind": ch.Kind, "name": ch.Name, "active": *req.Active}
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
	c.JSON(http.StatusOK, s.channelJSON(ch))
}

// rotateToken replaces an API channel's inbound token; the old one stops
// working at once.
func (s *Server) rotateToken(c *gin.Context) {
	var ch store.Channel
	err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), principal(c).AccountID).Error
	if err != nil || ch.Kind != channels.KindAPI {
		problem(c, http.StatusNotFound, "no API channel with this id", "id")
		return
	}
	st, err := apichannel.ParseSettings(ch.Settings)
	if err != nil {
		s.internalError(c, "rotate", errors.New("channel settings unreadable"))
		return
	}
	token, fresh := apichannel.NewToken()
	st.InboundTokenSHA256 = fresh.InboundTokenSHA256
	b, _ := json.Marshal(st)
	err = s.DB.WithContext(c).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ch).Update("settings", string(b)).Error; err != nil {
			return err
		}
		return s.audit(c, tx, "channel.token_rotated", ch.ID, ch.Name)
	})
	if err != nil {
		s.internalError(c, "rotate", err)
		return
	}
	ch.Settings = string(b)
	out := s.channelJSON(ch)
	out.Token = token
	c.JSON(http.StatusOK, out)
}
