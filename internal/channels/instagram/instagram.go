// Package instagram is the Instagram channel, on the Instagram API with
// Instagram Login: a professional account's DMs and the comments on its
// posts, with no Facebook Page or Business Manager needed. Meta calls
// /hooks/instagram/<channel> with messaging events (the Messenger
// Platform's shape, shared in package meta) and comment changes, signed
// with the app secret; sends go to graph.instagram.com with the account's
// token.
//
// Each post's comments by one person are a conversation of their own,
// threaded by the post ("post:<media id>"): agents answer a comment
// publicly (a reply under it) or privately (one DM to the commenter,
// within 7 days), and hide or delete it.
package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/meta"
	"github.com/chatspot/chatspot/internal/store"
)

// DefaultBaseURL is the Instagram Graph API's host.
const DefaultBaseURL = "https://graph.instagram.com"

// Settings keys.
const (
	keyUserID       = "ig_user_id" // the professional account's id (entry.id of its webhooks)
	keyUsername     = "username"
	keyToken        = "access_token" // secret: the account's long-lived token
	keyTokenExpires = "token_expires_at"
	keyAppID        = "app_id"
	keyAppSecret    = "app_secret" // secret: signs every webhook
	keyVerifyToken  = meta.KeyVerifyToken
	keyHumanAgent   = meta.KeyHumanAgent
)

// Activation steps.
const (
	StepVerifyAccount = "verify_account"
	StepSubscribe     = "subscribe_account"
)

// subscribedFields are the account's webhook fields CHATSPOT reads.
const subscribedFields = "messages,message_reactions,messaging_seen,messaging_postbacks,comments"

// threadPrefix starts the thread key of a post's comments.
const threadPrefix = "post:"

// MaxCommentLen is Instagram's limit on a comment's text.
const MaxCommentLen = 2200

// Adapter is the Instagram channel kind.
type Adapter struct {
	BaseURL string // the Instagram Graph API's; "" is DefaultBaseURL
	Version string // "" is meta.DefaultVersion
	// APIURL is Instagram Login's code exchange host; "" is
	// DefaultAPIURL. AuthorizeBase is its consent screen; "" is
	// DefaultAuthorizeURL.
	APIURL, AuthorizeBase string
	HTTP                  *http.Client
	names                 meta.Names
}

// Kind describes Instagram.
func (*Adapter) Kind() channels.Kind {
	return channels.Kind{
		Name: channels.KindInstagram, Label: "Instagram",
		Settings: []channels.Field{
			{Name: keyToken, Label: "Access token", Type: channels.FieldSecret,
				Help: "Filled in by \"Connect with Instagram\". Or paste the professional account's long-lived token (instagram_business_manage_messages, instagram_business_manage_comments). CHATSPOT refreshes it before its 60 days run out."},
			{Name: keyAppID, Label: "Instagram app ID", Type: channels.FieldText, Required: true,
				Help: "Meta app → Instagram → API setup with Instagram login."},
			{Name: keyAppSecret, Label: "Instagram app secret", Type: channels.FieldSecret, Required: true,
				Help: "Same page; every webhook is checked against it."},
			meta.VerifyTokenField,
			meta.HumanAgentField,
		},
		Secrets: []string{channels.KeyFileLinks},
		Hidden:  []string{channels.KeyFileLinks},
		Capabilities: channels.Capabilities{
			Window: meta.Window, HumanAgentWindow: meta.HumanAgentWindow,
			Media:    []string{channels.MediaImage, channels.MediaAudio, channels.MediaVideo, channels.MediaDocument},
			Receipts: true, Reactions: true, Threads: true, Comments: true, CommentReplyWindow: 7 * 24 * time.Hour,
		},
	}
}

// Validate checks the app id and fills in a verify token and the key of
// the file links Instagram fetches sent files from.
func (*Adapter) Validate(s channels.Settings) (channels.Settings, error) {
	if err := meta.ValidateIDs(s, keyAppID); err != nil {
		return nil, err
	}
	meta.EnsureVerifyToken(s, keyVerifyToken)
	if s.String(channels.KeyFileLinks) == "" {
		s[channels.KeyFileLinks] = channels.NewFileLinkKey()
	}
	return s, nil
}

func (a *Adapter) graph(ch store.Channel) (meta.Client, channels.Settings, error) {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return meta.Client{}, nil, err
	}
	if s.String(keyToken) == "" {
		return meta.Client{}, nil, &channels.PermanentError{Reason: "the Instagram account is not connected: use \"Connect with Instagram\"", Reauth: true}
	}
	base := a.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	return meta.Client{BaseURL: base, Version: a.Version, Token: s.String(keyToken), HTTP: a.HTTP}, s, nil
}

