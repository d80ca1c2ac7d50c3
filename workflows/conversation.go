package workflows

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// Names of the conversation workflow's handlers.
const (
	SignalInbound  = "inbound"
	UpdateSend     = "send"
	UpdateRetry    = "retry"
	UpdateAssign   = "assign"
	UpdateTransfer = "transfer"
	UpdateTags     = "tags"
	UpdatePriority = "priority"
	UpdateSnooze   = "snooze"
	UpdateClose    = "close"
	UpdateReopen   = "reopen"
	UpdateAssist   = "assist"
	QueryState     = "state"
)

// ConversationWorkflowID is the business key of a contact's conversation
// on a channel: one ID, one run per ticket.
func ConversationWorkflowID(channelID, contactID string) string {
	return fmt.Sprintf("conversation/%s/%s", channelID, contactID)
}

// ThreadWorkflowID is the business key of one of a contact's parallel
// conversations on a channel (an e-mail thread, a listing's questions);
// without a thread key it is ConversationWorkflowID, so IDs from before
// threads keep working.
func ThreadWorkflowID(channelID, contactID, threadKey string) string {
	if threadKey == "" {
		return ConversationWorkflowID(channelID, contactID)
	}
	return ConversationWorkflowID(channelID, contactID) + "/" + url.PathEscape(threadKey)
}

// The types the conversation workflow shares with the activities that
// drive it from outside (scheduled messages, card entry messages) live in
// package activities; these aliases keep their workflow names.
type (
	ConversationInput = activities.ConversationInput
	InboundSignal     = activities.InboundSignal
	SendRequest       = activities.SendRequest
	SendResult        = activities.SendResult
)

// CloseRequest is the argument of the close update.
type CloseRequest struct {
	UserID string // empty when the system closes it
	Reason string
}

// AssignRequest assigns the ticket to a user ("" unassigns).
type AssignRequest struct {
	UserID string
	By     string
}

// TransferRequest moves the ticket to a team and clears the assignee.
type TransferRequest struct {
	TeamID string
	By     string
}

// TagsRequest adds and removes tags.
type TagsRequest struct {
	Add    []string
	Remove []string
}

// PriorityRequest sets the priority.
type PriorityRequest struct {
	Priority string
}

// SnoozeRequest hides the ticket until a time; a customer message wakes it
// earlier.
type SnoozeRequest struct {
	Until time.Time
}

// RetryRequest re-sends a failed message.
type RetryRequest struct {
	MessageID string
}

// ConversationState answers the state query.
type ConversationState struct {
	ConversationID        string
	Status                string
	AssigneeID            string
	TeamID                string
	Priority              string
	Tags                  []string
	Inbound               int
	LastCustomerMessageAt time.Time
	FirstResponseAt       time.Time
	SnoozedUntil          time.Time
	SLABreached           bool
	Outbox                []string
}

// Priorities accepted by the priority update.
var Priorities = []string{"low", "normal", "high", "urgent"}

