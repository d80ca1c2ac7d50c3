package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatspot/chatspot/internal/crm"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/webhooks"
	"github.com/chatspot/chatspot/rules"
)

// Stream event kinds of the CRM.
const (
	CardUpdated             = "card.updated"
	CardAlerted             = "card.alert"
	ScheduledMessageUpdated = "scheduled_message.updated"
)

// ErrCardInvalid is a refused card change (a stage of another pipeline, a
// card that is gone): retrying cannot help.
const ErrCardInvalid = "CardInvalid"

// CRM persists the card and scheduled-message workflows' changes and sends
// their messages through the conversation workflows.
type CRM struct {
	DB       *gorm.DB
	Bus      events.Bus
	Temporal client.Client
	Rules    *rules.Cache // crm.card.moved conditions, compiled once per rule version
}

func (c *CRM) write(ctx context.Context, accountID string, fn func(tx *gorm.DB) error) error {
	if err := c.DB.WithContext(ctx).Transaction(fn); err != nil {
		return err
	}
	if c.Bus != nil {
		c.Bus.Notify(accountID)
	}
	return nil
}

// NewCard is a card as created through the API; the card workflow's first
// step stores it, so a card never exists without its workflow.
type NewCard struct {
	ID, AccountID, PipelineID, StageID, Title string
	ValueCents                                int64
	ContactID                                 string
	DueAt                                     *time.Time
	Priority                                  string
	Tags                                      []string
	CustomFields                              map[string]string
	AssigneeIDs                               []string
	ConversationIDs                           []string
	CreatedBy                                 string
	CreatedAt                                 time.Time
}

// CardInput starts a card's lifecycle (workflow card/<id>): New is set
// when the run creates the card; Moves numbers stage entries across
// continue-as-new, so each entry's message has its own idempotency key.
type CardInput struct {
	AccountID string
	CardID    string
	New       *NewCard
	Reopen    *CardStatusRequest // a won, lost or archived card made open again
	Moves     int
}

// MoveRequest moves the card to a stage at a position (negative: last).
type MoveRequest struct {
	StageID  string
	Position int
	ActorID  string
}

// CardStatusRequest wins, loses or archives the card; its lifecycle ends.
type CardStatusRequest struct {
	Status  string
	ActorID string
}

// CardSnapshot is what the card workflow needs of the stored card.
type CardSnapshot struct {
	Status         string
	StageID        string
	EnteredStageAt time.Time
	DueAt          time.Time // zero: no due date
	StaleDays      int       // of the current stage
	// The earliest pending follow-up not yet reminded of; zero when none.
	FollowUpID    string
	FollowUpTitle string
	FollowUpAt    time.Time
}

// CardRef names a card.
type CardRef struct {
	AccountID, CardID string
}

// CreateCard stores a new card with its assignees and conversations, once.
func (c *CRM) CreateCard(ctx context.Context, in NewCard) (CardSnapshot, error) {
	tags, _ := json.Marshal(in.CustomFields)
	card := store.Card{ID: in.ID, AccountID: in.AccountID, PipelineID: in.PipelineID, StageID: in.StageID, Title: in.Title,
		ValueCents: in.ValueCents, DueAt: in.DueAt, Priority: in.Priority, Tags: strings.Join(in.Tags, ","), CustomFields: string(tags),
		Status: store.CardOpen, EnteredStageAt: in.CreatedAt, CreatedAt: in.CreatedAt, UpdatedAt: in.CreatedAt}
	if in.ContactID != "" {
		card.ContactID = &in.ContactID
	}
	if in.CreatedBy != "" {
		card.CreatedBy = &in.CreatedBy
	}
	err := c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&card)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // stored by an earlier attempt
		}
		if err := crm.Place(tx, card, card.StageID, -1); err != nil {
			return err
		}
		for _, u := range in.AssigneeIDs {
			if err := tx.Create(&store.CardAssignee{CardID: card.ID, UserID: u}).Error; err != nil {
				return err
			}
		}
		for _, cv := range in.ConversationIDs {
			if err := tx.Create(&store.CardConversation{CardID: card.ID, ConversationID: cv, CreatedAt: in.CreatedAt}).Error; err != nil {
				return err
			}
		}
		if err := addCardEvent(tx, card, "created", "", in.CreatedBy, ""); err != nil {
			return err
		}
		if err := cardHook(tx, webhooks.CardCreated, card, nil); err != nil {
			return err
		}
		return cardUpdated(tx, card)
	})
	if err != nil {
		return CardSnapshot{}, err
	}
	return c.LoadCard(ctx, CardRef{AccountID: in.AccountID, CardID: in.ID})
}

