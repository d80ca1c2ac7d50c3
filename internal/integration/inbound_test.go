package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/workflows"
)

type apiChannel struct {
	*stack
	f     storetest.Fixture
	token string
}

func newAPIChannel(t *testing.T, dialect string) *apiChannel {
	db := storetest.Open(t, dialect)
	token, f := seedAPIChannel(t, db)
	return &apiChannel{stack: newStack(t, db), f: f, token: token}
}

// seedAPIChannel creates an account with an API channel and returns the
// channel's inbound token.
func seedAPIChannel(t *testing.T, db *gorm.DB) (string, storetest.Fixture) {
	token, settings := apichannel.NewToken()
	raw, _ := json.Marshal(settings)
	return token, storetest.Seed(t, db, string(raw))
}

type inboundReply struct {
	status int
	body   map[string]any
}

func (a *apiChannel) post(t *testing.T, token, body string) inboundReply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+"/hooks/api/"+a.f.Channel.ID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := inboundReply{status: res.StatusCode, body: map[string]any{}}
	data, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(data, &out.body)
	return out
}

func msgJSON(id, from, text string) string {
	b, _ := json.Marshal(map[string]any{"message_id": id, "from": map[string]string{"id": from, "name": "Maria"}, "text": text})
	return string(b)
}

func TestAPIChannelInboundToConversationWorkflow(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testInboundFlow(t, dialect) })
	}
}

func testInboundFlow(t *testing.T, dialect string) {
	a := newAPIChannel(t, dialect)
	ctx := context.Background()

	first := a.post(t, a.token, msgJSON("m1", "5511999990001", "Olá, quero um orçamento"))
	if first.status != http.StatusAccepted {
		t.Fatalf("first delivery: %d %v", first.status, first.body)
	}
	replay := a.post(t, a.token, msgJSON("m1", "5511999990001", "Olá, quero um orçamento"))
	if replay.status != http.StatusOK || replay.body["message_id"] != first.body["message_id"] || replay.body["duplicate"] != true {
		t.Fatalf("replayed delivery: %d %v, want 200 with the same message id", replay.status, replay.body)
	}
	// The provider retrying the same message concurrently stores it once.
	var wg sync.WaitGroup
	statuses := make([]int, 6)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = a.post(t, a.token, msgJSON("m2", "5511999990001", "Alguém aí?")).status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != http.StatusAccepted && s != http.StatusOK {
			t.Fatalf("concurrent deliveries answered %v", statuses)
		}
	}
	var n int64
	a.db.Model(&store.Message{}).Where("channel_id = ?", a.f.Channel.ID).Count(&n)
	if n != 2 {
		t.Fatalf("%d messages stored, want 2 (m1, m2 once each)", n)
	}

	contactID := first.body["contact_id"].(string)
	wfID := workflows.ConversationWorkflowID(a.f.Channel.ID, contactID)
	conv := waitConversation(t, a.db, wfID, 2)
	if conv.Status != store.StatusOpen || conv.LastCustomerMessageAt == nil {
		t.Fatalf("conversation %+v, want open with a last customer message time", conv)
	}

	// Operators find the workflow by the custom search attributes.
	eventually(t, 15*time.Second, func() error {
		res, err := a.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: ts.GetDefaultNamespace(),
			Query:     fmt.Sprintf("ChatspotContactId = '%s' AND ChatspotConversationStatus = 'open'", contactID),
		})
		if err != nil {
			return err
		}
		if len(res.Executions) != 1 {
			return fmt.Errorf("%d executions found by search attributes", len(res.Executions))
		}
		return nil
	})

	// The agent closes the ticket through the workflow's update.
	handle, err := a.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wfID, UpdateName: workflows.UpdateClose, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.CloseRequest{UserID: "agent"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := handle.Get(ctx, nil); err != nil {
		t.Fatalf("close: %v", err)
	}
	closedRun := a.tc.GetWorkflow(ctx, wfID, conv.RunID)
	if err := closedRun.Get(ctx, nil); err != nil {
		t.Fatalf("closed ticket's run: %v", err)
	}
	a.db.Take(&conv, "id = ?", conv.ID)
	if conv.Status != store.StatusClosed {
		t.Fatalf("status after close = %q", conv.Status)
	}
	saveHistory(t, a.tc, wfID, conv.RunID, "conversation_closed_v2.json")

	// Writing again opens a new ticket: a new run under the same id.
	if r := a.post(t, a.token, msgJSON("m3", "5511999990001", "Esqueci de perguntar")); r.status != http.StatusAccepted {
		t.Fatalf("message after close: %d %v", r.status, r.body)
	}
	eventually(t, 15*time.Second, func() error {
		var convs []store.Conversation
		a.db.Where("workflow_id = ?", wfID).Order("created_at").Find(&convs)
		if len(convs) != 2 {
			return fmt.Errorf("%d tickets, want 2", len(convs))
		}
		if convs[1].Status != store.StatusOpen || convs[1].RunID == conv.RunID {
			return fmt.Errorf("second ticket %+v", convs[1])
		}
		var m store.Message
		a.db.Take(&m, "external_id = ?", "m3")
		if m.ConversationID == nil || *m.ConversationID != convs[1].ID {
			return fmt.Errorf("m3 not in the new ticket")
		}
		return nil
	})
}

