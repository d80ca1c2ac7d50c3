// Command bench measures CHATSPOT's main paths on the embedded stack (the
// same parts `chatspot dev` runs: in-process Temporal on SQLite, SQLite app
// database, worker, HTTP server) and prints a table; `make bench` runs it.
// A bare baseline — signal-with-start plus one local activity per message,
// nothing else — runs in the same process for comparison. Figures go to
// bench-results.json too.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/expr-lang/expr/vm"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/temporal"
	"github.com/chatspot/chatspot/rules"
	"github.com/chatspot/chatspot/web"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
	"gorm.io/gorm"
)

var (
	rates         = flag.String("rates", "50,100,200,500", "offered inbound rates, messages per second")
	duration      = flag.Duration("duration", 5*time.Second, "how long each rate is offered")
	conversations = flag.Int("conversations", 250, "distinct contacts the messages are spread over")
	out           = flag.String("out", "bench-results.json", "where the figures are written as JSON")
	databaseURL   = flag.String("database-url", "", "PostgreSQL DSN for the app database; empty: SQLite in a temporary directory")
	arrivals      = flag.Int("arrivals", 200, "new conversations arriving at once in the assignment scenario")
	only          = flag.String("only", "", "run part of the bench for a quick look (the table is the full run): assignment, messages (baseline and inbound rates only), or sends (inbound rates, then the agents' sends)")
	streams       = flag.Int("streams", 1, "agents' streams open during the inbound phases (one of them measures): agents online")
	cpuProfile    = flag.String("cpuprofile", "", "write a CPU profile of the measured scenarios to this file (go tool pprof)")
)

