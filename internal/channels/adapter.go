package channels

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// Kind describes a channel kind: what the UI shows and renders a form
// from, and what the engine needs to know (the customer-service window).
type Kind struct {
	Name         string       `json:"kind"`
	Label        string       `json:"label"` // English; the UI has its own strings
	Capabilities Capabilities `json:"capabilities"`
	// Settings are the fields a manager fills in. Kinds with a bespoke
	// editor (Component) validate their whole settings document instead.
	Settings  []Field `json:"settings"`
	Component string  `json:"component,omitempty"` // "webchat", "api": the UI's own editor
	// Secrets are settings keys the adapter stores itself (not in
	// Settings) that must be sealed at rest, e.g. a webhook secret token.
	Secrets []string `json:"-"`
	// Hidden are keys the adapter stores that never leave the server
	// (a token's hash).
	Hidden []string `json:"-"`
}

// Capabilities are what a kind can do; the conversation engine and the
// composer follow them.
type Capabilities struct {
	// Window is how long after the customer's last message free text may
	// be sent; 0: no window.
	Window time.Duration `json:"window_seconds"`
	// HumanAgentWindow is the longer window of messages sent with Meta's
	// human-agent tag; 0: no such extension.
	HumanAgentWindow time.Duration `json:"human_agent_window_seconds"`
	Media            []string      `json:"media"` // media kinds it carries both ways
	Templates        bool          `json:"templates"`
	Receipts         bool          `json:"receipts"`
	Threads          bool          `json:"threads"`
	Edits            bool          `json:"edits"`
	Reactions        bool          `json:"reactions"`
	// Comments: the channel carries public comments (Instagram posts')
	// besides private messages.
	Comments bool `json:"comments"`
	// CommentReplyWindow is how long after a comment it may be answered
	// privately (Instagram: 7 days); the window of comment threads.
	CommentReplyWindow time.Duration `json:"comment_reply_window_seconds"`
	SendsPerSecond     float64       `json:"sends_per_second"` // the provider's limit per channel; 0: none known
	// SendsOnConnection: sends and file downloads need the channel's live
	// connection (a WhatsApp session), so they run on the worker holding
	// it, on that worker's own task queue.
	SendsOnConnection bool `json:"sends_on_connection"`
	// Subjects: messages carry a subject, copies and references (e-mail);
	// replies are sent with the thread's.
	Subjects bool `json:"subjects"`
	// Questions: each customer message is a question answered publicly,
	// once (Mercado Livre): an agent's message answers the one chosen,
	// else the latest.
	Questions bool `json:"questions"`
	// AnswersLatest: an outbound message names the customer's message it
	// answers, the latest when the agent chose none (Mercado Livre's
	// questions, OLX's chat).
	AnswersLatest bool `json:"answers_latest"`
	// MaxText is the longest text the provider takes (characters); 0: no
	// limit known. The composer counts down to it; longer is refused.
	MaxText int `json:"max_text"`
	// Metered: each send costs the account's prepaid balance (SMS). The
	// adapter is a Pricer; the send's cost is reserved when the message is
	// stored (refused when the balance cannot cover it) and refunded when
	// it finally fails; the kit adds the activation step prepaid_balance
	// (the account's first recharge activates the channel).
	Metered bool `json:"metered"`
	// ExternalReplies: replies are written on the provider's own site by
	// the person (LinkedIn, which has no messaging API): agents write
	// private notes only, and the next capture brings the replies in.
	ExternalReplies bool `json:"external_replies"`
}

// WindowFor is the window for a send with or without the human-agent tag.
func (c Capabilities) WindowFor(humanAgentTag bool) time.Duration {
	if humanAgentTag && c.HumanAgentWindow > 0 {
		return c.HumanAgentWindow
	}
	return c.Window
}

// Field types of a kind's settings form.
const (
	FieldText   = "text"
	FieldURL    = "url"
	FieldSecret = "secret" // sealed at rest, masked in answers, kept when not resent
	FieldBool   = "bool"
	FieldNumber = "number"
	FieldSelect = "select"
)

// Field is one setting of a kind.
type Field struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Help     string   `json:"help,omitempty"`
	Options  []string `json:"options,omitempty"`
}