// Conversation is the lifecycle of one ticket. Customer messages arrive as
// signals (signal-with-start); agents act through updates that answer once
// the change is stored. Timers close an idle ticket, flag a late first
// response and wake a snoozed one; the channel's customer-service window
// is checked on every free-text send.
func Conversation(ctx workflow.Context, in ConversationInput) error {
	c := &conversation{in: in, outbox: in.Outbox}
	ctx = withLocalActivity(ctx)
	info := workflow.GetInfo(ctx)
	open := activities.OpenConversationInput{
		AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID, ThreadKey: in.ThreadKey,
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID, ConversationID: in.ConversationID,
	}
	if err := workflow.ExecuteLocalActivity(ctx, a.OpenConversation, open).Get(ctx, &c.ticket); err != nil {
		return err
	}
	c.windowFromTicket = workflow.GetVersion(ctx, "window-from-ticket", workflow.DefaultVersion, 1) == 1
	c.state = ConversationState{
		ConversationID: c.ticket.ConversationID, Status: c.ticket.Status, AssigneeID: c.ticket.AssigneeID, TeamID: c.ticket.TeamID,
		Priority: c.ticket.Priority, Tags: c.ticket.Tags, LastCustomerMessageAt: c.ticket.LastCustomerMessageAt, FirstResponseAt: c.ticket.FirstResponseAt,
	}
	if c.state.Status == store.StatusClosed { // reopened after close
		if err := c.change(ctx, activities.Change{Status: ptr(store.StatusOpen)}); err != nil {
			return err
		}
		c.state.Status = store.StatusOpen
	}
	c.lastActivity = workflow.Now(ctx)
	if err := c.registerHandlers(ctx); err != nil {
		return err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(c.state.Status)); err != nil {
		return err
	}
	workflow.Go(ctx, c.deliverLoop)

	inbound := workflow.GetSignalChannel(ctx, SignalInbound)
	pending := in.Pending
	// Version 1 keeps one timer running while its deadline only moves later
	// (every customer message moves the idle deadlines) and records the
	// messages of a workflow task in one local activity: per message, a
	// busy ticket no longer cancels and starts a timer or opens a
	// transaction of its own.
	c.lean = workflow.GetVersion(ctx, "lean-loop", workflow.DefaultVersion, 1) == 1
	if in.ConversationID == "" && workflow.GetVersion(ctx, "distribution", workflow.DefaultVersion, 2) != workflow.DefaultVersion {
		// A new ticket: record what the customer wrote, then let the
		// distribution rules decide who takes it.
		pending = append(pending, drain(inbound)...)
		if err := c.record(ctx, pending); err != nil {
			return err
		}
		pending = nil
		if err := c.automate(ctx, rules.ConversationCreated); err != nil {
			return err
		}
		// Version 1 started a distribution for every ticket; version 2 only
		// when the account has distribution rules.
		if workflow.GetVersion(ctx, "distribution", workflow.DefaultVersion, 2) == 1 || c.ticket.Distributes {
			if err := c.startDistribution(ctx); err != nil {
				return err
			}
		}
	}
	var timer workflow.Future
	var timerAt time.Time
	var stopTimer workflow.CancelFunc
	for {
		if err := c.record(ctx, pending); err != nil {
			return err
		}
		pending = nil
		if c.closed() || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
		wait, kind := c.nextTimer(ctx)
		if !c.lean {
			woke, err := workflow.AwaitWithTimeout(ctx, wait, func() bool {
				return inbound.Len() > 0 || c.closed() || c.rearm || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
			})
			if err != nil {
				return err
			}
			c.rearm = false
			pending = drain(inbound)
			if !woke && len(pending) == 0 {
				if err := c.fire(ctx, kind); err != nil {
					return err
				}
			}
			continue
		}
		due := workflow.Now(ctx).Add(wait)
		if timer == nil || due.Before(timerAt) {
			if stopTimer != nil {
				stopTimer()
			}
			var tctx workflow.Context
			tctx, stopTimer = workflow.WithCancel(ctx)
			timer, timerAt = workflow.NewTimer(tctx, wait), due
		}
		if err := workflow.Await(ctx, func() bool {
			return inbound.Len() > 0 || c.closed() || c.rearm || timer.IsReady() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		}); err != nil {
			return err
		}
		c.rearm = false
		pending = drain(inbound)
		if !timer.IsReady() {
			continue
		}
		timer, stopTimer = nil, nil
		// The timer was set for the earliest deadline when it started;
		// deadlines may have moved later since. Act only on one that is due.
		if at, kind := c.nextDeadline(); len(pending) == 0 && kind != timerNone && !at.After(workflow.Now(ctx)) {
			if err := c.fire(ctx, kind); err != nil {
				return err
			}
		}
	}
	// Let in-flight updates and deliveries finish and take the signals that
	// came with them, so nothing is lost when this run ends.
	// A closed ticket also waits for its queued messages to be delivered
	// (or fail); a continued one carries them to the next run.
	if err := workflow.Await(ctx, func() bool {
		return workflow.AllHandlersFinished(ctx) && !c.delivering && (len(c.outbox) == 0 || !c.closed())
	}); err != nil {
		return err
	}
	pending = c.unseen(append(pending, drain(inbound)...))
	next := ConversationInput{AccountID: in.AccountID, ChannelID: in.ChannelID, ContactID: in.ContactID, ThreadKey: in.ThreadKey, Pending: pending, Outbox: c.outbox}
	if !c.closed() {
		next.ConversationID = c.state.ConversationID
		return workflow.NewContinueAsNewError(ctx, Conversation, next)
	}
	if len(pending) > 0 {
		// The customer wrote again as the ticket closed: that is a new ticket.
		next.Outbox = nil
		return workflow.NewContinueAsNewError(ctx, Conversation, next)
	}
	return nil
}

