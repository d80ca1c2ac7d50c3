package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/cli"
	"github.com/chatspot/chatspot/internal/demo"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
	"github.com/chatspot/chatspot/internal/temporal"
	"github.com/chatspot/chatspot/workflows"
)

// proc is a real chatspot process: this test binary re-executed as the CLI.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startCLI(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = append(append(os.Environ(), runCLIEnv+"=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) waitFor(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	default:
	}
	eventually(t, timeout, func() error {
		if strings.Contains(p.output(), text) {
			return nil
		}
		select {
		case <-p.done:
			t.Fatalf("process exited before printing %q:\n%s", text, p.output())
		default:
		}
		return fmt.Errorf("no %q yet in output:\n%s", text, p.output())
	})
}

// stopGracefully sends SIGTERM and waits for a clean exit.
func (p *proc) stopGracefully(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("process did not stop after SIGTERM:\n%s", p.output())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.output())
	}
}

func freePort(t *testing.T) int {
	p, err := temporal.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func httpStatus(url string) int {
	res, err := http.Get(url)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestDevSurvivesKillAndRestart runs `chatspot dev` as a real process,
// kills it with SIGKILL in the middle of a conversation and starts it
// again: the data and the running workflow are still there.
func TestDevSurvivesKillAndRestart(t *testing.T) {
	dir := t.TempDir()
	httpPort, tPort, uiPort := freePort(t), freePort(t), freePort(t)
	args := []string{"dev", "--data-dir", dir, "--http-addr", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--temporal-port", strconv.Itoa(tPort), "--ui-port", strconv.Itoa(uiPort)}
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)

	first := startCLI(t, nil, args...)
	first.waitFor(t, "Press Ctrl-C", 90*time.Second)
	out := first.output()
	channelID := regexp.MustCompile(`API channel id:\s+(\S+)`).FindStringSubmatch(out)
	token := regexp.MustCompile(`API channel token:\s+(\S+)`).FindStringSubmatch(out)
	if channelID == nil || token == nil || !strings.Contains(out, "Admin password:") {
		t.Fatalf("first start did not print the demo credentials:\n%s", out)
	}
	if s := httpStatus(base + "/healthz"); s != 200 {
		t.Fatalf("/healthz = %d", s)
	}
	password := regexp.MustCompile(`Admin password:\s+(\S+)`).FindStringSubmatch(out)[1]
	login, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, demo.AdminEmail, password)))
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.StatusCode != http.StatusOK {
		t.Fatalf("the printed admin credentials do not log in: %d", login.StatusCode)
	}
	eventually(t, 30*time.Second, func() error {
		if s := httpStatus(fmt.Sprintf("http://127.0.0.1:%d/", uiPort)); s != 200 {
			return fmt.Errorf("Temporal UI answered %d", s)
		}
		return nil
	})
	a := &apiChannel{stack: &stack{url: base}, token: token[1]}
	a.f.Channel.ID = channelID[1]
	r := a.post(t, a.token, msgJSON("d1", "5511988887777", "Bom dia"))
	if r.status != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", r.status, r.body)
	}
	wfID := workflows.ConversationWorkflowID(channelID[1], r.body["contact_id"].(string))
	db, err := store.Open(context.Background(), "", dir) // the same SQLite file, read beside the process
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	conv := waitConversation(t, db, wfID, 1)

	first.cmd.Process.Kill() // SIGKILL: no chance to clean up
	<-first.done

	second := startCLI(t, nil, args...)
	second.waitFor(t, "Press Ctrl-C", 90*time.Second)
	if strings.Contains(second.output(), "Admin password:") {
		t.Errorf("restart created the demo account again:\n%s", second.output())
	}
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", tPort), Namespace: "default", Logger: quietSDKLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	desc, err := tc.DescribeWorkflowExecution(context.Background(), wfID, "")
	if err != nil {
		t.Fatalf("workflow lost after kill -9: %v", err)
	}
	if st := desc.WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || desc.WorkflowExecutionInfo.Execution.RunId != conv.RunID {
		t.Fatalf("after restart the ticket's run is %s/%s, want the same run running", st, desc.WorkflowExecutionInfo.Execution.RunId)
	}
	// dev made the event log's pruning schedule, on the main task queue.
	sched, err := tc.ScheduleClient().GetHandle(context.Background(), workflows.EventRetentionScheduleID).Describe(context.Background())
	if err != nil {
		t.Fatalf("housekeeping schedule: %v", err)
	}
	if action, ok := sched.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || action.TaskQueue != workflows.TaskQueue {
		t.Fatalf("housekeeping schedule starts %+v, want a workflow on %s", sched.Schedule.Action, workflows.TaskQueue)
	}
	if r := a.post(t, a.token, msgJSON("d2", "5511988887777", "Voltei")); r.status != http.StatusAccepted {
		t.Fatalf("inbound after restart: %d %v", r.status, r.body)
	}
	waitConversation(t, db, wfID, 2) // same ticket, both messages
	second.stopGracefully(t)
}

