package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The views are the JSON shapes the agent UI, the API and the realtime
// events share, built in one place so they cannot drift.

// Ref is a named reference to another object.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ChannelRef names a channel and its kind.
type ChannelRef struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// LastMessage is the preview in the inbox list.
type LastMessage struct {
	Body      string    `json:"body"`
	Direction string    `json:"direction"`
	CreatedAt time.Time `json:"created_at"`
}

// ConversationView is a conversation as the inbox lists it.
type ConversationView struct {
	ID           string       `json:"id"`
	Status       string       `json:"status"`
	Priority     string       `json:"priority"`
	Tags         []string     `json:"tags"`
	Channel      ChannelRef   `json:"channel"`
	Contact      Ref          `json:"contact"`
	Assignee     *Ref         `json:"assignee"`
	Team         *Ref         `json:"team"`
	LastMessage  *LastMessage `json:"last_message"`
	Unread       int          `json:"unread"`
	WorkflowID   string       `json:"workflow_id"`
	SnoozedUntil *time.Time   `json:"snoozed_until"`
	SLABreached  bool         `json:"sla_breached"`
	// Thread is what the conversation's thread is about (an Instagram
	// post), nil for a contact's one conversation on the channel.
	Thread    *ThreadView `json:"thread"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// SplitTags parses the stored comma-separated tags.
func SplitTags(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// ConversationViews builds the views of convs with a fixed number of
// queries, whatever their count.
func ConversationViews(ctx context.Context, db *gorm.DB, convs []Conversation) ([]ConversationView, error) {
	out := make([]ConversationView, 0, len(convs))
	if len(convs) == 0 {
		return out, nil
	}
	var chIDs, contactIDs, userIDs, teamIDs, convIDs []string
	for _, c := range convs {
		chIDs = append(chIDs, c.ChannelID)
		contactIDs = append(contactIDs, c.ContactID)
		convIDs = append(convIDs, c.ID)
		if c.AssigneeID != nil {
			userIDs = append(userIDs, *c.AssigneeID)
		}
		if c.TeamID != nil {
			teamIDs = append(teamIDs, *c.TeamID)
		}
	}
	db = db.WithContext(ctx)
	var chans []Channel
	var contacts []Contact
	var users []User
	var teams []Team
	if err := db.Select("id, kind, name").Where("id IN ?", chIDs).Find(&chans).Error; err != nil {
		return nil, err
	}
	if err := db.Select("id, name, phone, email").Where("id IN ?", contactIDs).Find(&contacts).Error; err != nil {
		return nil, err
	}
	if len(userIDs) > 0 {
		if err := db.Select("id, name").Where("id IN ?", userIDs).Find(&users).Error; err != nil {
			return nil, err
		}
	}
	if len(teamIDs) > 0 {
		if err := db.Select("id, name").Where("id IN ?", teamIDs).Find(&teams).Error; err != nil {
			return nil, err
		}
	}
	last, err := lastMessages(db, convIDs)
	if err != nil {
		return nil, err
	}
	chByID := map[string]Channel{}
	for _, c := range chans {
		chByID[c.ID] = c
	}
	contactByID := map[string]Contact{}
	for _, c := range contacts {
		contactByID[c.ID] = c
	}
	names := map[string]string{}
	for _, u := range users {
		names["u"+u.ID] = u.Name
	}
	for _, t := range teams {
		names["t"+t.ID] = t.Name
	}
	for _, c := range convs {
		ch, ct := chByID[c.ChannelID], contactByID[c.ContactID]
		v := ConversationView{
			ID: c.ID, Status: c.Status, Priority: c.Priority, Tags: SplitTags(c.Tags),
			Channel: ChannelRef{ID: ch.ID, Kind: ch.Kind, Name: ch.Name},
			Contact: Ref{ID: ct.ID, Name: contactName(ct)}, Unread: c.Unread, WorkflowID: c.WorkflowID,
			SnoozedUntil: c.SnoozedUntil, SLABreached: c.SLABreachedAt != nil, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
			LastMessage: last[c.ID], Thread: threadView(c),
		}
		if c.AssigneeID != nil {
			v.Assignee = &Ref{ID: *c.AssigneeID, Name: names["u"+*c.AssigneeID]}
		}
		if c.TeamID != nil {
			v.Team = &Ref{ID: *c.TeamID, Name: names["t"+*c.TeamID]}
		}
		out = append(out, v)
	}
	return out, nil
}

// ConversationViewOf builds one conversation's view.
func ConversationViewOf(ctx context.Context, db *gorm.DB, c Conversation) (ConversationView, error) {
	vs, err := ConversationViews(ctx, db, []Conversation{c})
	if err != nil {
		return ConversationView{}, err
	}
	return vs[0], nil
}

// ThreadView is channels.ThreadInfo as the conversation shows it (the
// store cannot import the kit).
type ThreadView struct {
	Kind      string `json:"kind"`
	Key       string `json:"key"`
	Title     string `json:"title,omitempty"`
	Caption   string `json:"caption,omitempty"`
	ImageURL  string `json:"image_url,omitempty"`
	Link      string `json:"link,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

func threadView(c Conversation) *ThreadView {
	if c.ThreadKey == "" {
		return nil
	}
	v := &ThreadView{Key: c.ThreadKey}
	if c.ThreadInfo != "" {
		_ = json.Unmarshal([]byte(c.ThreadInfo), v) // unreadable: the key alone
	}
	return v
}

func contactName(c Contact) string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Phone != "":
		return c.Phone
	}
	return c.Email
}