// Row is one line of the table.
type Row struct {
	Scenario    string  `json:"scenario"`
	OfferedRate int     `json:"offered_per_s"`
	Sent        int     `json:"sent"`
	Done        int     `json:"done"`
	Throughput  float64 `json:"throughput_per_s"`
	P50         float64 `json:"p50_ms"`
	P95         float64 `json:"p95_ms"`
	P99         float64 `json:"p99_ms"`
	Durable     float64 `json:"durable_per_s,omitempty"`  // inbound: messages taken in by their workflows per second
	CPUPerMsg   float64 `json:"cpu_ms_per_msg,omitempty"` // process CPU (user+sys, both cores) spent per message, drain included
	Note        string  `json:"note,omitempty"`
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "chatspot-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	port, _ := temporal.FreePort()
	ts, err := temporal.StartDevServer(temporal.DevServerOptions{DataDir: dir, FrontendPort: port, Namespace: "default", SearchAttributes: workflows.SearchAttributes()})
	if err != nil {
		return err
	}
	defer ts.Stop()
	tc, err := temporal.Dial(ctx, client.Options{HostPort: ts.FrontendAddress(), Namespace: "default", Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		return err
	}
	defer tc.Close()
	db, err := store.Open(ctx, *databaseURL, dir)
	if err != nil {
		return err
	}
	if _, err := store.Migrate(ctx, db); err != nil {
		return err
	}

	var rows []Row
	for _, rate := range parseRates(*rates) {
		if *only == "assignment" || *only == "sends" {
			break
		}
		settle(30 * time.Second)
		row, err := baseline(ctx, tc, rate)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}

	bus := &events.MemoryBus{}
	key := []byte(strings.Repeat("b", 32))
	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	w := worker.New(tc, worker.Deps{DB: db, Bus: bus, Temporal: tc, Secrets: box, AllowPrivateURLs: true}, sdkworker.Options{})
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	srv := &api.Server{DB: db, Temporal: tc, Inbox: &inbox.Inbox{DB: db, Temporal: tc, Bus: bus}, Bus: bus,
		Sessions: &auth.Sessions{DB: db, Policy: auth.DefaultPolicy}, Logger: quiet, UI: web.Assets(), Widget: web.Widget(),
		SecretKey: key, AllowPrivateURLs: true, LoginRate: api.Rate{Burst: 1000, Every: time.Millisecond}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, srv.Handler())
	base := "http://" + ln.Addr().String()
	// With -only sends the profile covers the sends alone, not the
	// inbound phase that opens the conversations they answer.
	if *only != "sends" {
		stop, err := startProfile()
		if err != nil {
			return err
		}
		defer stop()
	}
	if *only == "assignment" {
		row, err := assignment(ctx, db, base, *arrivals, 20, 20)
		if err != nil {
			return err
		}
		print([]Row{row})
		return nil
	}
	receiver, err := startReceiver()
	if err != nil {
		return err
	}
	fx, err := seed(ctx, db, receiver)
	if err != nil {
		return err
	}
	agent, err := login(base, fx.email)
	if err != nil {
		return err
	}
	for _, rate := range parseRates(*rates) {
		settle(30 * time.Second)
		row, err := inboundToStream(ctx, db, base, agent, fx, rate)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	if *only == "messages" {
		print(rows)
		return nil
	}
	if *only == "sends" {
		stop, err := startProfile()
		if err != nil {
			return err
		}
		defer stop()
	}
	settle(30 * time.Second)
	sendRows, err := sendToAck(ctx, db, base, agent, fx, receiver)
	if err != nil {
		return err
	}
	rows = append(rows, sendRows...)
	if *only == "sends" {
		print(rows)
		return nil
	}
	rulesRow, err := ruleEvaluation()
	if err != nil {
		return err
	}
	rows = append(rows, rulesRow)
	assignRow, err := assignment(ctx, db, base, *arrivals, 20, 20)
	if err != nil {
		return err
	}
	rows = append(rows, assignRow)
	print(rows)
	data, _ := json.MarshalIndent(map[string]any{"at": time.Now().UTC(), "duration_s": duration.Seconds(), "conversations": *conversations, "streams": *streams, "rows": rows}, "", "  ")
	return os.WriteFile(*out, data, 0o644)
}

func parseRates(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(p), &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// startProfile starts the -cpuprofile profile, if asked for; the returned
// function stops it.
func startProfile() (func(), error) {
	if *cpuProfile == "" {
		return func() {}, nil
	}
	f, err := os.Create(*cpuProfile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// offer calls fire at the given rate for the duration, each call in its
// own goroutine, and waits for all to finish.
func offer(rate int, d time.Duration, fire func(i int)) int {
	interval := time.Second / time.Duration(rate)
	n := int(d.Seconds() * float64(rate))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() { defer wg.Done(); fire(i) }()
	}
	wg.Wait()
	return n
}

// latencies collects durations safely.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

func (l *latencies) row(name string, rate, sent int, elapsed time.Duration, note string) Row {
	l.mu.Lock()
	defer l.mu.Unlock()
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	pct := func(p float64) float64 {
		if len(l.d) == 0 {
			return 0
		}
		i := int(float64(len(l.d)-1) * p)
		return float64(l.d[i].Microseconds()) / 1000
	}
	return Row{Scenario: name, OfferedRate: rate, Sent: sent, Done: len(l.d), Throughput: float64(len(l.d)) / elapsed.Seconds(),
		P50: pct(0.50), P95: pct(0.95), P99: pct(0.99), Note: note}
}

// --- the bare baseline ---

type baselineSignal struct {
	Sent time.Time
}

var baselineDone = struct {
	sync.Mutex
	ch map[string]chan time.Duration
}{ch: map[string]chan time.Duration{}}

// BaselineWorkflow takes signals and runs one local activity for each.
func BaselineWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	ch := workflow.GetSignalChannel(ctx, "msg")
	for {
		var s baselineSignal
		ch.Receive(ctx, &s)
		if err := workflow.ExecuteLocalActivity(ctx, BaselineActivity, s).Get(ctx, nil); err != nil {
			return err
		}
	}
}

var baselineLatency *latencies

// BaselineActivity records how long the signal took to be processed.
func BaselineActivity(ctx context.Context, s baselineSignal) error {
	baselineLatency.add(time.Since(s.Sent))
	return nil
}

func baseline(ctx context.Context, tc client.Client, rate int) (Row, error) {
	queue := fmt.Sprintf("baseline-%d", rate)
	w := sdkworker.New(tc, queue, worker.Options(sdkworker.Options{})) // tuned as CHATSPOT's worker is
	w.RegisterWorkflow(BaselineWorkflow)
	w.RegisterActivity(BaselineActivity)
	if err := w.Start(); err != nil {
		return Row{}, err
	}
	defer w.Stop()
	baselineLatency = &latencies{}
	cpu0 := cpuTime()
	start := time.Now()
	sent := offer(rate, *duration, func(i int) {
		id := fmt.Sprintf("baseline/%d/%d", rate, i%*conversations)
		_, _ = tc.SignalWithStartWorkflow(ctx, id, "msg", baselineSignal{Sent: time.Now()},
			client.StartWorkflowOptions{ID: id, TaskQueue: queue}, BaselineWorkflow)
	})
	waitFor(func() bool { return len(snapshot(baselineLatency)) >= sent }, 30*time.Second)
	row := baselineLatency.row("baseline: signal-with-start + 1 local activity", rate, sent, time.Since(start), "")
	row.CPUPerMsg = perMessage(cpuTime()-cpu0, sent)
	return row, nil
}

// cpuTime is the CPU time the whole process (server, worker, client) has
// used so far. Per message it is a steadier figure than throughput on a
// shared machine: it does not depend on what else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func perMessage(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / 1000 / float64(n)
}

func snapshot(l *latencies) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...)
}

