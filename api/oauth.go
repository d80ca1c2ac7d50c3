package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/workflows"
)

// Connecting a channel by its provider's consent screen (Instagram
// Login, Facebook Login): the manager asks for the screen's URL, the
// provider sends the browser back to /oauth/callback with a code and our
// state, and the channel-oauth workflow trades the code for tokens;
// activation follows.

// oauthStateTTL is how long a manager has on the consent screen.
const oauthStateTTL = 15 * time.Minute

// oauthState is what the state parameter carries, signed.
type oauthState struct {
	Channel string `json:"c"`
	Account string `json:"a"`
	User    string `json:"u"`
	Expires int64  `json:"e"`
}

func (s *Server) oauthRedirectURI() string {
	return strings.TrimRight(s.BaseURL, "/") + "/oauth/callback"
}

// oauthFlow is the consent of a state, with its PKCE verifier: derived
// from the state with the secret key, so it never travels and needs no
// storage between the consent and the callback.
func (s *Server) oauthFlow(state string) channels.OAuthFlow {
	mac := hmac.New(sha256.New, s.SecretKey)
	mac.Write([]byte("oauth-pkce\n" + state))
	return channels.OAuthFlow{RedirectURI: s.oauthRedirectURI(), State: state, Verifier: base64.RawURLEncoding.EncodeToString(mac.Sum(nil))}
}

func (s *Server) signState(st oauthState) string {
	payload, _ := json.Marshal(st)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + s.stateMAC(p)
}

func (s *Server) stateMAC(payload string) string {
	mac := hmac.New(sha256.New, s.SecretKey)
	mac.Write([]byte("oauth-state\n" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// readState checks the state's signature (in constant time) and expiry.
func (s *Server) readState(v string) (oauthState, bool) {
	p, sig, ok := strings.Cut(v, ".")
	if !ok || len(s.SecretKey) == 0 || !hmac.Equal([]byte(sig), []byte(s.stateMAC(p))) {
		return oauthState{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	var st oauthState
	if err != nil || json.Unmarshal(raw, &st) != nil || time.Now().Unix() > st.Expires {
		return oauthState{}, false
	}
	return st, true
}

type oauthStart struct {
	URL         string `json:"url"`          // the provider's consent screen
	RedirectURI string `json:"redirect_uri"` // to register in the provider's app
}

// startOAuth answers the consent screen's URL for a channel of a kind
// that connects by OAuth.
func (s *Server) startOAuth(c *gin.Context) {
	p := principal(c)
	var ch store.Channel
	if err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", c.Param("id"), p.AccountID).Error; err != nil {
		problem(c, http.StatusNotFound, "no such channel", "id")
		return
	}
	a, _ := s.channels().Adapter(ch.Kind)
	o, ok := a.(channels.OAuth)
	if !ok {
		problem(c, http.StatusUnprocessableEntity, "this kind of channel does not connect by OAuth", "id")
		return
	}
	if len(s.SecretKey) == 0 {
		problem(c, http.StatusServiceUnavailable, "no secret key is configured (CHATSPOT_SECRET_KEY): tokens cannot be stored", "")
		return
	}
	opened, err := s.box.OpenJSON(ch.Settings)
	if err != nil {
		s.internalError(c, "oauth", err)
		return
	}
	ch.Settings = opened
	state := s.signState(oauthState{Channel: ch.ID, Account: ch.AccountID, User: p.UserID, Expires: time.Now().Add(oauthStateTTL).Unix()})
	u, err := o.AuthorizeURL(ch, s.oauthFlow(state))
	var fe *channels.FieldError
	if errors.As(err, &fe) {
		problem(c, http.StatusUnprocessableEntity, fe.Reason, fe.Field)
		return
	}
	if err != nil {
		s.internalError(c, "oauth", err)
		return
	}
	c.JSON(http.StatusOK, oauthStart{URL: u, RedirectURI: s.oauthRedirectURI()})
}

// oauthCallback is where the provider sends the manager's browser back.
// It always answers by sending the browser to the channel's screen, with
// the outcome in the query (oauth=connected, or oauth_error=<reason>).
func (s *Server) oauthCallback(c *gin.Context) {
	st, ok := s.readState(c.Query("state"))
	if !ok {
		problem(c, http.StatusBadRequest, "the connection link is wrong or has expired: start connecting again from the channel's screen", "state")
		return
	}
	back := func(key, value string) {
		q := url.Values{"channel": {st.Channel}, key: {value}}
		c.Redirect(http.StatusFound, "/admin/channels?"+q.Encode())
	}
	if e := c.Query("error"); e != "" {
		reason := c.Query("error_description")
		if reason == "" {
			reason = e
		}
		back("oauth_error", "the provider did not connect the account: "+reason)
		return
	}
	code := c.Query("code")
	if code == "" {
		back("oauth_error", "the provider sent no code")
		return
	}
	var ch store.Channel
	if err := s.DB.WithContext(c).Take(&ch, "id = ? AND account_id = ?", st.Channel, st.Account).Error; err != nil {
		problem(c, http.StatusNotFound, "the channel no longer exists", "state")
		return
	}
	if err := s.exchangeCode(c, ch, c.Query("state"), code); err != nil {
		back("oauth_error", err.Error())
		return
	}
	s.DB.WithContext(c).Model(&ch).Update("active", true)
	ch.Active = true
	s.startActivation(c, ch, false)
	back("oauth", "connected")
}

// exchangeCode runs the channel-oauth workflow and waits for it; the
// error is the provider's refusal as the manager should read it.
func (s *Server) exchangeCode(c *gin.Context, ch store.Channel, state, code string) error {
	if s.Temporal == nil {
		return errors.New("the workflow engine is not reachable; try again")
	}
	ctx, cancel := context.WithTimeout(c, 45*time.Second)
	defer cancel()
	flow := s.oauthFlow(state)
	in := activities.OAuthInput{ChannelRef: activities.ChannelRef{AccountID: ch.AccountID, ChannelID: ch.ID}, RedirectURI: flow.RedirectURI, Code: code,
		State: flow.State, Verifier: flow.Verifier}
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ChannelOAuthWorkflowID(ch.ID), TaskQueue: s.Inbox.Queue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE},
		workflows.ChannelOAuth, in)
	if err == nil {
		err = run.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return errors.New(app.Message())
	}
	if err != nil {
		s.Logger.Error("oauth code not exchanged", "channel", ch.ID, "error", err)
		return errors.New("the provider could not be reached; connect again")
	}
	return nil
}