// startDistribution starts the ticket's distribution workflow and returns
// once it runs; it outlives this run (continue-as-new, close) and stops by
// itself when the ticket closes.
func (c *conversation) startDistribution(ctx workflow.Context) error {
	// Version 1 starts it from a local activity instead of as a child, so
	// its start and end cost this workflow no task (see StartDistribution).
	if workflow.GetVersion(ctx, "distribution-start", workflow.DefaultVersion, 1) == 1 {
		in := activities.DistributionInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID}
		return workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.StartDistribution, in).Get(ctx, nil)
	}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:        DistributionWorkflowID(c.state.ConversationID),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), Distribution,
		DistributionInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// withLocalActivity sets the options of the database writes. Handlers get
// the workflow's root context, so they call it too.
func withLocalActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: 30 * time.Second},
	})
}

// deliveryOptions retry a provider for about an hour and a half before the
// message is marked failed; a refusal stops at once.
var deliveryOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 10,
		NonRetryableErrorTypes: []string{activities.ErrProviderRefused},
	},
}

// a is a nil receiver used only to name activity methods.
var a *activities.Conversations

type conversation struct {
	in           ConversationInput
	ticket       activities.Ticket
	state        ConversationState
	seen         map[string]bool
	closing      bool // a close update is running
	outbox       []string
	delivering   bool
	lastActivity time.Time
	autoSeq      int // numbers automation actions for their idempotency keys
	idleStep     int // conversation.idle waits already run in this quiet spell
	// rearm is set by handlers that move a timer (snooze, reopen, a reply),
	// so the main loop recomputes its wait.
	rearm bool
	// firstUnanswered is when the customer first wrote with no agent reply
	// yet: the first-response SLA counts from here.
	firstUnanswered time.Time
	lean            bool // the "lean-loop" version: see Conversation
	// windowFromTicket: the service window comes with the ticket (the
	// channel kind's declared capabilities); runs recorded before use the
	// kit's frozen rule. Decided once, as validators cannot record versions.
	windowFromTicket bool
}

func (c *conversation) closed() bool { return c.state.Status == store.StatusClosed }

func ptr[T any](v T) *T { return &v }

// change stores a patch of the ticket.
func (c *conversation) change(ctx workflow.Context, ch activities.Change) error {
	ch.AccountID, ch.ConversationID = c.in.AccountID, c.state.ConversationID
	return workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.ChangeConversation, ch).Get(ctx, nil)
}

type timerKind int

const (
	timerNone timerKind = iota
	timerAutoClose
	timerSLA
	timerSnooze
	timerIdle
)

// nextDeadline returns the earliest deadline and what it is for
// (timerNone: nothing is scheduled).
func (c *conversation) nextDeadline() (time.Time, timerKind) {
	var best time.Time
	kind := timerNone
	consider := func(at time.Time, k timerKind) {
		if kind == timerNone || at.Before(best) {
			best, kind = at, k
		}
	}
	if c.ticket.AutoCloseAfter > 0 && c.state.Status != store.StatusSnoozed {
		consider(c.lastActivity.Add(c.ticket.AutoCloseAfter), timerAutoClose)
	}
	if c.ticket.FirstResponseSLA > 0 && !c.state.SLABreached && c.state.FirstResponseAt.IsZero() && !c.state.LastCustomerMessageAt.IsZero() {
		consider(c.firstUnanswered.Add(c.ticket.FirstResponseSLA), timerSLA)
	}
	if c.state.Status == store.StatusSnoozed && !c.state.SnoozedUntil.IsZero() {
		consider(c.state.SnoozedUntil, timerSnooze)
	}
	if c.idleStep < len(c.ticket.IdleSteps) {
		consider(c.lastActivity.Add(c.ticket.IdleSteps[c.idleStep]), timerIdle)
	}
	return best, kind
}

