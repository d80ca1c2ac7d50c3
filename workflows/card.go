package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/store"
)

// Card workflow: updates, signals and its ID.
const (
	UpdateCardReady  = "ready"  // answers once the card is stored
	UpdateCardMove   = "move"   // MoveRequest
	UpdateCardStatus = "status" // CardStatusRequest
	SignalCardReload = "reload" // the due date or the stage's settings changed
)

// CardWorkflowID is the business key of a card's lifecycle.
func CardWorkflowID(cardID string) string { return "card/" + cardID }

// The card workflow's input and requests live in package activities, so
// automation actions can drive cards too; these aliases keep their names.
type (
	CardInput         = activities.CardInput
	MoveRequest       = activities.MoveRequest
	CardStatusRequest = activities.CardStatusRequest
)

// crm is a nil receiver used only to name activity methods.
var crm *activities.CRM

// entryOptions retry a stage entry message for a while; a refusal is
// recorded on the card by the activity itself.
var entryOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 8,
	},
}

type card struct {
	in      CardInput
	snap    activities.CardSnapshot
	loaded  bool
	lock    workflow.Mutex // one change at a time; held until the card is loaded
	changed bool           // a handler moved a timer
	running int            // stage entry actions in flight
	// What already fired, so a timer fires once per due date and stage entry.
	remindedDue time.Time
	staleFor    time.Time
}

// Card is the lifecycle of one CRM card while it is open: stage moves
// (with the stage's entry message to the linked conversations), the due
// date reminder and the "stale in stage" alert as timers. Winning, losing
// or archiving the card ends it; reopening starts a new run.
func Card(ctx workflow.Context, in CardInput) error {
	c := &card{in: in, lock: workflow.NewMutex(ctx)}
	_ = c.lock.Lock(ctx) // free at once; released when the card is loaded
	lctx := withLocalActivity(ctx)
	ref := activities.CardRef{AccountID: in.AccountID, CardID: in.CardID}
	// Handlers first: an update-with-start's update arrives with the first
	// task; they wait until the card is loaded.
	if err := c.registerHandlers(ctx); err != nil {
		return err
	}
	var err error
	if in.Reopen != nil {
		st := activities.StatusInput{AccountID: in.AccountID, CardID: in.CardID, Status: store.CardOpen, ActorID: in.Reopen.ActorID}
		err = workflow.ExecuteLocalActivity(lctx, crm.SetCardStatus, st).Get(ctx, nil)
	}
	if err != nil {
		return err
	}
	if in.New != nil {
		err = workflow.ExecuteLocalActivity(lctx, crm.CreateCard, *in.New).Get(ctx, &c.snap)
	} else {
		err = workflow.ExecuteLocalActivity(lctx, crm.LoadCard, ref).Get(ctx, &c.snap)
	}
	if err != nil {
		return err
	}
	c.loaded = true
	c.lock.Unlock()
	reload := workflow.GetSignalChannel(ctx, SignalCardReload)
	for c.open() && !workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
		wait, fire := c.nextTimer(ctx)
		woke, err := workflow.AwaitWithTimeout(ctx, wait, func() bool {
			return c.changed || reload.Len() > 0 || !c.open() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		})
		if err != nil {
			return err
		}
		c.changed = false
		if reload.Len() > 0 {
			for reload.ReceiveAsync(nil) {
			}
			if err := workflow.ExecuteLocalActivity(lctx, crm.LoadCard, ref).Get(ctx, &c.snap); err != nil {
				return err
			}
			continue
		}
		if !woke && fire != nil {
			if err := fire(); err != nil {
				return err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && c.running == 0 }); err != nil {
		return err
	}
	if c.open() {
		return workflow.NewContinueAsNewError(ctx, Card, CardInput{AccountID: in.AccountID, CardID: in.CardID, Moves: c.in.Moves})
	}
	return nil
}

func (c *card) open() bool { return c.snap.Status == store.CardOpen }