// settle waits, at most max, until the process is nearly idle (under a
// fifth of a core for half a second): a scenario leaves work behind
// (history and visibility tasks, timers, the deliveries of its last
// sends), which would otherwise count as the next scenario's latency.
func settle(max time.Duration) {
	for deadline := time.Now().Add(max); time.Now().Before(deadline); {
		c0 := cpuTime()
		time.Sleep(500 * time.Millisecond)
		if cpuTime()-c0 < 100*time.Millisecond {
			return
		}
	}
}

func waitFor(cond func() bool, max time.Duration) { waitEvery(cond, max, 20*time.Millisecond) }

// waitEvery is waitFor with a polling interval of its own.
func waitEvery(cond func() bool, max, every time.Duration) {
	deadline := time.Now().Add(max)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(every)
	}
}

// --- CHATSPOT paths ---

type fixture struct {
	account store.Account
	channel store.Channel
	token   string
	email   string
}

// receiver stands for the integrator behind the API channel: it takes
// agents' messages at the channel's outbound URL, checks their signature
// and counts them.
type receiver struct {
	url        string
	secret     string
	delivered  atomic.Int64
	forged     atomic.Int64
	duplicates atomic.Int64
	arrived    sync.Map // message id -> time.Time of its first delivery

	mu    sync.Mutex
	again []repeat // messages that arrived more than once
}

// repeat is a message that arrived again, and how long after its first
// arrival.
type repeat struct {
	id  string
	gap time.Duration
}

// duplicatesNote tells how each message that arrived twice came again:
// the gap after the first arrival and the delivery attempts the message
// recorded (one attempt: the HTTP request itself was repeated; two: the
// activity was retried after sending).
func (r *receiver) duplicatesNote(db *gorm.DB) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	note := ""
	for _, rep := range r.again {
		var msg store.Message
		db.Select("attempts").Take(&msg, "id = ?", rep.id)
		note += fmt.Sprintf("; %s again after %s, %d attempts", rep.id, rep.gap.Round(time.Millisecond), msg.Attempts)
	}
	return note
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/outbound", secret: "bench-outbound-secret"}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ts, _ := strconv.ParseInt(req.Header.Get(apichannel.HeaderTimestamp), 10, 64)
		if req.Header.Get(apichannel.HeaderSignature) != apichannel.Sign(r.secret, ts, body) {
			r.forged.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		n := r.delivered.Add(1)
		var msg apichannel.OutboundPayload
		if json.Unmarshal(body, &msg) == nil {
			if first, seen := r.arrived.LoadOrStore(msg.MessageID, time.Now()); seen {
				r.duplicates.Add(1)
				r.mu.Lock()
				r.again = append(r.again, repeat{msg.MessageID, time.Since(first.(time.Time))})
				r.mu.Unlock()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"ext-%d"}`, n)
	}))
	return r, nil
}

func seed(ctx context.Context, db *gorm.DB, rcv *receiver) (fixture, error) {
	fx := fixture{account: store.Account{Name: "Bench", Seats: 100, Modules: "api"}, email: "bench@example.com"}
	profiles, err := auth.CreateAccount(db, &fx.account)
	if err != nil {
		return fx, err
	}
	if _, err := auth.CreateUser(ctx, db, fx.account.ID, auth.NewUser{Email: fx.email, Name: "Bench", Password: "bench-password-1", ProfileID: profiles[auth.ProfileAdmin].ID}); err != nil {
		return fx, err
	}
	token, settings := apichannel.NewToken()
	settings.OutboundURL, settings.OutboundSecret = rcv.url, rcv.secret
	raw, _ := json.Marshal(settings)
	fx.token = token
	fx.channel = store.Channel{ID: store.NewID(), AccountID: fx.account.ID, Kind: channels.KindAPI, Name: "API", Settings: string(raw), Active: true}
	return fx, db.Create(&fx.channel).Error
}

type agent struct {
	http *http.Client
	csrf string
}

func login(base, email string) (*agent, error) {
	jar, _ := cookiejar.New(nil)
	a := &agent{http: &http.Client{Jar: jar}}
	res, err := a.http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"bench-password-1"}`))
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("login: %d", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == "chatspot_csrf" {
			a.csrf = c.Value
		}
	}
	return a, nil
}