// Adapter is what every channel kind implements.
type Adapter interface {
	Kind() Kind
	// Validate checks a channel's settings as they will be stored (the
	// manager's changes over the stored values, secrets in clear) and
	// returns them, normalised. A FieldError names the setting.
	Validate(s Settings) (Settings, error)
	Sender
}

// Request is an inbound HTTP request to /hooks/<kind>/<channel>, with its
// body read (signatures are over the raw bytes).
type Request struct {
	Method string
	Header http.Header
	Query  url.Values
	Body   []byte
	// URL is the address the provider called, with its query: the
	// installation's base URL and the request's path (Twilio signs it).
	URL string
}

// Reply is an answer a webhook gives instead of the default one (a
// verification challenge, the API channel's message id).
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
}

// AuthError refuses a webhook request whose signature, secret or token is
// missing or wrong (401); nothing of it is stored.
type AuthError struct {
	Reason string
	Field  string // the header that carries it, when there is one
}

func (e *AuthError) Error() string { return e.Reason }

// ErrUnauthorized is the AuthError of a missing or wrong signature.
var ErrUnauthorized = &AuthError{Reason: "missing or wrong signature or secret"}

// Webhook is implemented by kinds whose provider calls us.
type Webhook interface {
	// Receive verifies the request (in constant time) and parses it into
	// events. A reply answers the request as is (a verification
	// challenge); with none, the events are ingested and the request gets
	// the kit's answer. An AuthError answers 401, a FieldError 422, a
	// MalformedError 400.
	Receive(ctx context.Context, ch store.Channel, r Request) (Batch, *Reply, error)
}

// Responder lets a webhook kind shape the answer after its events were
// ingested (the API channel answers each message's id).
type Responder interface {
	Respond(results []Ingested) Reply
}

// Ingested is what the inbox did with one inbound message.
type Ingested struct {
	MessageID string
	ContactID string
	Duplicate bool
}

// File is a downloaded provider file.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// ResourceFetcher is implemented by kinds whose notifications name a
// resource instead of carrying it (Batch.Fetches): the fetch-resource
// workflow reads it into what it holds, after the webhook answered.
type ResourceFetcher interface {
	FetchResource(ctx context.Context, ch store.Channel, ref string) (Batch, error)
}

// MediaFetcher is implemented by kinds whose inbound messages carry
// provider files.
type MediaFetcher interface {
	FetchMedia(ctx context.Context, ch store.Channel, m Media) (File, error)
}

// Env is what activation and connections need to know of the
// installation.
type Env struct {
	// PublicURL is the app's URL when providers can reach it (https, not
	// a loopback or private host); "" on a laptop.
	PublicURL string
	// HookURL is where this channel's provider calls: PublicURL +
	// /hooks/<kind>/<channel>; "" without a public URL.
	HookURL string
	// Progress shows an activation step's progress live while it runs (a
	// QR code to scan, a pairing code); nil outside activation.
	Progress func(ctx context.Context, detail string, prompt *Prompt) error `json:"-"`
}

// Prompt is something a manager must act on during an activation step:
// a QR code to scan with the phone, a code to type on it.
type Prompt struct {
	Type    string    `json:"type"`  // PromptQR or PromptCode
	Value   string    `json:"value"` // the QR code's text, or the code
	Expires time.Time `json:"expires,omitempty"`
}

// Prompt types.
const (
	PromptQR   = "qr"
	PromptCode = "code"
)

// Step is one step of a channel's activation.
type Step struct {
	Name   string  `json:"name"`
	State  string  `json:"state"` // StepPending, ...
	Detail string  `json:"detail,omitempty"`
	Prompt *Prompt `json:"prompt,omitempty"` // while the step waits for the manager
}

