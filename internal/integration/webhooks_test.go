package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chatspot/chatspot/activities"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

// receiver is an integrator's endpoint: it verifies each request's
// signature and records the deliveries it accepted, in arrival order.
type receiver struct {
	mu       sync.Mutex
	secret   string
	down     bool
	refused  []string // delivery ids answered 503 while down
	accepted []receivedHook
	badSig   int
	url      string
}

type receivedHook struct {
	DeliveryID, EventID, Event string
	Data                       map[string]any
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		ts, _ := strconv.ParseInt(r.Header.Get(activities.HeaderWebhookTimestamp), 10, 64)
		if r.Header.Get(activities.HeaderWebhookSignature) != apichannel.Sign(rc.secret, ts, body) || time.Since(time.Unix(ts, 0)) > 5*time.Minute {
			rc.badSig++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get(activities.HeaderWebhookDelivery)
		if rc.down {
			rc.refused = append(rc.refused, id)
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		var env struct {
			ID    string         `json:"id"`
			Event string         `json:"event"`
			Data  map[string]any `json:"data"`
		}
		_ = json.Unmarshal(body, &env)
		if env.Event != r.Header.Get(activities.HeaderWebhookEvent) || env.ID != r.Header.Get(activities.HeaderWebhookEventID) {
			http.Error(w, "headers and body disagree", http.StatusBadRequest)
			return
		}
		rc.accepted = append(rc.accepted, receivedHook{DeliveryID: id, EventID: env.ID, Event: env.Event, Data: env.Data})
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL
	return rc
}

func (rc *receiver) snapshot() ([]receivedHook, []string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.accepted), slices.Clone(rc.refused), rc.badSig
}

func (rc *receiver) setDown(v bool) {
	rc.mu.Lock()
	rc.down = v
	rc.mu.Unlock()
}

func TestAccountWebhooksDeliverSignedInOrder(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testWebhooks(t, dialect) })
	}
}