// nextTimer returns how long to wait for the earliest due timer (a year
// when none is scheduled).
func (c *conversation) nextTimer(ctx workflow.Context) (time.Duration, timerKind) {
	const none = 365 * 24 * time.Hour
	at, kind := c.nextDeadline()
	d := at.Sub(workflow.Now(ctx))
	if kind == timerNone || d >= none {
		return none, timerNone
	}
	return max(d, time.Millisecond), kind
}

// fire acts on a timer that came due.
func (c *conversation) fire(ctx workflow.Context, t timerKind) error {
	switch t {
	case timerAutoClose:
		if len(c.outbox) > 0 || c.closing {
			c.lastActivity = workflow.Now(ctx) // never close under a message still being sent
			return nil
		}
		return c.close(ctx, CloseRequest{Reason: "inactivity"})
	case timerSLA:
		c.state.SLABreached = true
		return c.change(ctx, activities.Change{SLABreached: true})
	case timerIdle:
		// Each wait fires once per quiet spell; new activity starts over.
		from := time.Duration(0)
		if c.idleStep > 0 {
			from = c.ticket.IdleSteps[c.idleStep-1]
		}
		upTo := c.ticket.IdleSteps[c.idleStep]
		c.idleStep++
		return c.automateIdle(ctx, from, upTo)
	case timerSnooze:
		c.state.Status, c.state.SnoozedUntil = store.StatusOpen, time.Time{}
		if err := c.change(ctx, activities.Change{Status: ptr(store.StatusOpen)}); err != nil {
			return err
		}
		return workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(store.StatusOpen))
	}
	return nil
}

func (c *conversation) close(ctx workflow.Context, req CloseRequest) error {
	c.closing = true
	if err := c.change(ctx, activities.Change{Status: ptr(store.StatusClosed)}); err != nil {
		c.closing = false
		return err
	}
	c.state.Status = store.StatusClosed
	if err := workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(store.StatusClosed)); err != nil {
		return err
	}
	return c.automate(ctx, rules.ConversationClosed)
}