// streamSeen opens the agent stream and reports, for each inbound message
// body, when it arrived.
func streamSeen(ctx context.Context, base string, a *agent, seen func(body string, at time.Time)) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/stream", nil)
	res, err := a.http.Do(req)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("stream: %d", res.StatusCode)
	}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		kind := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && kind == events.MessageCreated:
				var m struct{ Body string }
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m) == nil {
					seen(m.Body, time.Now())
				}
			}
		}
	}()
	return nil
}

// inboundToStream offers customer messages over HTTP and measures how long
// each takes to appear on an agent's stream; it also reports how long the
// workflows took to take every message in.
func inboundToStream(ctx context.Context, db *gorm.DB, base string, a *agent, fx fixture, rate int) (Row, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	sentAt := map[string]time.Time{}
	lat := &latencies{}
	if err := streamSeen(sctx, base, a, func(body string, at time.Time) {
		mu.Lock()
		t, ok := sentAt[body]
		delete(sentAt, body)
		mu.Unlock()
		if ok {
			lat.add(at.Sub(t))
		}
	}); err != nil {
		return Row{}, err
	}
	for range *streams - 1 { // the other agents online: their streams read every event too
		if err := streamSeen(sctx, base, a, func(string, time.Time) {}); err != nil {
			return Row{}, err
		}
	}
	var failed atomic.Int64
	run := fmt.Sprintf("r%d-%d", rate, time.Now().UnixNano())
	cpu0 := cpuTime()
	start := time.Now()
	sent := offer(rate, *duration, func(i int) {
		body := fmt.Sprintf("%s-%d", run, i)
		payload, _ := json.Marshal(apichannel.InboundRequest{MessageID: body, From: apichannel.From{ID: fmt.Sprintf("c%d", i%*conversations)}, Text: body})
		req, _ := http.NewRequest(http.MethodPost, base+"/hooks/api/"+fx.channel.ID, bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+fx.token)
		req.Header.Set("Content-Type", "application/json")
		mu.Lock()
		sentAt[body] = time.Now()
		mu.Unlock()
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusAccepted {
			failed.Add(1)
		}
		if res != nil {
			res.Body.Close()
		}
	})
	waitFor(func() bool { return len(snapshot(lat)) >= sent-int(failed.Load()) }, 30*time.Second)
	elapsed := time.Since(start)
	// Durable hand-over: every message taken in by its conversation workflow.
	var recorded int64
	// The count runs on the app's one SQLite connection, in competition
	// with the workflows it waits for: an index range on the run's ids,
	// every 100 ms (a LIKE every 20 ms scanned the channel's messages and
	// slowed the very drain it measured).
	var mostIn time.Duration // 99% taken in: tells a slow tail from a slow drain
	waitEvery(func() bool {
		db.Model(&store.Message{}).Where("channel_id = ? AND direction = 'inbound' AND external_id >= ? AND external_id < ? AND recorded_at IS NOT NULL",
			fx.channel.ID, run+"-", run+".").Count(&recorded)
		if mostIn == 0 && int(recorded)*100 >= sent*99 {
			mostIn = time.Since(start)
		}
		return int(recorded) >= sent
	}, 60*time.Second, 100*time.Millisecond)
	allIn := time.Since(start)
	cpu := cpuTime() - cpu0
	note := fmt.Sprintf("%d of %d taken in by their workflows after %.1fs (99%% after %.1fs)", recorded, sent, allIn.Seconds(), mostIn.Seconds())
	if failed.Load() > 0 {
		note += fmt.Sprintf("; %d requests failed", failed.Load())
	}
	row := lat.row("inbound HTTP -> stored -> agent stream", rate, sent, elapsed, note)
	row.Durable = float64(recorded) / allIn.Seconds()
	row.CPUPerMsg = perMessage(cpu, sent)
	return row, nil
}

