package activities

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// RuleEnv builds an event's rule environment from a conversation as it is
// now, with the clock at now in the account's time zone. It returns the
// contact's name for listings.
func RuleEnv(ctx context.Context, db *gorm.DB, event string, conv store.Conversation, hours rules.Hours) (any, string, error) {
	db = db.WithContext(ctx)
	var contact store.Contact
	var ch store.Channel
	if err := db.Take(&contact, "id = ?", conv.ContactID).Error; err != nil {
		return nil, "", err
	}
	if err := db.Take(&ch, "id = ?", conv.ChannelID).Error; err != nil {
		return nil, "", err
	}
	var assignee rules.Assignee
	if conv.AssigneeID != nil {
		var u store.User
		if db.Take(&u, "id = ?", *conv.AssigneeID).Error == nil {
			assignee = rules.Assignee{ID: u.ID, Name: u.Name, Status: u.Status}
		}
	}
	idle := 0
	if conv.LastMessageAt != nil {
		idle = int(time.Since(*conv.LastMessageAt).Minutes())
	}
	rc := rules.Conversation{ID: conv.ID, Thread: conv.ThreadKey, Status: conv.Status, Priority: conv.Priority, Tags: store.SplitTags(conv.Tags), Unread: conv.Unread,
		Assigned: conv.AssigneeID != nil, IdleMinutes: idle}
	if conv.TeamID != nil {
		rc.TeamID = *conv.TeamID
	}
	rcontact := rules.Contact{Name: contact.Name, Phone: contact.Phone, Email: contact.Email, Tags: store.SplitTags(conv.Tags)}
	rch := rules.Channel{ID: ch.ID, Kind: ch.Kind, Name: ch.Name}
	clock := rules.NewClock(time.Now(), hours)
	if event != rules.MessageCreated {
		return rules.ConversationEnv{Conversation: rc, Contact: rcontact, Channel: rch, Assignee: assignee, Clock: clock}, contact.Name, nil
	}
	var last store.Message
	db.Where("conversation_id = ? AND direction = ? AND kind IN ?", conv.ID, store.DirectionInbound, []string{store.KindText, store.KindComment}).
		Order("created_at DESC").Take(&last)
	msg := rules.Message{Text: last.Body, Direction: last.Direction, Note: last.Kind == store.KindNote, Comment: last.Kind == store.KindComment,
		Subject: last.Subject}
	return rules.MessageEnv{Conversation: rc, Contact: rcontact, Message: msg, Channel: rch, Assignee: assignee, Clock: clock}, contact.Name, nil
}

// Candidates are the active agents a distribution rule targets — a team's
// members or listed users — with their open conversations.
func Candidates(ctx context.Context, db *gorm.DB, teamID *string, userIDs []string) ([]rules.Candidate, error) {
	db = db.WithContext(ctx)
	ids := userIDs
	if teamID != nil && *teamID != "" {
		if err := db.Model(&store.TeamMember{}).Where("team_id = ?", *teamID).Pluck("user_id", &ids).Error; err != nil {
			return nil, err
		}
	}
	var users []store.User
	if err := db.Where("id IN ? AND active", append(ids, "")).Find(&users).Error; err != nil {
		return nil, err
	}
	out := make([]rules.Candidate, len(users))
	for i, u := range users {
		var open int64
		if err := db.Model(&store.Conversation{}).Where("assignee_id = ? AND status <> ?", u.ID, store.StatusClosed).Count(&open).Error; err != nil {
			return nil, err
		}
		out[i] = rules.Candidate{ID: u.ID, Status: u.Status, Open: int(open), Capacity: u.Capacity}
	}
	return out, nil
}

// AccountHours are the account's business hours in its time zone (UTC
// if unknown); unreadable or unset hours are closed all week.
func AccountHours(ctx context.Context, db *gorm.DB, accountID string) rules.Hours {
	var acc store.Account
	if db.WithContext(ctx).Select("timezone, business_hours").Take(&acc, "id = ?", accountID).Error != nil {
		return rules.Hours{Location: time.UTC}
	}
	loc, err := time.LoadLocation(acc.Timezone)
	if err != nil {
		loc = time.UTC
	}
	h, err := rules.ParseHours(acc.BusinessHours, loc)
	if err != nil {
		return rules.Hours{Location: loc}
	}
	return h
}