// TestBadConfigurationFailsWithOneLine checks that each misconfiguration
// ends the process with a non-zero code and one line naming the setting.
func TestBadConfigurationFailsWithOneLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	freeHTTP := "127.0.0.1:" + strconv.Itoa(freePort(t))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unreachable database", []string{"migrate", "--database-url", "postgres://chatspot@127.0.0.1:1/none?connect_timeout=3"}, 1, "DATABASE_URL"},
		{"not a postgres URL", []string{"serve", "--database-url", "mysql://x"}, 2, "DATABASE_URL"},
		{"malformed temporal address", []string{"worker", "--temporal-address", "no-port-here"}, 2, "TEMPORAL_ADDRESS"},
		{"serve without a database", []string{"serve"}, 1, "DATABASE_URL"},
		{"busy HTTP port", []string{"dev", "--data-dir", dir, "--http-addr", "127.0.0.1:" + busyPort}, 1, "--http-addr"},
		{"busy Temporal port", []string{"dev", "--data-dir", dir, "--http-addr", freeHTTP, "--temporal-port", busyPort}, 1, "--temporal-port"},
		{"busy UI port", []string{"dev", "--data-dir", dir, "--http-addr", freeHTTP, "--ui-port", busyPort}, 1, "--ui-port"},
		{"bad port number", []string{"dev", "--ui-port", "99999"}, 2, "CHATSPOT_TEMPORAL_UI_PORT"},
		{"bad log level", []string{"dev", "--log-level", "loud"}, 2, "CHATSPOT_LOG_LEVEL"},
		{"unknown flag", []string{"dev", "--colour", "blue"}, 2, "colour"},
		{"unknown command", []string{"launch"}, 2, "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cli.Run(c.args, &stdout, &stderr)
			msg := strings.TrimSpace(stderr.String())
			if code != c.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, c.code, msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("stderr %q does not name %q", msg, c.want)
			}
			if c.name != "unknown command" && strings.Count(msg, "\n") > 0 {
				t.Errorf("want one line, got:\n%s", msg)
			}
		})
	}
}

