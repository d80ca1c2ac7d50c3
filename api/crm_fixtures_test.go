package api_test

import (
	"time"

	"github.com/chatspot/chatspot/internal/store"
)

// crmSet is one of each CRM object, in one account.
type crmSet struct {
	Pipeline  store.Pipeline
	Stage     store.Stage
	Reply     store.StageQuickReply
	Card      store.Card
	FollowUp  store.FollowUp
	Scheduled store.ScheduledMessage
	Webhook   store.WebhookEndpoint
	Delivery  store.WebhookDelivery
}

// crmObjects stores a pipeline with a stage, a quick reply, a card linked
// to conv with a follow-up and a scheduled message, and a webhook endpoint
// with a delivery, straight in the
// database (these tests run without Temporal).
func crmObjects(e *env, a *tenant, conv store.Conversation) crmSet {
	acc := a.f.Account.ID
	now := time.Now().UTC()
	var s crmSet
	s.Pipeline = store.Pipeline{ID: store.NewID(), AccountID: acc, Name: "Vendas A"}
	s.Stage = store.Stage{ID: store.NewID(), AccountID: acc, PipelineID: s.Pipeline.ID, Name: "Proposta"}
	s.Reply = store.StageQuickReply{ID: store.NewID(), AccountID: acc, StageID: s.Stage.ID, Title: "Proposta", Text: "Olá"}
	s.Card = store.Card{ID: store.NewID(), AccountID: acc, PipelineID: s.Pipeline.ID, StageID: s.Stage.ID, Title: "Negócio secreto A",
		ContactID: &conv.ContactID, Priority: "normal", CustomFields: "{}", Status: store.CardOpen, EnteredStageAt: now, DueAt: &now}
	s.FollowUp = store.FollowUp{ID: store.NewID(), AccountID: acc, CardID: s.Card.ID, Title: "Ligar para A", DueAt: now}
	s.Scheduled = store.ScheduledMessage{ID: store.NewID(), AccountID: acc, ConversationID: conv.ID, CardID: &s.Card.ID, Body: "lembrete A",
		SendAt: now.Add(time.Hour), Status: store.ScheduledPending}
	s.Webhook = store.WebhookEndpoint{ID: store.NewID(), AccountID: acc, URL: "https://erp.example.com/hooks", Secret: "whsec_a", Enabled: true}
	s.Delivery = store.WebhookDelivery{ID: store.NewID(), AccountID: acc, EndpointID: s.Webhook.ID, EventID: store.NewID(), Event: "ping",
		Payload: `{"secret":"conta A"}`, Status: "delivered", Relayed: true, CreatedAt: now, UpdatedAt: now}
	for _, v := range []any{&s.Webhook, &s.Delivery, &s.Pipeline, &s.Stage, &s.Reply, &s.Card, &store.CardConversation{CardID: s.Card.ID, ConversationID: conv.ID, CreatedAt: now},
		&s.FollowUp, &s.Scheduled} {
		if err := e.db.Create(v).Error; err != nil {
			e.t.Fatal(err)
		}
	}
	return s
}