// sendToAck measures an agent's send: POST until the 201 with the stored
// message's id, and on to the message's arrival at the channel's receiver.
func sendToAck(ctx context.Context, db *gorm.DB, base string, a *agent, fx fixture, rcv *receiver) ([]Row, error) {
	var convs []store.Conversation
	if err := db.Where("account_id = ? AND status = ?", fx.account.ID, store.StatusOpen).Limit(50).Find(&convs).Error; err != nil || len(convs) == 0 {
		return nil, fmt.Errorf("no open conversations to reply to: %v", err)
	}
	lat := &latencies{}
	var sentAt sync.Map // message id -> time its POST began
	const rate = 50
	start, cpu0 := time.Now(), cpuTime()
	sent := offer(rate, *duration, func(i int) {
		conv := convs[i%len(convs)]
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/conversations/"+conv.ID+"/messages", strings.NewReader(`{"body":"resposta"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", a.csrf)
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
		t := time.Now()
		res, err := a.http.Do(req)
		if err != nil {
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return
		}
		lat.add(time.Since(t))
		var msg struct {
			ID string `json:"id"`
		}
		if json.NewDecoder(res.Body).Decode(&msg) == nil {
			sentAt.Store(msg.ID, t)
		}
	})
	elapsed := time.Since(start)
	// Each send's delivery runs after the ack; its cost is counted once
	// every message is marked sent.
	waitEvery(func() bool {
		var queued int64
		db.Model(&store.Message{}).Where("account_id = ? AND direction = ? AND status = ?", fx.account.ID, store.DirectionOutbound, store.MessageQueued).Count(&queued)
		return queued == 0
	}, 60*time.Second, 100*time.Millisecond)
	allSent := time.Since(start)
	cpu := cpuTime() - cpu0
	var sentOK int64
	db.Model(&store.Message{}).Where("account_id = ? AND direction = ? AND status = ?", fx.account.ID, store.DirectionOutbound, store.MessageSent).Count(&sentOK)
	ack := lat.row("agent send -> ack (message stored)", rate, sent, elapsed, "the API channel's delivery follows, off this path; cpu counts both")
	ack.CPUPerMsg = perMessage(cpu, sent)

	delivered := &latencies{}
	sentAt.Range(func(id, t any) bool {
		if at, ok := rcv.arrived.Load(id); ok {
			delivered.add(at.(time.Time).Sub(t.(time.Time)))
		}
		return true
	})
	note := fmt.Sprintf("signed POST to the outbound URL: %d received, %d twice, %d marked sent after %.1fs", rcv.delivered.Load(), rcv.duplicates.Load(), sentOK, allSent.Seconds())
	if n := rcv.forged.Load(); n > 0 {
		note += fmt.Sprintf("; %d with a bad signature", n)
	}
	note += rcv.duplicatesNote(db)
	out := delivered.row("agent send -> delivered to the channel", rate, sent, elapsed, note)
	return []Row{ack, out}, nil
}

func print(rows []Row) {
	fmt.Printf("\n%-46s %8s %6s %6s %10s %8s %8s %8s %8s  %s\n", "scenario", "offered", "sent", "done", "msg/s", "p50 ms", "p95 ms", "p99 ms", "cpu ms", "note")
	fmt.Println(strings.Repeat("-", 139))
	base := map[int]float64{}
	for _, r := range rows {
		if strings.HasPrefix(r.Scenario, "baseline") {
			base[r.OfferedRate] = r.Throughput
		}
	}
	for _, r := range rows {
		note := r.Note
		if b := base[r.OfferedRate]; r.Durable > 0 && b > 0 {
			note = fmt.Sprintf("durable %.0f msg/s = %.2f x baseline; %s", r.Durable, r.Durable/b, note)
		}
		cpu := ""
		if r.CPUPerMsg > 0 {
			cpu = fmt.Sprintf("%.2f", r.CPUPerMsg)
		}
		fmt.Printf("%-46s %8d %6d %6d %10.1f %8.1f %8.1f %8.1f %8s  %s\n", r.Scenario, r.OfferedRate, r.Sent, r.Done, r.Throughput, r.P50, r.P95, r.P99, cpu, note)
	}
}

// ruleEvaluation measures 1,000 compiled rules evaluated against one
// message.created event, repeated.
func ruleEvaluation() (Row, error) {
	var progs []*vm.Program
	for i := range 1000 {
		p, err := rules.Compile(rules.MessageCreated, fmt.Sprintf(`conversation.unread > %d and lower(message.text) contains "produto %d" || "vip%d" in contact.tags`, i%7, i, i))
		if err != nil {
			return Row{}, err
		}
		progs = append(progs, p)
	}
	env := rules.MessageEnv{Conversation: rules.Conversation{Unread: 3}, Contact: rules.Contact{Tags: []string{"vip7"}},
		Message: rules.Message{Text: "Quero o Produto 42", Direction: "inbound"}, Clock: rules.NewClock(time.Now(), rules.Hours{})}
	lat := &latencies{}
	const events = 200
	start := time.Now()
	for range events {
		t := time.Now()
		for _, p := range progs {
			if _, err := rules.Match(p, env); err != nil {
				return Row{}, err
			}
		}
		lat.add(time.Since(t))
	}
	elapsed := time.Since(start)
	row := lat.row("rules: 1,000 conditions x one event", 0, events, elapsed, "")
	row.Note = fmt.Sprintf("%.0f rule evaluations/s; latency is per event (all 1,000 rules)", float64(events*1000)/elapsed.Seconds())
	return row, nil
}
