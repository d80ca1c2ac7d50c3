package messenger

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// Facebook Login for a page: the consent screen hands back a code, the
// Graph API exchanges it for the person's token (made long-lived), and
// /me/accounts gives the token of the page they chose, which does not
// expire.

// DefaultDialogURL is Facebook Login's consent screen host.
const DefaultDialogURL = "https://www.facebook.com"

// Scopes CHATSPOT asks for: the page's messages and its webhooks.
const Scopes = "pages_show_list,pages_messaging,pages_manage_metadata"

// AuthorizeURL is Facebook Login's consent screen for the channel's app.
func (a *Adapter) AuthorizeURL(ch store.Channel, flow channels.OAuthFlow) (string, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return "", err
	}
	if s.String(keyAppID) == "" || s.String(keyAppSecret) == "" {
		return "", &channels.FieldError{Field: "settings." + keyAppID, Reason: "the Meta app's id and secret are needed to connect"}
	}
	base, v := a.DialogURL, a.Version
	if base == "" {
		base = DefaultDialogURL
	}
	if v == "" {
		v = meta.DefaultVersion
	}
	q := url.Values{"client_id": {s.String(keyAppID)}, "redirect_uri": {flow.RedirectURI}, "state": {flow.State}, "scope": {Scopes}, "response_type": {"code"}}
	return base + "/" + v + "/dialog/oauth?" + q.Encode(), nil
}

// Exchange turns the code into the page's token: the page named in the
// settings, or the person's only page.
func (a *Adapter) Exchange(ctx context.Context, ch store.Channel, flow channels.OAuthFlow, code string) (channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return nil, err
	}
	g := meta.Client{BaseURL: a.BaseURL, Version: a.Version, HTTP: a.HTTP}
	var user struct {
		AccessToken string `json:"access_token"`
	}
	q := url.Values{"client_id": {s.String(keyAppID)}, "client_secret": {s.String(keyAppSecret)}, "redirect_uri": {flow.RedirectURI}, "code": {code}}
	if err := g.Do(ctx, http.MethodGet, "oauth/access_token?"+q.Encode(), nil, "", &user); err != nil {
		return nil, oauthError(err)
	}
	q = url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {s.String(keyAppID)}, "client_secret": {s.String(keyAppSecret)},
		"fb_exchange_token": {user.AccessToken}}
	if err := g.Do(ctx, http.MethodGet, "oauth/access_token?"+q.Encode(), nil, "", &user); err != nil {
		return nil, oauthError(err)
	}
	g.Token = user.AccessToken
	var pages struct {
		Data []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := g.Do(ctx, http.MethodGet, "me/accounts?fields=id,name,access_token", nil, "", &pages); err != nil {
		return nil, oauthError(err)
	}
	want := s.String(keyPageID)
	var names []string
	for _, p := range pages.Data {
		if p.ID == want || (want == "" && len(pages.Data) == 1) {
			return channels.Settings{keyPageID: p.ID, keyPageName: p.Name, keyToken: p.AccessToken}, nil
		}
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
	}
	if len(names) == 0 {
		return nil, &channels.PermanentError{Reason: "the Facebook account manages no page CHATSPOT was allowed to use: connect again and select the page", Reauth: true}
	}
	return nil, &channels.PermanentError{Reason: "choose the page: set Page ID to one of " + strings.Join(names, ", ") + ", then connect again", Reauth: true}
}

func oauthError(err error) error {
	if perm := meta.ActivationError(err); perm != err {
		return perm
	}
	return err
}
