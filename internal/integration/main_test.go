// Package integration runs CHATSPOT against real parts: an in-process
// Temporal server, SQLite and (when CHATSPOT_TEST_POSTGRES is set)
// PostgreSQL, real HTTP round trips and real chatspot processes. It is the
// one test binary that links the Temporal server, so every test needing one
// lives here and shares it.
package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/ai"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/cli"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/temporal"
	"github.com/chatspot/chatspot/web"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
)

// runCLIEnv makes the test binary act as the chatspot binary, so tests can
// start real chatspot processes (and kill -9 them) without a separate build.
const runCLIEnv = "CHATSPOT_TEST_RUN_CLI"

var ts *temporaltest.TestServer

func TestMain(m *testing.M) {
	if os.Getenv(runCLIEnv) == "1" {
		os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
	}
	ts = temporaltest.NewServer(temporaltest.WithBaseClientOptions(client.Options{Logger: quietSDKLogger()}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := temporal.EnsureSearchAttributes(ctx, ts.GetDefaultClient(), ts.GetDefaultNamespace(), workflows.SearchAttributes())
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	ts.Stop()
	os.Exit(code)
}

func quietSDKLogger() sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// stack is the app wired as `chatspot dev` wires it, on a test database and
// the shared Temporal server, served over real HTTP.
type stack struct {
	db    *gorm.DB
	tc    client.Client
	url   string
	srv   *api.Server
	queue string // the task queue this test's worker serves
}

func newStack(t *testing.T, db *gorm.DB) *stack {
	t.Helper()
	return newStackAI(t, db, nil, 0)
}

// newStackAI is newStack with AI Assist reaching the given assistant.
func newStackAI(t *testing.T, db *gorm.DB, assistant *ai.Assistant, monthlyCap int) *stack {
	t.Helper()
	return newStackWith(t, db, stackOptions{AI: assistant, AICap: monthlyCap})
}

// stackOptions are what tests vary of the app's wiring.
type stackOptions struct {
	AI        *ai.Assistant
	AICap     int
	Channels  *channels.Registry  // nil: the built-in kinds with the providers' URLs
	PublicURL string              // the app's public URL as activation sees it; "": a laptop
	Pix       billing.PixProvider // recharges' payment provider; nil: recharges off
}

func newStackWith(t *testing.T, db *gorm.DB, o stackOptions) *stack {
	t.Helper()
	tc := ts.GetDefaultClient()
	// Each test's worker serves the shared task queue only while the test
	// runs; tests run one at a time so a worker never sees another test's DB.
	// A task queue of its own, so workflows a previous test left running
	// (queued distributions, timers) never reach this test's database.
	queue := "test-" + store.NewID()
	w := sdkworker.New(tc, queue, sdkworker.Options{WorkflowPanicPolicy: sdkworker.FailWorkflow})
	bus := &events.MemoryBus{}
	box, err := secrets.New(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	// Receivers in these tests listen on 127.0.0.1.
	reg := o.Channels
	if reg == nil {
		reg = worker.Channels(true)
	}
	// The worker's own queue, where the sends of connections it holds run.
	connQueue := queue + "-connection"
	cw := sdkworker.New(tc, connQueue, sdkworker.Options{})
	worker.RegisterWithConnection(w, cw, worker.Deps{DB: db, Bus: bus, Temporal: tc, AI: o.AI, AICap: o.AICap, Secrets: box, AllowPrivateURLs: true, Pix: o.Pix,
		Channels: reg, PublicURL: o.PublicURL, TaskQueue: queue, ConnectionQueue: connQueue})
	for _, w := range []sdkworker.Worker{cw, w} {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	relayCtx, stopRelay := context.WithCancel(context.Background())
	t.Cleanup(stopRelay)
	go (&worker.Relay{DB: db, Temporal: tc, TaskQueue: queue, Every: 100 * time.Millisecond}).Run(relayCtx)
	srv := &api.Server{Pix: o.Pix, DB: db, Temporal: tc, Inbox: &inbox.Inbox{DB: db, Temporal: tc, Bus: bus, TaskQueue: queue}, Bus: bus,
		Sessions: &auth.Sessions{DB: db, Policy: auth.DefaultPolicy},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)), UI: web.Assets(), Widget: web.Widget(),
		SecretKey: testSecretKey, AllowPrivateURLs: true, Channels: reg}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &stack{db: db, tc: tc, url: hs.URL, srv: srv, queue: queue}
}

// eventually retries check until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func updateOpts(conv store.Conversation, req workflows.SendRequest) client.UpdateWorkflowOptions {
	return client.UpdateWorkflowOptions{WorkflowID: conv.WorkflowID, UpdateName: workflows.UpdateSend,
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{req}}
}

// testSecretKey signs visitor tokens and seals credentials; the API and
// the worker must share it, as serve and worker processes do.
var testSecretKey = []byte("integration-test-secret-key-0123456789")