// Receive answers Meta's verification request and parses signed POSTs of
// the instagram object: DMs and their receipts, and comments.
func (a *Adapter) Receive(ctx context.Context, ch store.Channel, r channels.Request) (channels.Batch, *channels.Reply, error) {
	s, n, reply, err := meta.ReceiveSigned(ch, r, keyVerifyToken, keyAppSecret)
	if err != nil || reply != nil {
		return channels.Batch{}, reply, err
	}
	own := meta.Own{ID: s.String(keyUserID), AppID: s.String(keyAppID)}
	b := n.Batch(ch.ID, own, func(c meta.Change) (channels.Inbound, bool) { return commentInbound(ch.ID, own.ID, c) })
	if g, _, err := a.graph(ch); err == nil {
		a.names.Fill(ctx, ch.ID, b.Messages, func(ctx context.Context, id string) (string, error) {
			var p struct {
				Name     string `json:"name"`
				Username string `json:"username"`
			}
			err := g.Do(ctx, http.MethodGet, id+"?fields=name,username", nil, "", &p)
			return displayName(p.Name, p.Username), err
		})
	}
	return b, nil, nil
}

func displayName(name, username string) string {
	switch {
	case name != "" && username != "":
		return name + " (@" + username + ")"
	case username != "":
		return "@" + username
	}
	return name
}

// CommentValue is the comments field's value.
type CommentValue struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	From struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Media struct {
		ID               string `json:"id"`
		MediaProductType string `json:"media_product_type"`
		AdID             string `json:"ad_id"`
		AdTitle          string `json:"ad_title"`
	} `json:"media"`
	ParentID string `json:"parent_id"`
}

// commentInbound is a customer's comment as a message of the post's
// thread. The account's own comments (replies made here or in the app)
// are not taken: CHATSPOT's are recorded by their send.
func commentInbound(channelID, ownID string, c meta.Change) (channels.Inbound, bool) {
	if c.Field != "comments" && c.Field != "live_comments" {
		return channels.Inbound{}, false
	}
	var v CommentValue
	if err := json.Unmarshal(c.Value, &v); err != nil || v.ID == "" || v.From.ID == "" || v.Media.ID == "" {
		return channels.Inbound{}, false
	}
	if v.From.ID == ownID {
		return channels.Inbound{}, false
	}
	text := strings.TrimSpace(v.Text)
	if text == "" {
		text = "[comentário sem texto]"
	}
	return channels.Inbound{ChannelID: channelID, ExternalID: v.ID, ThreadKey: threadPrefix + v.Media.ID, Comment: true, Text: text,
		ReplyTo: v.ParentID, Contact: channels.InboundContact{ExternalID: v.From.ID, Name: displayName("", v.From.Username)}}, true
}

// FetchMedia downloads an inbound attachment from the URL Meta handed out.
func (a *Adapter) FetchMedia(ctx context.Context, ch store.Channel, m channels.Media) (channels.File, error) {
	return meta.FetchURL(ctx, a.HTTP, m)
}

// Send delivers an agent's message: a public reply to a comment, a
// private reply (a DM) to a comment, or a DM with its files (sent by a
// signed link Instagram fetches).
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	g, s, err := a.graph(out.Channel)
	if err != nil {
		return "", err
	}
	inThread := strings.HasPrefix(out.ThreadKey, threadPrefix)
	if out.Comment || inThread {
		if out.ReplyTo == "" {
			return "", &channels.PermanentError{Reason: "no comment to answer in this conversation"}
		}
		if len(out.Files) > 0 {
			return "", &channels.PermanentError{Reason: "replies to comments carry text only: send files by Direct in the customer's conversation"}
		}
	}
	text := strings.TrimSpace(out.Text)
	if out.Comment {
		if len([]rune(text)) > MaxCommentLen {
			return "", &channels.PermanentError{Reason: fmt.Sprintf("Instagram comments have at most %d characters", MaxCommentLen)}
		}
		var ans struct {
			ID string `json:"id"`
		}
		err := g.Do(ctx, http.MethodPost, url.PathEscape(out.ReplyTo)+"/replies?"+url.Values{"message": {text}}.Encode(), nil, "", &ans)
		return ans.ID, meta.SendError("Instagram", err)
	}
	req := meta.SendRequest{Recipient: meta.Recipient{ID: out.To}, NoResponseType: true,
		HumanAgent: meta.NeedsHumanAgentTag(s, out.CustomerWroteAt, time.Now())}
	if inThread {
		// A private reply: one DM to the commenter, answering the comment.
		req.Recipient = meta.Recipient{CommentID: out.ReplyTo}
		req.HumanAgent = false // private replies have their own 7 days
	}
	return meta.SendAllByURL(ctx, g, "me/messages", req, out, "Instagram")
}