// lastMessages finds the newest customer-visible message of each
// conversation.
func lastMessages(db *gorm.DB, convIDs []string) (map[string]*LastMessage, error) {
	var rows []struct {
		ConversationID string
		Body           string
		Direction      string
		CreatedAt      time.Time
	}
	err := db.Raw(`SELECT m.conversation_id, m.body, m.direction, m.created_at FROM messages m
		WHERE m.conversation_id IN ? AND m.kind = 'text' AND m.created_at = (
			SELECT MAX(m2.created_at) FROM messages m2 WHERE m2.conversation_id = m.conversation_id AND m2.kind = 'text')`, convIDs).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[string]*LastMessage{}
	for _, r := range rows {
		out[r.ConversationID] = &LastMessage{Body: r.Body, Direction: r.Direction, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// MessageView is a message as the conversation view shows it.
type MessageView struct {
	ID             string           `json:"id"`
	ConversationID *string          `json:"conversation_id"`
	ContactID      string           `json:"contact_id"`
	Direction      string           `json:"direction"`
	Kind           string           `json:"kind"`
	Body           string           `json:"body"`
	Author         *Ref             `json:"author"`
	Status         string           `json:"status"`
	FailureReason  string           `json:"failure_reason"`
	Attachments    []AttachmentView `json:"attachments"`
	// PendingFiles are a customer's files still being fetched from the
	// provider, or that could not be (with the reason).
	PendingFiles []PendingFile `json:"pending_files,omitempty"`
	ReplyToID    *string       `json:"reply_to_id,omitempty"` // the message this one answers
	EditedAt     *time.Time    `json:"edited_at,omitempty"`   // the customer edited it
	RevokedAt    *time.Time    `json:"revoked_at,omitempty"`  // the customer deleted it for everyone
	HiddenAt     *time.Time    `json:"hidden_at,omitempty"`   // the business hid the comment
	// E-mail: the subject, the sanitised HTML body (remote images not
	// loaded until the agent asks) and the addresses copied.
	Subject   string    `json:"subject,omitempty"`
	HTML      string    `json:"html,omitempty"`
	CC        []string  `json:"cc,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// PendingFile is an inbound file not in attachment storage (yet).
type PendingFile struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Status string `json:"status"` // pending or failed
	Error  string `json:"error,omitempty"`
}

// MessageViews builds message views, naming their authors.
func MessageViews(ctx context.Context, db *gorm.DB, msgs []Message) ([]MessageView, error) {
	var authorIDs []string
	for _, m := range msgs {
		if m.AuthorID != nil {
			authorIDs = append(authorIDs, *m.AuthorID)
		}
	}
	names := map[string]string{}
	if len(authorIDs) > 0 {
		var users []User
		if err := db.WithContext(ctx).Select("id, name").Where("id IN ?", authorIDs).Find(&users).Error; err != nil {
			return nil, err
		}
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	files, err := AttachmentViews(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	pending, err := pendingFiles(ctx, db, msgs)
	if err != nil {
		return nil, err
	}
	out := make([]MessageView, len(msgs))
	for i, m := range msgs {
		att := files[m.ID]
		if att == nil {
			att = []AttachmentView{}
		}
		v := MessageView{ID: m.ID, ConversationID: m.ConversationID, ContactID: m.ContactID, Direction: m.Direction, Kind: m.Kind,
			Body: m.Body, Status: m.Status, FailureReason: m.FailureReason, Attachments: att, PendingFiles: pending[m.ID],
			ReplyToID: m.ReplyToID, EditedAt: m.EditedAt, RevokedAt: m.RevokedAt, HiddenAt: m.HiddenAt, CreatedAt: m.CreatedAt,
			Subject: m.Subject, HTML: m.HTML, CC: splitList(m.CC)}
		if m.AuthorID != nil {
			v.Author = &Ref{ID: *m.AuthorID, Name: names[*m.AuthorID]}
		}
		out[i] = v
	}
	return out, nil
}

// pendingFiles lists the inbound files of messages not stored (yet), by
// message id.
func pendingFiles(ctx context.Context, db *gorm.DB, msgs []Message) (map[string][]PendingFile, error) {
	out := map[string][]PendingFile{}
	var inbound []string
	for _, m := range msgs {
		if m.Direction == DirectionInbound {
			inbound = append(inbound, m.ID)
		}
	}
	if len(inbound) == 0 {
		return out, nil
	}
	var rows []InboundMedia
	if err := db.WithContext(ctx).Select("message_id, kind, name, status, error").Where("message_id IN ? AND status <> ?", inbound, MediaStored).
		Order("created_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.MessageID] = append(out[r.MessageID], PendingFile{Kind: r.Kind, Name: r.Name, Status: r.Status, Error: r.Error})
	}
	return out, nil
}

// AttachmentViews lists the files of messages by message id, without
// their data; the URL is the agents' API address of each file.
func AttachmentViews(ctx context.Context, db *gorm.DB, messageIDs []string) (map[string][]AttachmentView, error) {
	out := map[string][]AttachmentView{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	var rows []Attachment
	if err := db.WithContext(ctx).Select("id, message_id, name, content_type, size, created_at").Where("message_id IN ?", messageIDs).
		Order("created_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, a := range rows {
		out[*a.MessageID] = append(out[*a.MessageID], AttachmentView{ID: a.ID, Name: a.Name, Size: a.Size, ContentType: a.ContentType, URL: "/api/v1/attachments/" + a.ID})
	}
	return out, nil
}

// splitList reads a comma-separated column; "" is none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