func (c *conversation) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ConversationState, error) {
		st := c.state
		st.Outbox = slices.Clone(c.outbox)
		return st, nil
	}); err != nil {
		return err
	}
	open := func() error {
		if c.closed() || c.closing {
			return errors.New("conversation is closed; reopen it first")
		}
		return nil
	}
	handlers := []struct {
		name     string
		fn       any
		validate any
	}{
		{UpdateSend, c.send, func(ctx workflow.Context, r SendRequest) error {
			if strings.TrimSpace(r.Body) == "" && len(r.AttachmentIDs) == 0 {
				return errors.New("message is empty")
			}
			if r.IdempotencyKey == "" {
				return errors.New("idempotency key is required")
			}
			if err := open(); err != nil {
				return err
			}
			return c.checkWindow(ctx, r)
		}},
		{UpdateRetry, c.retry, func(ctx workflow.Context, r RetryRequest) error { return open() }},
		{UpdateAssign, func(ctx workflow.Context, r AssignRequest) (ConversationState, error) {
			c.state.AssigneeID = r.UserID
			return c.state, c.change(ctx, activities.Change{AssigneeID: ptr(r.UserID)})
		}, func(ctx workflow.Context, r AssignRequest) error { return open() }},
		{UpdateTransfer, func(ctx workflow.Context, r TransferRequest) (ConversationState, error) {
			c.state.TeamID, c.state.AssigneeID = r.TeamID, ""
			return c.state, c.change(ctx, activities.Change{TeamID: ptr(r.TeamID), AssigneeID: ptr("")})
		}, func(ctx workflow.Context, r TransferRequest) error { return open() }},
		{UpdateTags, func(ctx workflow.Context, r TagsRequest) (ConversationState, error) {
			tags := slices.DeleteFunc(append(slices.Clone(c.state.Tags), cleanTags(r.Add)...), func(t string) bool {
				return slices.Contains(cleanTags(r.Remove), t)
			})
			slices.Sort(tags)
			c.state.Tags = slices.Compact(tags)
			return c.state, c.change(ctx, activities.Change{Tags: c.state.Tags, TagsSet: true})
		}, func(ctx workflow.Context, r TagsRequest) error { return nil }},
		{UpdatePriority, func(ctx workflow.Context, r PriorityRequest) (ConversationState, error) {
			c.state.Priority = r.Priority
			return c.state, c.change(ctx, activities.Change{Priority: ptr(r.Priority)})
		}, func(ctx workflow.Context, r PriorityRequest) error {
			if !slices.Contains(Priorities, r.Priority) {
				return fmt.Errorf("priority must be one of %s", strings.Join(Priorities, ", "))
			}
			return nil
		}},
		{UpdateSnooze, func(ctx workflow.Context, r SnoozeRequest) (ConversationState, error) {
			c.state.Status, c.state.SnoozedUntil, c.rearm = store.StatusSnoozed, r.Until, true
			if err := c.change(ctx, activities.Change{Status: ptr(store.StatusSnoozed), SnoozedUntil: &r.Until}); err != nil {
				return c.state, err
			}
			return c.state, workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(store.StatusSnoozed))
		}, func(ctx workflow.Context, r SnoozeRequest) error {
			if !r.Until.After(workflow.Now(ctx)) {
				return errors.New("snooze until a time in the future")
			}
			return open()
		}},
		{UpdateReopen, func(ctx workflow.Context, r CloseRequest) (ConversationState, error) {
			c.state.Status, c.state.SnoozedUntil, c.rearm = store.StatusOpen, time.Time{}, true
			if err := c.change(ctx, activities.Change{Status: ptr(store.StatusOpen)}); err != nil {
				return c.state, err
			}
			return c.state, workflow.UpsertTypedSearchAttributes(ctx, ConversationStatusKey.ValueSet(store.StatusOpen))
		}, func(ctx workflow.Context, r CloseRequest) error {
			if c.state.Status == store.StatusOpen {
				return errors.New("conversation is already open")
			}
			return open()
		}},
		{UpdateAssist, func(ctx workflow.Context, r activities.AssistInput) (string, error) {
			r.AccountID, r.ConversationID = c.in.AccountID, c.state.ConversationID
			actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
				StartToCloseTimeout: 30 * time.Second,
				RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2},
			})
			var suggestion string
			err := workflow.ExecuteActivity(actx, as.Suggest, r).Get(ctx, &suggestion)
			return suggestion, err
		}, func(ctx workflow.Context, r activities.AssistInput) error { return nil }},
		{UpdateClose, func(ctx workflow.Context, r CloseRequest) (ConversationState, error) {
			return c.state, c.close(ctx, r)
		}, func(ctx workflow.Context, r CloseRequest) error {
			if c.closed() || c.closing {
				return errors.New("conversation is already closed")
			}
			return nil
		}},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, workflow.UpdateHandlerOptions{Validator: h.validate}); err != nil {
			return err
		}
	}
	return nil
}

func cleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !strings.Contains(t, ",") {
			out = append(out, t)
		}
	}
	return out
}

// checkWindow refuses free text outside the channel's customer-service
// window; notes are internal and always allowed.
func (c *conversation) checkWindow(ctx workflow.Context, r SendRequest) error {
	window := channels.LegacyServiceWindow(c.ticket.ChannelKind, r.HumanAgentTag)
	if c.windowFromTicket {
		window = c.ticket.Window
		if r.HumanAgentTag && c.ticket.HumanAgentWindow > 0 {
			window = c.ticket.HumanAgentWindow
		}
	}
	if r.Note || r.Comment || r.Template != "" || window == 0 {
		return nil // templates are what the window allows once closed; public replies to comments have none
	}
	if c.state.LastCustomerMessageAt.IsZero() || workflow.Now(ctx).Sub(c.state.LastCustomerMessageAt) > window {
		return errors.New(channels.WindowClosedReason)
	}
	return nil
}