// MarkRead shows the customer their messages were seen.
func (a *Adapter) MarkRead(ctx context.Context, ch store.Channel, contact string, _ []string) error {
	g, _, err := a.graph(ch)
	if err != nil {
		return err
	}
	return meta.SendError("Instagram", g.MarkSeen(ctx, "me/messages", contact))
}

// HideComment hides (or shows again) a comment on the account's post.
func (a *Adapter) HideComment(ctx context.Context, ch store.Channel, commentID string, hidden bool) error {
	g, _, err := a.graph(ch)
	if err != nil {
		return err
	}
	q := url.Values{"hide": {fmt.Sprint(hidden)}}.Encode()
	return meta.SendError("Instagram", g.Do(ctx, http.MethodPost, url.PathEscape(commentID)+"?"+q, nil, "", nil))
}

// DeleteComment deletes a comment on the account's post.
func (a *Adapter) DeleteComment(ctx context.Context, ch store.Channel, commentID string) error {
	g, _, err := a.graph(ch)
	if err != nil {
		return err
	}
	return meta.SendError("Instagram", g.Do(ctx, http.MethodDelete, url.PathEscape(commentID), nil, "", nil))
}

// ThreadKind names a post's thread.
func (*Adapter) ThreadKind(key string) string {
	if strings.HasPrefix(key, threadPrefix) {
		return channels.ThreadPost
	}
	return ""
}

// DescribeThread reads the post a comment thread is about.
func (a *Adapter) DescribeThread(ctx context.Context, ch store.Channel, key string) (channels.ThreadInfo, error) {
	media, ok := strings.CutPrefix(key, threadPrefix)
	if !ok {
		return channels.ThreadInfo{}, &channels.PermanentError{Reason: "not a post's thread"}
	}
	g, _, err := a.graph(ch)
	if err != nil {
		return channels.ThreadInfo{}, err
	}
	var p struct {
		Caption      string `json:"caption"`
		MediaType    string `json:"media_type"`
		MediaURL     string `json:"media_url"`
		ThumbnailURL string `json:"thumbnail_url"`
		Permalink    string `json:"permalink"`
	}
	if err := g.Do(ctx, http.MethodGet, url.PathEscape(media)+"?fields=caption,media_type,media_url,thumbnail_url,permalink", nil, "", &p); err != nil {
		return channels.ThreadInfo{}, meta.SendError("Instagram", err)
	}
	image := p.MediaURL
	if p.ThumbnailURL != "" {
		image = p.ThumbnailURL // videos and reels
	}
	return channels.ThreadInfo{Kind: channels.ThreadPost, Key: key, Caption: p.Caption, ImageURL: image, Link: p.Permalink, MediaType: p.MediaType}, nil
}

// Steps: check the token and learn the account, then subscribe the app to
// its webhook fields.
func (*Adapter) Steps(store.Channel) []string { return []string{StepVerifyAccount, StepSubscribe} }

// RunStep runs one activation step.
func (a *Adapter) RunStep(ctx context.Context, env channels.Env, ch store.Channel, step string) (channels.StepResult, error) {
	g, _, err := a.graph(ch)
	if err != nil {
		return channels.StepResult{}, err
	}
	switch step {
	case StepVerifyAccount:
		var me struct {
			UserID   string `json:"user_id"`
			ID       string `json:"id"`
			Username string `json:"username"`
		}
		if err := g.Do(ctx, http.MethodGet, "me?fields=user_id,username", nil, "", &me); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		id := me.UserID
		if id == "" {
			id = me.ID
		}
		return channels.StepResult{Detail: "@" + me.Username, Set: channels.Settings{keyUserID: id, keyUsername: me.Username}}, nil
	case StepSubscribe:
		if err := g.Do(ctx, http.MethodPost, "me/subscribed_apps?subscribed_fields="+subscribedFields, nil, "", nil); err != nil {
			return channels.StepResult{}, meta.ActivationError(err)
		}
		detail := "webhooks go to the Meta app's callback URL"
		if env.HookURL != "" {
			detail = "set the app's Instagram callback URL to " + env.HookURL
		}
		return channels.StepResult{Detail: detail}, nil
	}
	return channels.StepResult{}, fmt.Errorf("instagram: no step %q", step)
}

// Deactivate unsubscribes the app from the account's webhooks.
func (a *Adapter) Deactivate(ctx context.Context, _ channels.Env, ch store.Channel) error {
	g, _, err := a.graph(ch)
	if err != nil {
		return nil // no token: nothing was subscribed with it
	}
	return meta.ActivationError(g.Do(ctx, http.MethodDelete, "me/subscribed_apps", nil, "", nil))
}