// LoadCard reads the card's state for its workflow.
func (c *CRM) LoadCard(ctx context.Context, in CardRef) (CardSnapshot, error) {
	var card store.Card
	if err := c.DB.WithContext(ctx).Take(&card, "id = ? AND account_id = ?", in.CardID, in.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return CardSnapshot{}, temporal.NewNonRetryableApplicationError("card not found", ErrCardInvalid, err)
		}
		return CardSnapshot{}, err
	}
	var stage store.Stage
	if err := c.DB.WithContext(ctx).Take(&stage, "id = ?", card.StageID).Error; err != nil {
		return CardSnapshot{}, err
	}
	snap := CardSnapshot{Status: card.Status, StageID: card.StageID, EnteredStageAt: card.EnteredStageAt, StaleDays: stage.StaleDays}
	if card.DueAt != nil {
		snap.DueAt = *card.DueAt
	}
	var fus []store.FollowUp
	if err := c.DB.WithContext(ctx).Where("card_id = ? AND NOT done", card.ID).Order("due_at").Limit(20).Find(&fus).Error; err != nil {
		return snap, err
	}
	for _, f := range fus {
		var n int64
		c.DB.WithContext(ctx).Model(&store.CardEvent{}).Where("card_id = ? AND key = ?", card.ID, FollowUpKey(f)).Count(&n)
		if n == 0 {
			snap.FollowUpID, snap.FollowUpTitle, snap.FollowUpAt = f.ID, f.Title, f.DueAt
			break
		}
	}
	return snap, nil
}

// MoveInput moves a card to a stage of its pipeline, at a position
// (negative: last).
type MoveInput struct {
	AccountID, CardID, StageID, ActorID string
	Position                            int
	// At is the workflow's time of the move: the stage-entry time the
	// stale alert counts from, so the stored time and the workflow's timer
	// are on one clock. Zero (histories before it was passed): the real clock.
	At time.Time
}

// MoveCard stores the move. Entering a new stage restarts the card's time
// in stage; a move within the stage only reorders.
func (c *CRM) MoveCard(ctx context.Context, in MoveInput) (CardSnapshot, error) {
	err := c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		var card store.Card
		if err := tx.Take(&card, "id = ? AND account_id = ?", in.CardID, in.AccountID).Error; err != nil {
			return err
		}
		var to, from store.Stage
		if err := tx.Take(&to, "id = ? AND pipeline_id = ?", in.StageID, card.PipelineID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return temporal.NewNonRetryableApplicationError("stage_id: not a stage of the card's pipeline", ErrCardInvalid, err)
			}
			return err
		}
		if err := crm.Place(tx, card, to.ID, in.Position); err != nil {
			return err
		}
		if card.StageID == to.ID {
			return cardUpdated(tx, card)
		}
		if err := tx.Take(&from, "id = ?", card.StageID).Error; err != nil {
			return err
		}
		now := in.At.UTC()
		if in.At.IsZero() {
			now = time.Now().UTC()
		}
		if err := tx.Model(&card).Updates(map[string]any{"stage_id": to.ID, "entered_stage_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		card.StageID = to.ID
		if err := addCardEvent(tx, card, "moved", from.Name+" → "+to.Name, in.ActorID, ""); err != nil {
			return err
		}
		if err := cardHook(tx, webhooks.CardMoved, card, map[string]any{"from_stage_id": from.ID, "from_stage": from.Name, "to_stage": to.Name}); err != nil {
			return err
		}
		return cardUpdated(tx, card)
	})
	if err != nil {
		return CardSnapshot{}, err
	}
	return c.LoadCard(ctx, CardRef{AccountID: in.AccountID, CardID: in.CardID})
}

// StatusInput closes (won, lost, archived) or reopens a card.
type StatusInput struct {
	AccountID, CardID, Status, ActorID string
}

// SetCardStatus stores the card's status.
func (c *CRM) SetCardStatus(ctx context.Context, in StatusInput) error {
	return c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		var card store.Card
		if err := tx.Take(&card, "id = ? AND account_id = ?", in.CardID, in.AccountID).Error; err != nil {
			return err
		}
		if card.Status == in.Status {
			return nil
		}
		if err := tx.Model(&card).Updates(map[string]any{"status": in.Status, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		if in.Status == store.CardOpen {
			if err := crm.Place(tx, card, card.StageID, -1); err != nil {
				return err
			}
		}
		card.Status = in.Status
		if err := addCardEvent(tx, card, "status", in.Status, in.ActorID, ""); err != nil {
			return err
		}
		if err := cardHook(tx, webhooks.CardUpdated, card, nil); err != nil {
			return err
		}
		return cardUpdated(tx, card)
	})
}

// AlertInput is a reminder or warning on a card. Key makes it land once
// however often the workflow fires it.
type AlertInput struct {
	AccountID, CardID, Kind, Detail, Key string
}