// send stores the message and answers with its id; delivery follows in
// the background so the agent's screen never waits for the provider.
func (c *conversation) send(ctx workflow.Context, r SendRequest) (SendResult, error) {
	kind := store.KindText
	switch {
	case r.Note:
		kind = store.KindNote
	case r.Comment:
		kind = store.KindComment
	}
	in := activities.CreateOutboundInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, ChannelID: c.in.ChannelID,
		ContactID: c.in.ContactID, AuthorID: r.UserID, Kind: kind, Body: r.Body, IdempotencyKey: r.IdempotencyKey, AttachmentIDs: r.AttachmentIDs,
		Template: r.Template, ReplyToID: r.ReplyToID}
	var id string
	if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.CreateOutbound, in).Get(ctx, &id); err != nil {
		return SendResult{}, err
	}
	c.lastActivity, c.rearm, c.idleStep = workflow.Now(ctx), true, 0
	if kind != store.KindNote && !slices.Contains(c.outbox, id) {
		c.outbox = append(c.outbox, id)
		if c.state.FirstResponseAt.IsZero() {
			c.state.FirstResponseAt = workflow.Now(ctx)
			if err := c.change(ctx, activities.Change{FirstResponse: ptr(c.state.FirstResponseAt)}); err != nil {
				return SendResult{MessageID: id}, err
			}
		}
	}
	return SendResult{MessageID: id}, nil
}

func (c *conversation) retry(ctx workflow.Context, r RetryRequest) (SendResult, error) {
	in := activities.DeliverInput{AccountID: c.in.AccountID, MessageID: r.MessageID}
	if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.RequeueMessage, in).Get(ctx, nil); err != nil {
		return SendResult{}, err
	}
	if !slices.Contains(c.outbox, r.MessageID) {
		c.outbox = append(c.outbox, r.MessageID)
	}
	return SendResult{MessageID: r.MessageID}, nil
}

// deliverLoop sends queued messages one at a time, in order.
func (c *conversation) deliverLoop(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	for {
		if err := workflow.Await(ctx, func() bool { return len(c.outbox) > 0 }); err != nil {
			return
		}
		c.delivering = true
		id := c.outbox[0]
		in := activities.DeliverInput{AccountID: c.in.AccountID, MessageID: id}
		var err error
		if c.ticket.SendsOnConnection {
			err = onConnection(ctx, nil, queueLookup(a.ChannelConnectionQueue, c.in.ChannelID), deliveryOptions, a.DeliverMessage, in)
		} else {
			err = workflow.ExecuteActivity(actx, a.DeliverMessage, in).Get(ctx, nil)
		}
		if err != nil {
			reason := err.Error()
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) {
				reason = appErr.Message()
			}
			failed := activities.MarkFailedInput{AccountID: c.in.AccountID, MessageID: id, Reason: reason}
			if ferr := workflow.ExecuteLocalActivity(withLocalActivity(ctx), a.MarkFailed, failed).Get(ctx, nil); ferr != nil {
				workflow.GetLogger(ctx).Error("could not mark message failed", "MessageID", id, "Error", ferr)
			}
		}
		c.outbox = c.outbox[1:]
		c.delivering = false
	}
}