// TestProductionServeAndWorkers runs `chatspot migrate`, two `chatspot
// worker` processes and a `chatspot serve` against PostgreSQL and an
// external Temporal server, as production does.
func TestProductionServeAndWorkers(t *testing.T) {
	if storetest.PostgresDSN() == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	dsn := storetest.PostgresSchema(t)
	env := []string{"DATABASE_URL=" + dsn, "TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
		"CHATSPOT_SECRET_KEY=" + strings.Repeat("k", 32)}
	migrate := startCLI(t, env, "migrate")
	<-migrate.done
	if migrate.cmd.ProcessState.ExitCode() != 0 || !strings.Contains(migrate.output(), "up to date") {
		t.Fatalf("migrate: %s", migrate.output())
	}
	db, err := store.Open(context.Background(), dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	a := &apiChannel{}
	a.token, a.f = seedAPIChannel(t, db)

	workers := []*proc{startCLI(t, env, "worker"), startCLI(t, env, "worker")}
	httpPort := freePort(t)
	serve := startCLI(t, env, "serve", "--http-addr", "127.0.0.1:"+strconv.Itoa(httpPort))
	for _, w := range workers {
		w.waitFor(t, "polling task queue", 30*time.Second)
	}
	serve.waitFor(t, "serving on", 30*time.Second)
	a.stack = &stack{url: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}

	contacts := map[string]bool{}
	for i := range 6 {
		r := a.post(t, a.token, msgJSON(fmt.Sprintf("p%d", i), fmt.Sprintf("55119000000%02d", i), "Olá"))
		if r.status != http.StatusAccepted {
			t.Fatalf("inbound %d: %d %v", i, r.status, r.body)
		}
		contacts[r.body["contact_id"].(string)] = true
	}
	for c := range contacts {
		waitConversation(t, db, workflows.ConversationWorkflowID(a.f.Channel.ID, c), 1)
	}
	serve.stopGracefully(t)
	for _, w := range workers {
		w.stopGracefully(t)
	}
}

// TestWorkerKilledMidSendDeliversOnce kills a worker process with SIGKILL
// while the provider is receiving a message, starts another, and checks
// every message reaches the provider exactly once (by its idempotency key)
// and ends sent.
func TestWorkerKilledMidSendDeliversOnce(t *testing.T) {
	if storetest.PostgresDSN() == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	dsn := storetest.PostgresSchema(t)
	db, err := store.Open(context.Background(), dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	if _, err := store.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	a := &apiChannel{stack: &stack{db: db}}
	a.token, a.f = seedAPIChannel(t, db)
	prov := newIntegrator(t, "k")
	prov.hold = make(chan struct{})
	configureOutbound(t, a, prov.url, "k")
	// The outbound secret was sealed under testSecretKey, which these
	// workers know only as the key before a rotation: they must still open
	// it. The integrator here listens on 127.0.0.1, which workers refuse
	// unless allowed.
	env := []string{"DATABASE_URL=" + dsn, "TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
		"CHATSPOT_SECRET_KEY=" + strings.Repeat("r", 40), "CHATSPOT_SECRET_KEY_PREVIOUS=" + string(testSecretKey), "CHATSPOT_ALLOW_PRIVATE_URLS=true"}
	first := startCLI(t, env, "worker")
	first.waitFor(t, "polling task queue", 30*time.Second)

	tc := ts.GetDefaultClient()
	ib := &inbox.Inbox{DB: db, Temporal: tc}
	var ch store.Channel
	db.Take(&ch, "id = ?", a.f.Channel.ID)
	res, err := ib.Ingest(context.Background(), ch, channels.Inbound{ChannelID: ch.ID, ExternalID: "k1",
		Contact: channels.InboundContact{ExternalID: "5511955554444"}, Text: "Oi"})
	if err != nil {
		t.Fatal(err)
	}
	wfID := workflows.ConversationWorkflowID(ch.ID, res.Message.ContactID)
	waitConversation(t, db, wfID, 1)
	var ids []string
	for i := range 3 {
		h, err := tc.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{WorkflowID: wfID, UpdateName: workflows.UpdateSend,
			WaitForStage: client.WorkflowUpdateStageCompleted,
			Args:         []any{workflows.SendRequest{Body: fmt.Sprintf("resposta %d", i), IdempotencyKey: fmt.Sprintf("kill-%d", i)}}})
		if err != nil {
			t.Fatal(err)
		}
		var r workflows.SendResult
		if err := h.Get(context.Background(), &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.MessageID)
	}
	// The first delivery is in flight at the provider: kill the worker.
	eventually(t, 30*time.Second, func() error {
		if calls, _ := prov.snapshot(); calls == 0 {
			return fmt.Errorf("no delivery started")
		}
		return nil
	})
	first.cmd.Process.Kill()
	<-first.done
	prov.mu.Lock()
	close(prov.hold)
	prov.hold = nil
	prov.mu.Unlock()

	second := startCLI(t, env, "worker")
	second.waitFor(t, "polling task queue", 30*time.Second)
	// The lost attempt times out (30 s) and is retried by the new worker.
	eventually(t, 90*time.Second, func() error {
		var sent int64
		db.Model(&store.Message{}).Where("id IN ? AND status = ?", ids, store.MessageSent).Count(&sent)
		if sent != int64(len(ids)) {
			return fmt.Errorf("%d of %d messages sent", sent, len(ids))
		}
		return nil
	})
	calls, delivered := prov.snapshot()
	if len(delivered) != len(ids) {
		t.Fatalf("provider has %d distinct deliveries, want %d: %+v", len(delivered), len(ids), delivered)
	}
	for _, id := range ids {
		if _, ok := delivered[id]; !ok {
			t.Errorf("message %s never delivered", id)
		}
	}
	t.Logf("%d provider calls for %d messages (the killed attempt was repeated under the same key)", calls, len(ids))
	second.stopGracefully(t)
}