func testWebhooks(t *testing.T, dialect string) {
	c := newCRMAdmin(t, dialect)
	ag := c.ag
	rc := newReceiver(t)

	// Unknown events and bad URLs are refused, naming the field.
	if st, v := ag.call(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "ftp://x", "events": []string{}}, nil); st != http.StatusUnprocessableEntity || v["field"] != "url" {
		t.Errorf("bad url: %d %v", st, v)
	}
	if st, v := ag.call(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": rc.url, "events": []string{"message.sent"}}, nil); st != http.StatusUnprocessableEntity || v["field"] != "events" {
		t.Errorf("unknown event: %d %v", st, v)
	}
	st, ep := ag.call(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": rc.url, "events": []string{"message.created", "conversation.closed", "crm.card.created"}}, nil)
	if st != http.StatusCreated || ep["secret"] == nil {
		t.Fatalf("create endpoint: %d %v", st, ep)
	}
	rc.mu.Lock()
	rc.secret = ep["secret"].(string)
	rc.mu.Unlock()
	epID := ep["id"].(string)
	if st, v := ag.call(http.MethodPost, "/api/v1/webhooks/"+epID+"/ping", nil, nil); st != http.StatusAccepted {
		t.Fatalf("ping: %d %v", st, v)
	}
	eventually(t, 10*time.Second, func() error {
		if got, _, _ := rc.snapshot(); len(got) != 1 || got[0].Event != "ping" {
			return fmt.Errorf("received %+v", got)
		}
		return nil
	})

	// The endpoint goes down while the customer writes three messages.
	rc.setDown(true)
	for i, text := range []string{"primeira", "segunda", "terceira"} {
		if r := c.post(t, c.token, msgJSON(fmt.Sprintf("wh-%d", i), "5511955554444", text)); r.status != http.StatusAccepted {
			t.Fatalf("inbound %d: %d", i, r.status)
		}
	}
	eventually(t, 15*time.Second, func() error {
		if _, refused, _ := rc.snapshot(); len(refused) < 2 {
			return fmt.Errorf("%d refused attempts so far", len(refused))
		}
		return nil
	})
	rc.setDown(false)

	// Back up: every event arrives once, in the order it happened.
	var got []receivedHook
	eventually(t, 30*time.Second, func() error {
		got, _, _ = rc.snapshot()
		if len(got) != 4 {
			return fmt.Errorf("%d accepted: %+v", len(got), got)
		}
		return nil
	})
	texts := []string{}
	for _, h := range got[1:] {
		if h.Event != "message.created" {
			t.Errorf("received %s, which the endpoint did not subscribe to", h.Event)
		}
		texts = append(texts, fmt.Sprint(h.Data["body"]))
	}
	if !slices.Equal(texts, []string{"primeira", "segunda", "terceira"}) {
		t.Errorf("messages arrived as %v, want in order", texts)
	}
	// The receiver has the last delivery before its worker records it.
	var stored []store.WebhookDelivery
	eventually(t, 10*time.Second, func() error {
		c.db.Where("endpoint_id = ?", epID).Order("seq").Find(&stored)
		for _, d := range stored {
			if d.Status != "delivered" {
				return fmt.Errorf("delivery %s still %s", d.ID, d.Status)
			}
		}
		return nil
	})
	_, refused, badSig := rc.snapshot()
	for i, d := range stored {
		if d.ID != got[i].DeliveryID || d.Status != "delivered" {
			t.Errorf("delivery %d: stored %s (%s), received %s", i, d.ID, d.Status, got[i].DeliveryID)
		}
	}
	for _, id := range refused {
		if !slices.ContainsFunc(stored, func(d store.WebhookDelivery) bool { return d.ID == id }) {
			t.Errorf("a retry came with an unknown delivery id %s", id)
		}
	}
	if badSig != 0 {
		t.Errorf("%d requests with a bad signature", badSig)
	}

	// The log shows the failed attempts with their status codes.
	st, log := ag.call(http.MethodGet, "/api/v1/webhook-deliveries/"+stored[1].ID, nil, nil)
	attempts := log["attempts_log"].([]any)
	if st != http.StatusOK || len(attempts) < 2 || attempts[0].(map[string]any)["status_code"] != float64(503) || log["status"] != "delivered" {
		t.Errorf("delivery log: %d %v", st, log)
	}
	if st, list := ag.call(http.MethodGet, "/api/v1/webhooks/"+epID+"/deliveries?status=delivered", nil, nil); st != http.StatusOK || len(list["items"].([]any)) != 4 {
		t.Errorf("deliveries list: %d %v", st, list)
	}

	saveHistory(t, c.tc, workflows.WebhookDeliveryWorkflowID(stored[1].ID), "", "webhook-delivery-retried.json")

	// A replay sends the same event under a new delivery id.
	st, again := ag.call(http.MethodPost, "/api/v1/webhook-deliveries/"+stored[1].ID+"/replay", nil, nil)
	if st != http.StatusCreated || again["event_id"] != stored[1].EventID || again["id"] == stored[1].ID {
		t.Fatalf("replay: %d %v", st, again)
	}
	eventually(t, 10*time.Second, func() error {
		got, _, _ := rc.snapshot()
		if len(got) != 5 || got[4].DeliveryID != again["id"] || got[4].EventID != stored[1].EventID {
			return fmt.Errorf("after replay: %+v", got)
		}
		return nil
	})

	// A card created through the API reaches the endpoint too.
	_, p := ag.call(http.MethodPost, "/api/v1/pipelines", map[string]any{"name": "Vendas"}, nil)
	ag.call(http.MethodPost, "/api/v1/cards", map[string]any{"conversation_id": c.conv.ID, "pipeline_id": p["id"]}, nil)
	eventually(t, 10*time.Second, func() error {
		got, _, _ := rc.snapshot()
		if len(got) != 6 || got[5].Event != "crm.card.created" || got[5].Data["title"] != "Maria Silva" {
			return fmt.Errorf("after card: %+v", got[len(got)-1])
		}
		return nil
	})
	saveHistory(t, c.tc, workflows.WebhookEndpointWorkflowID(epID), "", "webhook-endpoint-queue.json")
}