// record attaches persisted inbound messages to this ticket, once each.
func (c *conversation) record(ctx workflow.Context, msgs []InboundSignal) error {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	msgs = c.unseen(msgs)
	if len(msgs) == 0 {
		return nil
	}
	if c.lean {
		in := activities.RecordInboundsInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID}
		for _, m := range msgs {
			if !slices.Contains(in.MessageIDs, m.MessageID) {
				in.MessageIDs = append(in.MessageIDs, m.MessageID)
			}
		}
		var recorded []activities.Recorded
		if err := workflow.ExecuteLocalActivity(ctx, a.RecordInbounds, in).Get(ctx, &recorded); err != nil {
			return err
		}
		for _, r := range recorded {
			if r.Skipped != "" {
				workflow.GetLogger(ctx).Warn("inbound message not taken in", "MessageID", r.MessageID, "Reason", r.Skipped)
				continue
			}
			if err := c.took(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}
	for _, m := range msgs {
		if c.seen[m.MessageID] {
			continue
		}
		r, err := c.recordOne(ctx, m)
		if err != nil {
			return err
		}
		if r.Skipped != "" {
			continue
		}
		if err := c.took(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// recordOne is how runs before the lean loop recorded: a local activity
// per message.
func (c *conversation) recordOne(ctx workflow.Context, m InboundSignal) (activities.Recorded, error) {
	in := activities.RecordInboundInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, MessageID: m.MessageID}
	r := activities.Recorded{MessageID: m.MessageID}
	err := workflow.ExecuteLocalActivity(ctx, a.RecordInbound, in).Get(ctx, &r.At)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && (appErr.Type() == activities.ErrMessageNotFound || appErr.Type() == activities.ErrAlreadyRecorded) {
		// A signal naming a message that does not exist is a caller's
		// bug; the ticket goes on without it.
		workflow.GetLogger(ctx).Warn("inbound message not found", "MessageID", m.MessageID)
		r.Skipped = appErr.Type()
		return r, nil
	}
	return r, err
}

// took updates the ticket's state for a customer message it recorded and
// runs the message rules.
func (c *conversation) took(ctx workflow.Context, r activities.Recorded) error {
	c.seen[r.MessageID] = true
	c.state.Inbound++
	c.lastActivity, c.idleStep = workflow.Now(ctx), 0
	if c.state.LastCustomerMessageAt.IsZero() || r.At.After(c.state.LastCustomerMessageAt) {
		c.state.LastCustomerMessageAt = r.At
	}
	if c.firstUnanswered.IsZero() && c.state.FirstResponseAt.IsZero() {
		c.firstUnanswered = workflow.Now(ctx)
	}
	if c.state.Status == store.StatusSnoozed { // the customer wrote: wake up
		c.state.Status, c.state.SnoozedUntil = store.StatusOpen, time.Time{}
		if err := c.change(ctx, activities.Change{Status: ptr(store.StatusOpen)}); err != nil {
			return err
		}
	}
	if r.NoMessageRules {
		return nil // the recording found no message rule to run
	}
	return c.automate(ctx, rules.MessageCreated)
}

// unseen drops the signals of messages this run already recorded: a
// provider's retry of a message signals it again, and such a duplicate
// must neither open a new ticket after close nor move the message.
func (c *conversation) unseen(msgs []InboundSignal) []InboundSignal {
	return slices.DeleteFunc(msgs, func(m InboundSignal) bool { return c.seen[m.MessageID] })
}

func drain(ch workflow.ReceiveChannel) []InboundSignal {
	var out []InboundSignal
	var s InboundSignal
	for ch.ReceiveAsync(&s) {
		out = append(out, s)
	}
	return out
}

// automate runs the automation rules of an event: an activity finds the
// matching rules, then this workflow applies their actions in order, as
// the ticket's owner, recording each result on the rule trail. A failed
// action is recorded and the next one runs.
func (c *conversation) automate(ctx workflow.Context, event string) error {
	return c.runRules(ctx, activities.AutomationInput{Event: event})
}

// automateIdle runs the conversation.idle rules whose wait is in
// (idleFrom, idleFor].
func (c *conversation) automateIdle(ctx workflow.Context, idleFrom, idleFor time.Duration) error {
	return c.runRules(ctx, activities.AutomationInput{Event: rules.ConversationIdle, IdleFrom: idleFrom, IdleFor: idleFor})
}

func (c *conversation) runRules(ctx workflow.Context, in activities.AutomationInput) error {
	event := in.Event
	v := workflow.GetVersion(ctx, "automation", workflow.DefaultVersion, 2)
	if v == workflow.DefaultVersion {
		return nil
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 5},
	})
	// Version 1 evaluated rules in a regular activity: a server round trip
	// on every customer message. Version 2 uses a local activity, which
	// costs almost nothing when the account has no rules for the event.
	exec := func(fn, in any) workflow.Future { return workflow.ExecuteLocalActivity(withLocalActivity(ctx), fn, in) }
	if v == 1 {
		exec = func(fn, in any) workflow.Future { return workflow.ExecuteActivity(actx, fn, in) }
	}
	in.AccountID, in.ConversationID = c.in.AccountID, c.state.ConversationID
	var matched []activities.MatchedRule
	if err := exec(au.MatchAutomations, in).Get(ctx, &matched); err != nil {
		// Automation is an extra: its failure must not stop the ticket.
		workflow.GetLogger(ctx).Error("automation rules could not be evaluated", "Event", event, "Error", err)
		return nil
	}
	for _, r := range matched {
		for i, act := range r.Actions {
			c.autoSeq++
			err := c.apply(actx, event, r.RuleID, act)
			rec := activities.RecordActionInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, RuleID: r.RuleID,
				Action: fmt.Sprintf("%d. %s", i+1, act.Type)}
			if err != nil {
				rec.Err = err.Error()
			}
			if err := exec(au.RecordAction, rec).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Error("automation result not recorded", "Rule", r.RuleID, "Error", err)
			}
		}
	}
	return nil
}