// nextTimer returns the wait until the next reminder or alert and what to
// do then; with nothing due it waits a year (a reload or move wakes it).
func (c *card) nextTimer(ctx workflow.Context) (time.Duration, func() error) {
	now := workflow.Now(ctx)
	wait, fire := 365*24*time.Hour, func() error { return nil }
	consider := func(at time.Time, f func() error) {
		if d := at.Sub(now); d < wait {
			wait, fire = max(d, time.Millisecond), f
		}
	}
	if due := c.snap.DueAt; !due.IsZero() && !due.Equal(c.remindedDue) {
		consider(due, func() error {
			c.remindedDue = due
			return c.alert(ctx, "due", "due date reached: "+due.UTC().Format(time.RFC3339), "due:"+due.UTC().Format(time.RFC3339))
		})
	}
	if f := c.snap; f.FollowUpID != "" {
		consider(f.FollowUpAt, func() error {
			key := activities.FollowUpKey(store.FollowUp{ID: f.FollowUpID, DueAt: f.FollowUpAt})
			if err := c.alert(ctx, "follow_up", f.FollowUpTitle, key); err != nil {
				return err
			}
			// The next follow-up, if any.
			ref := activities.CardRef{AccountID: c.in.AccountID, CardID: c.in.CardID}
			return workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.LoadCard, ref).Get(ctx, &c.snap)
		})
	}
	if days, since := c.snap.StaleDays, c.snap.EnteredStageAt; days > 0 && !since.Equal(c.staleFor) {
		consider(since.Add(time.Duration(days)*24*time.Hour), func() error {
			c.staleFor = since
			return c.alert(ctx, "stale", fmt.Sprintf("in the same stage for %d days", days),
				fmt.Sprintf("stale:%s:%s", c.snap.StageID, since.UTC().Format(time.RFC3339Nano)))
		})
	}
	return wait, fire
}

func (c *card) alert(ctx workflow.Context, kind, detail, key string) error {
	in := activities.AlertInput{AccountID: c.in.AccountID, CardID: c.in.CardID, Kind: kind, Detail: detail, Key: key}
	return workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.CardAlert, in).Get(ctx, nil)
}

func (c *card) registerHandlers(ctx workflow.Context) error {
	ready := func(ctx workflow.Context) error { return workflow.Await(ctx, func() bool { return c.loaded }) }
	if err := workflow.SetUpdateHandler(ctx, UpdateCardReady, ready); err != nil {
		return err
	}
	isOpen := func() error {
		if c.loaded && !c.open() {
			return temporal.NewApplicationError("the card is "+c.snap.Status, activities.ErrCardInvalid)
		}
		return nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCardMove, c.move, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, r MoveRequest) error { return isOpen() },
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCardStatus, c.setStatus, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, r CardStatusRequest) error {
			switch r.Status {
			case store.CardWon, store.CardLost, store.CardArchived:
				return isOpen()
			}
			return temporal.NewApplicationError("status must be won, lost or archived", activities.ErrCardInvalid)
		},
	})
}

// move stores the move and answers; entering a new stage then sends the
// stage's entry message in the background, so the board never waits for a
// channel.
func (c *card) move(ctx workflow.Context, r MoveRequest) error {
	if err := c.lock.Lock(ctx); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if !c.open() {
		return temporal.NewApplicationError("the card is "+c.snap.Status, activities.ErrCardInvalid)
	}
	from := c.snap.StageID
	in := activities.MoveInput{AccountID: c.in.AccountID, CardID: c.in.CardID, StageID: r.StageID, Position: r.Position, ActorID: r.ActorID,
		At: workflow.Now(ctx)}
	if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.MoveCard, in).Get(ctx, &c.snap); err != nil {
		return err
	}
	c.changed = true
	if c.snap.StageID == from {
		return nil
	}
	c.in.Moves++
	entry := activities.EntryInput{AccountID: c.in.AccountID, CardID: c.in.CardID, StageID: c.snap.StageID, ActorID: r.ActorID,
		Key: fmt.Sprint(c.in.Moves)}
	// Version 2 also runs the crm.card.moved automation rules.
	withRules := workflow.GetVersion(ctx, "card-moved-rules", workflow.DefaultVersion, 2) == 2
	c.running++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { c.running-- }()
		actx := workflow.WithActivityOptions(ctx, entryOptions)
		err := workflow.ExecuteActivity(actx, crm.SendEntryMessage, entry).Get(ctx, nil)
		if err != nil {
			// Out of retries: say so on the card rather than lose it.
			_ = c.alert(ctx, "entry_message_failed", "entry message not sent: "+err.Error(), "entry-failed:"+entry.Key)
		}
		if withRules {
			moved := activities.CardMovedInput{AccountID: c.in.AccountID, CardID: c.in.CardID, FromStageID: from, Key: entry.Key}
			if err := workflow.ExecuteActivity(actx, crm.RunCardRules, moved).Get(ctx, nil); err != nil {
				_ = c.alert(ctx, "rules_failed", "automation rules not run: "+err.Error(), "rules-failed:"+entry.Key)
			}
		}
	})
	return nil
}

func (c *card) setStatus(ctx workflow.Context, r CardStatusRequest) error {
	if err := c.lock.Lock(ctx); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if !c.open() {
		return temporal.NewApplicationError("the card is "+c.snap.Status, activities.ErrCardInvalid)
	}
	in := activities.StatusInput{AccountID: c.in.AccountID, CardID: c.in.CardID, Status: r.Status, ActorID: r.ActorID}
	if err := workflow.ExecuteLocalActivity(withLocalActivity(ctx), crm.SetCardStatus, in).Get(ctx, nil); err != nil {
		return err
	}
	c.snap.Status = r.Status
	return nil
}