// Step states.
const (
	StepPending = "pending"
	StepRunning = "running"
	StepDone    = "done"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// Activation is the progress of a channel's activation, stored on the
// channel and shown live in its screen.
type Activation struct {
	State string `json:"state"` // ActivationRunning, ActivationDone, ActivationFailed
	Error string `json:"error,omitempty"`
	Steps []Step `json:"steps"`
}

// Activation states.
const (
	ActivationRunning = "running"
	ActivationDone    = "done"
	ActivationFailed  = "failed"
)

// StepResult is what an activation step did.
type StepResult struct {
	Detail  string
	Skipped bool
	// Set are settings to store (the bot's name, the mode chosen, a
	// generated webhook secret: sealed when the kind declares it secret).
	Set Settings
	// Connect: the channel needs its connection workflow running.
	Connect bool
}

// Activator is implemented by kinds that need steps to connect (a token
// check, a webhook registration, OAuth, pairing, a payment).
type Activator interface {
	// Steps names the activation steps in order.
	Steps(ch store.Channel) []string
	// RunStep runs one step; it must be safe to run again.
	RunStep(ctx context.Context, env Env, ch store.Channel, step string) (StepResult, error)
	// Deactivate undoes what activation registered at the provider.
	Deactivate(ctx context.Context, env Env, ch store.Channel) error
}

// Sink takes what a stateful connection receives.
type Sink interface {
	// Deliver ingests a batch; once it returns nil the batch is stored
	// and the connection may acknowledge it to the provider.
	Deliver(ctx context.Context, b Batch) error
	// Status records the connection's health (store.ChannelConnected, ...).
	Status(ctx context.Context, status, reason string) error
	// Cursor reads where the connection's sync stood ("" the first time);
	// SaveCursor records it, after what it covers was delivered, so a
	// restart resumes there and takes nothing twice.
	Cursor(ctx context.Context, name string) (string, error)
	SaveCursor(ctx context.Context, name, value string) error
}

// Pricer is implemented by metered kinds (Capabilities.Metered): what a
// text costs to send on the channel, counted as the provider counts.
type Pricer interface {
	Price(ch store.Channel, text string) Price
}

// Price is what one send costs: Units (SMS segments) at UnitCents each
// (BRL centavos).
type Price struct {
	Units      int    `json:"units"`
	Encoding   string `json:"encoding"`   // SMS: gsm7 or ucs2
	Characters int    `json:"characters"` // as the provider counts them (GSM-7 extension characters count two)
	UnitCents  int64  `json:"unit_cents"`
}

// Cents is the send's cost.
func (p Price) Cents() int64 { return int64(p.Units) * p.UnitCents }

// StepPrepaidBalance is the activation step the kit adds to metered kinds:
// done once the account's first recharge (R$ 100,00 or more) is credited.
const StepPrepaidBalance = "prepaid_balance"

// Connector is implemented by kinds that hold a connection open (long
// polling, a WhatsApp session, IMAP IDLE). Connect runs until ctx ends or
// the connection fails; the connection workflow runs it on one worker at
// a time and on another when that worker dies. Heartbeats are the
// caller's.
type Connector interface {
	Connect(ctx context.Context, env Env, ch store.Channel, sink Sink) error
}

// Reader is a kind that tells the customer their messages were read
// (WhatsApp's blue ticks) when an agent opens the conversation.
type Reader interface {
	// MarkRead marks the customer's messages ids (provider ids, oldest
	// first) as read.
	MarkRead(ctx context.Context, ch store.Channel, contact string, ids []string) error
}

// Templater is a kind with provider-approved message templates (WhatsApp
// Official): read from the provider and submitted for review.
type Templater interface {
	ListTemplates(ctx context.Context, ch store.Channel) ([]Template, error)
	// SubmitTemplate sends a template for review; the answer carries the
	// provider's id and first status.
	SubmitTemplate(ctx context.Context, ch store.Channel, t Template) (Template, error)
}

// Moderator is a kind whose public comments the business can hide or
// delete at the provider.
type Moderator interface {
	HideComment(ctx context.Context, ch store.Channel, commentID string, hidden bool) error
	DeleteComment(ctx context.Context, ch store.Channel, commentID string) error
}

// ThreadInfo is what a conversation's thread is about (an Instagram
// post, a listing), shown above its messages.
type ThreadInfo struct {
	Kind      string `json:"kind"` // ThreadPost, ...
	Key       string `json:"key"`
	Title     string `json:"title,omitempty"`
	Caption   string `json:"caption,omitempty"`
	ImageURL  string `json:"image_url,omitempty"`
	Link      string `json:"link,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

// ErrThreadStored is DescribeThread's answer when there is nothing to ask
// the provider: the thread's card is the one stored with the conversation
// (LinkedIn's, from its last capture).
var ErrThreadStored = errors.New("the thread is described by what was stored")

// Thread kinds.
const (
	ThreadPost    = "post"    // an Instagram post's comments
	ThreadListing = "listing" // a Mercado Livre listing's questions
	ThreadAd      = "ad"      // an OLX ad's chat
	ThreadProfile = "profile" // a LinkedIn profile's conversation
)

// ThreadDescriber is a kind that can say what a thread is about, from the
// provider.
type ThreadDescriber interface {
	// ThreadKind names the kind of a thread key without calling the
	// provider ("" when the key is not one of its threads).
	ThreadKind(key string) string
	DescribeThread(ctx context.Context, ch store.Channel, key string) (ThreadInfo, error)
}

// OAuth is a kind connected through its provider's consent screen
// (Instagram Login, Facebook Login, Google, Microsoft, Mercado Livre): the
// manager is sent to AuthorizeURL and comes back to CHATSPOT's callback
// with a code.
type OAuth interface {
	// AuthorizeURL is the consent screen for the channel; flow.State comes
	// back with the code.
	AuthorizeURL(ch store.Channel, flow OAuthFlow) (string, error)
	// Exchange turns the code into the settings to store (tokens, their
	// expiry, the account's ids).
	Exchange(ctx context.Context, ch store.Channel, flow OAuthFlow, code string) (Settings, error)
}

// OAuthFlow is one consent: where the provider sends the browser back,
// the signed state, and a PKCE code verifier (RFC 7636) the kit derives
// from the state with the installation's key, for providers that want a
// proof key: its Challenge goes with AuthorizeURL, the verifier with the
// code's exchange.
type OAuthFlow struct {
	RedirectURI, State, Verifier string
}

// Challenge is the S256 code challenge of the flow's verifier.
func (f OAuthFlow) Challenge() string {
	sum := sha256.Sum256([]byte(f.Verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TokenRefresher is a kind whose token expires and is refreshed before
// it does (Instagram's 60-day tokens), by the channel's token-refresh
// workflow.
type TokenRefresher interface {
	// RefreshAt is when the channel's token should be refreshed; zero when
	// it needs no refresh (no token, one that does not expire).
	RefreshAt(ch store.Channel, now time.Time) time.Time
	// RefreshToken answers the settings to store (the new token and its
	// expiry). A PermanentError means the manager must connect again.
	RefreshToken(ctx context.Context, ch store.Channel) (Settings, error)
}

// IDAssigner is a kind whose messages carry an id we choose: it is stored
// on the message before the send, so a receipt finds its message even when
// the send's answer was lost, and a retry resends under the same id.
type IDAssigner interface {
	ProviderMessageID(messageID string) string
}

// TokenIssuer is a kind whose provider calls with a token we issue (the
// API channel): a new one at creation and on rotation, shown once; only
// what verifies it is stored.
type TokenIssuer interface {
	IssueToken(s Settings) (token string, out Settings)
}

// Presenter adds a kind's read-only facts to a channel's answer: what to
// paste in a site, where to post.
type Presenter interface {
	Present(ch store.Channel, baseURL string) Presentation
}

// Presentation is what a Presenter adds.
type Presentation struct {
	Snippet    string // webchat: the embed code
	InboundURL string // api: where integrators post
	// LinkedIn: where to download the capture extension, its id, and when
	// captures arrived (RFC 3339, "" before the first).
	ExtensionURL, ExtensionID     string
	FirstCaptureAt, LastCaptureAt string
}

// PublicURL is baseURL when providers on the internet can reach it (https
// on a host that is not loopback, private or a bare name), else "".
func PublicURL(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return ""
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return ""
		}
		return strings.TrimRight(baseURL, "/")
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || !strings.Contains(host, ".") {
		return ""
	}
	return strings.TrimRight(baseURL, "/")
}