func TestAPIChannelRejectsBadInput(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	cases := []struct {
		name, token, body string
		status            int
		field             string
	}{
		{"wrong token", "cht_wrong", msgJSON("x1", "1", "oi"), http.StatusUnauthorized, "Authorization"},
		{"no token", "", msgJSON("x1", "1", "oi"), http.StatusUnauthorized, "Authorization"},
		{"malformed JSON", a.token, `{"message_id":`, http.StatusBadRequest, ""},
		{"wrong type", a.token, `{"message_id": 5}`, http.StatusBadRequest, "message_id"},
		{"missing message id", a.token, msgJSON("", "1", "oi"), http.StatusUnprocessableEntity, "message_id"},
		{"missing sender", a.token, msgJSON("x2", "", "oi"), http.StatusUnprocessableEntity, "from.id"},
		{"empty text", a.token, msgJSON("x3", "1", "  "), http.StatusUnprocessableEntity, "text"},
		{"text too long", a.token, msgJSON("x4", "1", strings.Repeat("a", apichannel.MaxTextLen+1)), http.StatusUnprocessableEntity, "text"},
		{"oversized body", a.token, `{"text":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, c := range cases {
		r := a.post(t, c.token, c.body)
		if r.status != c.status {
			t.Errorf("%s: status %d %v, want %d", c.name, r.status, r.body, c.status)
			continue
		}
		if c.field != "" && r.body["field"] != c.field {
			t.Errorf("%s: problem names field %v, want %q", c.name, r.body["field"], c.field)
		}
	}
	// A channel kind outside the account's plan is refused.
	a.db.Model(&store.Account{}).Where("id = ?", a.f.Account.ID).Update("channels", "webchat,whatsapp")
	if r := a.post(t, a.token, msgJSON("x5", "1", "oi")); r.status != http.StatusForbidden || !strings.Contains(fmt.Sprint(r.body["detail"]), "plan") {
		t.Errorf("API channel not in the plan: %d %v", r.status, r.body)
	}
	var n int64
	a.db.Model(&store.Message{}).Count(&n)
	if n != 0 {
		t.Errorf("%d messages stored from bad input", n)
	}
	// An unknown channel is 404, not 401: there is no token to check.
	req, _ := http.NewRequest(http.MethodPost, a.url+"/hooks/api/nope", bytes.NewReader([]byte(msgJSON("x", "1", "oi"))))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown channel: %d", res.StatusCode)
	}
}

func TestHealthReadinessAndUI(t *testing.T) {
	s := newStack(t, storetest.Open(t, "sqlite"))
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/inbox/some/client/route": 200, "/api/v1/nope": 404} {
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
		}
		if want == 200 && !strings.HasPrefix(path, "/healthz") && !strings.HasPrefix(path, "/readyz") && !bytes.Contains(body, []byte("CHATSPOT")) {
			t.Errorf("GET %s did not serve the UI", path)
		}
	}
}

// waitConversation waits until the ticket of workflowID has taken in
// attached customer messages. Only inbound ones count: automation rules
// may answer in the same breath, and catching the moment before they do
// is a race.
func waitConversation(t *testing.T, db *gorm.DB, workflowID string, attached int) store.Conversation {
	t.Helper()
	var conv store.Conversation
	eventually(t, 15*time.Second, func() error {
		if err := db.Where("workflow_id = ?", workflowID).Take(&conv).Error; err != nil {
			return err
		}
		var n int64
		db.Model(&store.Message{}).Where("conversation_id = ? AND direction = ?", conv.ID, store.DirectionInbound).Count(&n)
		if int(n) != attached {
			return fmt.Errorf("%d customer messages attached, want %d", n, attached)
		}
		return nil
	})
	return conv
}

// historyFile is the committed history that workflows' replay test runs
// the current code against. CHATSPOT_UPDATE_HISTORIES=1 rewrites it from a
// fresh run; otherwise the fresh history is replayed here and the committed
// one in package workflows.
const historyDir = "../../workflows/testdata/"

func saveHistory(t *testing.T, tc client.Client, wfID, runID, name string) {
	t.Helper()
	iter := tc.GetWorkflowHistory(context.Background(), wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var hist historypb.History
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	replayer := sdkworker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.Conversation)
	replayer.RegisterWorkflow(workflows.Distribution)
	replayer.RegisterWorkflow(workflows.Card)
	replayer.RegisterWorkflow(workflows.ScheduledMessage)
	replayer.RegisterWorkflow(workflows.WebhookEndpoint)
	replayer.RegisterWorkflow(workflows.WebhookDelivery)
	replayer.RegisterWorkflow(workflows.ScheduledRule)
	replayer.RegisterWorkflow(workflows.ChannelActivation)
	replayer.RegisterWorkflow(workflows.ChannelConnection)
	replayer.RegisterWorkflow(workflows.InboundMedia)
	replayer.RegisterWorkflow(workflows.InboundSweep)
	replayer.RegisterWorkflow(workflows.MarkRead)
	replayer.RegisterWorkflow(workflows.TemplateSync)
	replayer.RegisterWorkflow(workflows.TemplateSubmit)
	replayer.RegisterWorkflow(workflows.ModerateComment)
	replayer.RegisterWorkflow(workflows.TokenRefresh)
	replayer.RegisterWorkflow(workflows.ChannelOAuth)
	replayer.RegisterWorkflow(workflows.ResourceFetch)
	replayer.RegisterWorkflow(workflows.Recharge)
	if err := replayer.ReplayWorkflowHistory(nil, &hist); err != nil {
		t.Fatalf("replaying the run just recorded: %v", err)
	}
	if os.Getenv("CHATSPOT_UPDATE_HISTORIES") != "1" {
		return
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(historyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(historyDir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A burst of new customers larger than PostgreSQL's connection limit is
// taken in whole: requests wait for a pooled connection instead of
// failing with "too many clients".
func TestInboundBurstBeyondConnectionLimit(t *testing.T) {
	if !slices.Contains(storetest.Dialects(), "postgres") {
		t.Skip("needs CHATSPOT_TEST_POSTGRES")
	}
	a := newAPIChannel(t, "postgres")
	const burst = 150
	var wg sync.WaitGroup
	statuses := make([]int, burst)
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = a.post(t, a.token, msgJSON(fmt.Sprintf("burst-%d", i), fmt.Sprintf("5511970%05d", i), "Oi")).status
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusAccepted {
			t.Fatalf("request %d of the burst answered %d", i, st)
		}
	}
	var n int64
	a.db.Model(&store.Message{}).Where("channel_id = ?", a.f.Channel.ID).Count(&n)
	if n != burst {
		t.Errorf("%d of %d messages stored", n, burst)
	}
}

// TestBusyTicketKeepsOneTimer: a ticket with an inactivity auto-close
// takes a stream of customer messages without cancelling and starting a
// timer for each (every message moves the deadline later), records each
// workflow task's messages in one local activity, and, as the account has
// no message rules, asks for none per message.
func TestBusyTicketKeepsOneTimer(t *testing.T) {
	a := newAPIChannel(t, "sqlite")
	ctx := context.Background()
	settings := map[string]any{}
	_ = json.Unmarshal([]byte(a.f.Channel.Settings), &settings)
	settings["auto_close_after"] = "24h"
	raw, _ := json.Marshal(settings)
	if err := a.db.Model(&a.f.Channel).Update("settings", string(raw)).Error; err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wfID string
	for i := range n {
		r := a.post(t, a.token, msgJSON(fmt.Sprintf("busy-%d", i), "5511999990077", fmt.Sprintf("mensagem %d", i)))
		if r.status != http.StatusAccepted {
			t.Fatalf("message %d: %d %v", i, r.status, r.body)
		}
		wfID = workflows.ConversationWorkflowID(a.f.Channel.ID, r.body["contact_id"].(string))
		waitConversation(t, a.db, wfID, i+1)
	}
	var recorded int64
	eventually(t, 15*time.Second, func() error {
		a.db.Model(&store.Message{}).Where("channel_id = ? AND recorded_at IS NOT NULL", a.f.Channel.ID).Count(&recorded)
		if recorded != n {
			return fmt.Errorf("%d of %d messages taken in", recorded, n)
		}
		return nil
	})
	conv := waitConversation(t, a.db, wfID, n)
	iter := a.tc.GetWorkflowHistory(ctx, wfID, conv.RunID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	counts := map[enumspb.EventType]int{}
	localActivities := map[string]int{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		counts[ev.GetEventType()]++
		if m := ev.GetMarkerRecordedEventAttributes(); m.GetMarkerName() == "LocalActivity" {
			var la struct{ ActivityType string }
			_ = json.Unmarshal(m.GetDetails()["data"].GetPayloads()[0].GetData(), &la)
			localActivities[la.ActivityType]++
		}
	}
	started, canceled := counts[enumspb.EVENT_TYPE_TIMER_STARTED], counts[enumspb.EVENT_TYPE_TIMER_CANCELED]
	if started != 1 || canceled != 0 {
		t.Errorf("%d timers started and %d cancelled for %d messages, want 1 and 0", started, canceled, n)
	}
	// One ask for the conversation.created rules; none per message.
	if got := localActivities["MatchAutomations"]; got != 1 {
		t.Errorf("rules asked for %d times for a new ticket and %d messages, want once: %v", got, n, localActivities)
	}
	saveHistory(t, a.tc, wfID, conv.RunID, "conversation_busy_v5.json")
}