// as is a nil receiver naming AI Assist activity methods.
var as *activities.Assist

// au is a nil receiver naming automation activity methods.
var au *activities.Automation

// apply performs one automation action on this ticket.
func (c *conversation) apply(ctx workflow.Context, event, ruleID string, act rules.Action) error {
	key := fmt.Sprintf("rule:%s:%s:%d", ruleID, workflow.GetInfo(ctx).WorkflowExecution.RunID, c.autoSeq)
	switch act.Type {
	case "assign_agent":
		c.state.AssigneeID = act.UserID
		return c.change(ctx, activities.Change{AssigneeID: ptr(act.UserID)})
	case "assign_team":
		c.state.TeamID, c.state.AssigneeID = act.TeamID, ""
		return c.change(ctx, activities.Change{TeamID: ptr(act.TeamID), AssigneeID: ptr("")})
	case "add_tag", "remove_tag":
		tags := slices.Clone(c.state.Tags)
		if act.Type == "add_tag" {
			tags = append(tags, cleanTags([]string{act.Tag})...)
		} else {
			tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(cleanTags([]string{act.Tag}), t) })
		}
		slices.Sort(tags)
		c.state.Tags = slices.Compact(tags)
		return c.change(ctx, activities.Change{Tags: c.state.Tags, TagsSet: true})
	case "set_priority":
		c.state.Priority = act.Priority
		return c.change(ctx, activities.Change{Priority: ptr(act.Priority)})
	case "send_message", "add_note":
		req := SendRequest{Body: act.Text, Note: act.Type == "add_note", IdempotencyKey: key}
		if err := c.checkWindow(ctx, req); err != nil {
			return err
		}
		_, err := c.send(ctx, req)
		return err
	case "snooze":
		until := workflow.Now(ctx).Add(time.Duration(act.Minutes) * time.Minute)
		c.state.Status, c.state.SnoozedUntil, c.rearm = store.StatusSnoozed, until, true
		return c.change(ctx, activities.Change{Status: ptr(store.StatusSnoozed), SnoozedUntil: &until})
	case "close":
		if c.closed() || c.closing {
			return nil
		}
		return c.close(ctx, CloseRequest{Reason: "rule " + ruleID})
	case "webhook":
		return workflow.ExecuteActivity(ctx, au.PostWebhook, activities.WebhookInput{URL: act.URL, RuleID: ruleID,
			ConversationID: c.state.ConversationID, Event: event, IdempotencyKey: key}).Get(ctx, nil)
	case "send_quick_reply":
		var text string
		in := activities.QuickReplyInput{AccountID: c.in.AccountID, Shortcut: act.Text}
		if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), au.QuickReplyText, in).Get(ctx, &text); err != nil {
			return err
		}
		req := SendRequest{Body: text, IdempotencyKey: key}
		if err := c.checkWindow(ctx, req); err != nil {
			return err
		}
		_, err := c.send(ctx, req)
		return err
	case "create_card", "move_card":
		in := activities.CardActionInput{AccountID: c.in.AccountID, ConversationID: c.state.ConversationID, StageID: act.StageID, Key: key}
		if act.Type == "create_card" {
			return workflow.ExecuteActivity(ctx, crm.CreateCardFor, in).Get(ctx, nil)
		}
		return workflow.ExecuteActivity(ctx, crm.MoveCardsFor, in).Get(ctx, nil)
	}
	return fmt.Errorf("unknown action %q", act.Type)
}