// CardAlert records the alert in the card's history and shows it on the
// agents' screens, once per key.
func (c *CRM) CardAlert(ctx context.Context, in AlertInput) error {
	return c.write(ctx, in.AccountID, func(tx *gorm.DB) error {
		var card store.Card
		if err := tx.Take(&card, "id = ? AND account_id = ?", in.CardID, in.AccountID).Error; err != nil {
			return err
		}
		return alert(tx, card, in.Kind, in.Detail, in.Key)
	})
}

func alert(tx *gorm.DB, card store.Card, kind, detail, key string) error {
	added, err := addCardEventOnce(tx, card, kind, detail, "", key)
	if err != nil || !added {
		return err
	}
	return events.Append(tx, card.AccountID, CardAlerted, nil, map[string]any{
		"card_id": card.ID, "pipeline_id": card.PipelineID, "title": card.Title, "kind": kind, "detail": detail})
}

// EntryInput sends a stage's entry message for one move; Key identifies
// the move so a retried activity sends once.
type EntryInput struct {
	AccountID, CardID, StageID, ActorID, Key string
}

// SendEntryMessage sends the stage's entry message, with its variables
// filled, to every conversation linked to the card. A conversation that
// refuses it (window closed, say) is recorded on the card and shown as an
// alert; the others still get it.
func (c *CRM) SendEntryMessage(ctx context.Context, in EntryInput) error {
	var stage store.Stage
	if err := c.DB.WithContext(ctx).Take(&stage, "id = ? AND account_id = ?", in.StageID, in.AccountID).Error; err != nil {
		return err
	}
	if strings.TrimSpace(stage.EntryMessage) == "" {
		return nil
	}
	var card store.Card
	if err := c.DB.WithContext(ctx).Take(&card, "id = ?", in.CardID).Error; err != nil {
		return err
	}
	var convs []store.Conversation
	if err := c.DB.WithContext(ctx).Where("id IN (?)", c.DB.Model(&store.CardConversation{}).Select("conversation_id").Where("card_id = ?", card.ID)).
		Order("created_at").Find(&convs).Error; err != nil {
		return err
	}
	if len(convs) == 0 {
		return c.CardAlert(ctx, AlertInput{AccountID: card.AccountID, CardID: card.ID, Kind: "entry_message_failed",
			Detail: fmt.Sprintf("%q: the card has no conversation to send it to", stage.Name), Key: "entry:" + in.Key})
	}
	body, err := crm.RenderFor(ctx, c.DB, stage.EntryMessage, card, in.ActorID)
	if err != nil {
		return err
	}
	queue := activity.GetInfo(ctx).TaskQueue
	for _, conv := range convs {
		key := "card-entry:" + card.ID + ":" + in.Key + ":" + conv.ID
		_, err := SendToConversation(ctx, c.Temporal, queue, conv, SendRequest{UserID: in.ActorID, Body: body, IdempotencyKey: key})
		var app *temporal.ApplicationError
		switch {
		case errors.As(err, &app) && app.Type() == ErrSendRefused:
			if err := c.CardAlert(ctx, AlertInput{AccountID: card.AccountID, CardID: card.ID, Kind: "entry_message_failed",
				Detail: fmt.Sprintf("%q: %s", stage.Name, app.Message()), Key: key}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := c.write(ctx, card.AccountID, func(tx *gorm.DB) error {
				_, err := addCardEventOnce(tx, card, "entry_message", body, in.ActorID, key)
				return err
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func addCardEvent(tx *gorm.DB, card store.Card, kind, detail, actorID, key string) error {
	ev := store.CardEvent{ID: store.NewID(), AccountID: card.AccountID, CardID: card.ID, Kind: kind, Detail: detail, CreatedAt: time.Now().UTC()}
	if actorID != "" {
		ev.ActorID = &actorID
	}
	if key != "" {
		ev.Key = &key
	}
	return tx.Create(&ev).Error
}

// addCardEventOnce adds the event unless one with the key exists; it
// reports whether it added it.
func addCardEventOnce(tx *gorm.DB, card store.Card, kind, detail, actorID, key string) (bool, error) {
	var n int64
	if err := tx.Model(&store.CardEvent{}).Where("card_id = ? AND key = ?", card.ID, key).Count(&n).Error; err != nil || n > 0 {
		return false, err
	}
	return true, addCardEvent(tx, card, kind, detail, actorID, key)
}

// cardUpdated tells the boards showing the card's pipeline to refresh.
func cardUpdated(tx *gorm.DB, card store.Card) error {
	return events.Append(tx, card.AccountID, CardUpdated, nil, map[string]any{"id": card.ID, "pipeline_id": card.PipelineID, "stage_id": card.StageID})
}

// RecordCardChange adds a line to the card's history and tells the boards
// showing it, in tx; the API's direct edits use it.
func RecordCardChange(tx *gorm.DB, card store.Card, kind, detail, actorID string) error {
	if err := addCardEvent(tx, card, kind, detail, actorID, ""); err != nil {
		return err
	}
	if err := tx.Take(&card, "id = ?", card.ID).Error; err != nil {
		return err
	}
	if err := cardHook(tx, webhooks.CardUpdated, card, map[string]any{"change": kind, "detail": detail}); err != nil {
		return err
	}
	return cardUpdated(tx, card)
}

// cardHook enqueues a card's webhook event: the card's fields and extra.
func cardHook(tx *gorm.DB, event string, card store.Card, extra map[string]any) error {
	data := map[string]any{"id": card.ID, "pipeline_id": card.PipelineID, "stage_id": card.StageID, "title": card.Title,
		"value_cents": card.ValueCents, "contact_id": card.ContactID, "priority": card.Priority, "status": card.Status,
		"tags": store.SplitTags(card.Tags), "due_at": card.DueAt}
	for k, v := range extra {
		data[k] = v
	}
	return webhooks.Enqueue(tx, card.AccountID, event, data)
}

// CardActionInput is an automation rule's CRM action on a conversation;
// Key identifies the action run, so a retry acts once.
type CardActionInput struct {
	AccountID, ConversationID, StageID, Key string
}

// Names of the card workflow and its updates, for callers that cannot
// import package workflows.
const (
	cardWorkflow   = "Card"
	updateCardMove = "move"
)

// CreateCardFor creates a card for the conversation's contact in the
// stage, linked to the conversation, through the card workflow. The card
// id comes from the key, so a retried action finds the card it created.
func (c *CRM) CreateCardFor(ctx context.Context, in CardActionInput) error {
	var conv store.Conversation
	if err := c.DB.WithContext(ctx).Take(&conv, "id = ? AND account_id = ?", in.ConversationID, in.AccountID).Error; err != nil {
		return err
	}
	var stage store.Stage
	if err := c.DB.WithContext(ctx).Take(&stage, "id = ? AND account_id = ?", in.StageID, in.AccountID).Error; err != nil {
		return temporal.NewNonRetryableApplicationError("the CRM stage no longer exists", ErrCardInvalid, err)
	}
	var contact store.Contact
	c.DB.WithContext(ctx).Take(&contact, "id = ?", conv.ContactID)
	title := strings.TrimSpace(contact.Name)
	for _, alt := range []string{contact.Phone, contact.Email, "Card"} {
		if title == "" {
			title = alt
		}
	}
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("chatspot:card:"+in.Key)).String()
	nc := NewCard{ID: id, AccountID: in.AccountID, PipelineID: stage.PipelineID, StageID: stage.ID, Title: title, ContactID: conv.ContactID,
		Priority: "normal", CustomFields: map[string]string{}, ConversationIDs: []string{conv.ID}, CreatedAt: time.Now().UTC()}
	opts := client.StartWorkflowOptions{ID: "card/" + id, TaskQueue: activity.GetInfo(ctx).TaskQueue}
	return StartAndWait(ctx, c.Temporal, opts, cardWorkflow, CardInput{AccountID: in.AccountID, CardID: id, New: &nc})
}

// MoveCardsFor moves the conversation's open cards in the stage's pipeline
// to the stage, each through its card workflow (so the stage's entry
// message goes out).
func (c *CRM) MoveCardsFor(ctx context.Context, in CardActionInput) error {
	var stage store.Stage
	if err := c.DB.WithContext(ctx).Take(&stage, "id = ? AND account_id = ?", in.StageID, in.AccountID).Error; err != nil {
		return temporal.NewNonRetryableApplicationError("the CRM stage no longer exists", ErrCardInvalid, err)
	}
	var ids []string
	if err := c.DB.WithContext(ctx).Model(&store.Card{}).
		Where("pipeline_id = ? AND status = ? AND stage_id <> ? AND id IN (?)", stage.PipelineID, store.CardOpen, stage.ID,
			c.DB.Model(&store.CardConversation{}).Select("card_id").Where("conversation_id = ?", in.ConversationID)).
		Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: "card/" + id, UpdateName: updateCardMove, Args: []any{MoveRequest{StageID: stage.ID, Position: -1}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		var notFound *serviceerror.NotFound
		var app *temporal.ApplicationError
		switch {
		case errors.As(err, &notFound), errors.As(err, &app):
			// Closed meanwhile or refused: nothing to move.
		case err != nil:
			return err
		}
	}
	return nil
}

// FollowUpKey keys a follow-up's reminder: once per follow-up and time.
func FollowUpKey(f store.FollowUp) string {
	return "follow-up:" + f.ID + ":" + f.DueAt.UTC().Format(time.RFC3339)
}
