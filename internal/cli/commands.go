package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/chatspot/chatspot/api"
	"github.com/chatspot/chatspot/internal/ai"
	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/billing"
	"github.com/chatspot/chatspot/internal/billing/mercadopago"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/kinds"
	"github.com/chatspot/chatspot/internal/config"
	"github.com/chatspot/chatspot/internal/demo"
	"github.com/chatspot/chatspot/internal/events"
	"github.com/chatspot/chatspot/internal/inbox"
	"github.com/chatspot/chatspot/internal/metrics"
	"github.com/chatspot/chatspot/internal/secrets"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/temporal"
	"github.com/chatspot/chatspot/web"
	"github.com/chatspot/chatspot/worker"
	"github.com/chatspot/chatspot/workflows"
)

// version is set at build time with
// -ldflags "-X github.com/chatspot/chatspot/internal/cli.version=...".
var version = "dev"

func versionString() string {
	deps := map[string]string{}
	goVersion := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		for _, d := range info.Deps {
			deps[d.Path] = d.Version
		}
	}
	return fmt.Sprintf("chatspot %s (temporal server %s, sdk %s, %s)", version,
		deps["go.temporal.io/server"], deps["go.temporal.io/sdk"], goVersion)
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config.Load
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// runDev starts the whole stack in one process.
func runDev(ctx context.Context, cfg *config.Config, out io.Writer) error {
	log := newLogger(cfg)
	// The Temporal UI server exits the process when its port is taken, so
	// every port is checked before anything starts.
	ports := []struct{ addr, setting string }{
		{cfg.HTTPAddr, "--http-addr / CHATSPOT_HTTP_ADDR"},
		{net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.TemporalPort)), "--temporal-port / CHATSPOT_TEMPORAL_PORT"},
	}
	if cfg.UIPort != 0 {
		ports = append(ports, struct{ addr, setting string }{net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.UIPort)), "--ui-port / CHATSPOT_TEMPORAL_UI_PORT"})
	}
	for _, p := range ports {
		if err := temporal.CheckPortFree(ctx, p.addr); err != nil {
			return fmt.Errorf("port %s is already in use; choose another with %s", p.addr, p.setting)
		}
	}
	db, err := openAndMigrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close(db)

	fmt.Fprintln(out, "Starting the embedded Temporal server (data in "+cfg.DataDir+") ...")
	var reserved []int
	if _, p, err := net.SplitHostPort(cfg.HTTPAddr); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			reserved = append(reserved, n)
		}
	}
	ts, err := temporal.StartDevServer(temporal.DevServerOptions{
		DataDir: cfg.DataDir, FrontendPort: cfg.TemporalPort, UIPort: cfg.UIPort,
		Namespace: cfg.Namespace, SearchAttributes: workflows.SearchAttributes(), ReservedPorts: reserved,
	})
	if err != nil {
		return err
	}
	defer ts.Stop()
	tc, err := temporal.Dial(ctx, temporal.LocalClientOptions(ts.FrontendAddress(), cfg.Namespace, log))
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := temporal.EnsureSearchAttributes(ctx, tc, cfg.Namespace, workflows.SearchAttributes()); err != nil {
		return err
	}
	creds, err := demo.Ensure(ctx, db)
	if err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	webchatID, err := demo.WebchatChannel(ctx, db)
	if err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	if cfg.SecretKey == "" {
		if cfg.SecretKey, err = devSecret(cfg.DataDir); err != nil {
			return err
		}
	}

	bus := &events.MemoryBus{} // one process: the worker wakes the streams directly
	assistant, err := newAssistant(ctx, cfg)
	if err != nil {
		return err
	}
	current, previous := cfg.SecretKeys()
	box, err := secrets.New(current, previous...)
	if err != nil {
		return err
	}
	w := worker.New(tc, worker.Deps{DB: db, Bus: bus, AI: assistant, AICap: cfg.AI.MonthlyCap, Secrets: box, AllowPrivateURLs: cfg.PrivateURLs("dev"), EventRetention: cfg.EventRetention,
		Channels: channelKinds(cfg, db, cfg.PrivateURLs("dev")), PublicURL: channels.PublicURL(cfg.BaseURL), Pix: pixProvider(cfg)},
		sdkworker.Options{WorkerStopTimeout: cfg.ShutdownGrace})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if err := worker.EnsureSchedules(ctx, tc, workflows.TaskQueue); err != nil {
		// Housekeeping only: conversations are served without it.
		log.Warn("could not create the housekeeping schedules; the event log is not pruned", "error", err)
	}
	defer w.Stop()
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	go (&worker.Relay{DB: db, Temporal: tc, TaskQueue: workflows.TaskQueue, Logger: log}).Run(relayCtx)
	srv, errc := startHTTP(cfg, db, tc, bus, log, ts.UIAddress(), webchatID, cfg.PrivateURLs("dev"))
	defer startMetrics(cfg, db, log)()

	printWelcome(out, cfg, ts.UIAddress(), creds, webchatID != "")
	return waitAndShutdown(ctx, cfg, srv, errc)
}

// runServe runs the HTTP server against PostgreSQL and a Temporal cluster.
func runServe(ctx context.Context, cfg *config.Config, out io.Writer) error {
	if cfg.DatabaseURL == "" {
		return config.Missing("database-url")
	}
	if cfg.SecretKey == "" {
		return config.Missing("secret-key")
	}
	log := newLogger(cfg)
	db, tc, err := connectProduction(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close(db)
	defer tc.Close()
	bus := events.NewPGBus(ctx, cfg.DatabaseURL, log)
	srv, errc := startHTTP(cfg, db, tc, bus, log, cfg.TemporalUIURL, "", cfg.PrivateURLs("serve"))
	defer startMetrics(cfg, db, log)()
	fmt.Fprintf(out, "CHATSPOT serving on %s (%s)\n", cfg.HTTPAddr, cfg.BaseURL)
	return waitAndShutdown(ctx, cfg, srv, errc)
}

// runWorker runs the Temporal worker against PostgreSQL and a cluster.
func runWorker(ctx context.Context, cfg *config.Config, out io.Writer) error {
	if cfg.DatabaseURL == "" {
		return config.Missing("database-url")
	}
	if cfg.SecretKey == "" {
		return config.Missing("secret-key") // it opens the credentials the worker sends with
	}
	current, previous := cfg.SecretKeys()
	box, err := secrets.New(current, previous...)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	db, tc, err := connectProduction(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close(db)
	defer tc.Close()
	if err := temporal.EnsureSearchAttributes(ctx, tc, cfg.Namespace, workflows.SearchAttributes()); err != nil {
		return err
	}
	bus := events.NewPGBus(ctx, cfg.DatabaseURL, log) // serve processes stream what this worker writes
	assistant, err := newAssistant(ctx, cfg)
	if err != nil {
		return err
	}
	w := worker.New(tc, worker.Deps{DB: db, Bus: bus, AI: assistant, AICap: cfg.AI.MonthlyCap, Secrets: box, AllowPrivateURLs: cfg.PrivateURLs("worker"), EventRetention: cfg.EventRetention,
		Channels: channelKinds(cfg, db, cfg.PrivateURLs("worker")), PublicURL: channels.PublicURL(cfg.BaseURL), Pix: pixProvider(cfg)},
		sdkworker.Options{WorkerStopTimeout: cfg.ShutdownGrace})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer startMetrics(cfg, db, log)()
	if err := worker.EnsureSchedules(ctx, tc, workflows.TaskQueue); err != nil {
		// Housekeeping only: conversations are served without it.
		log.Warn("could not create the housekeeping schedules; the event log is not pruned", "error", err)
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	go (&worker.Relay{DB: db, Temporal: tc, TaskQueue: workflows.TaskQueue, Logger: log}).Run(relayCtx)
	fmt.Fprintf(out, "CHATSPOT worker polling task queue %q\n", workflows.TaskQueue)
	<-ctx.Done()
	fmt.Fprintln(out, "Stopping the worker ...")
	w.Stop()
	return nil
}

// runMigrate applies migrations to DATABASE_URL, or to the dev SQLite file
// when it is empty.
func runMigrate(ctx context.Context, cfg *config.Config, out io.Writer) error {
	db, err := openAndMigrate(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	store.Close(db)
	fmt.Fprintln(out, "Database is up to date.")
	return nil
}

func openAndMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger) (*gorm.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	store.SetPoolSize(db, cfg.DBMaxConns)
	applied, err := store.Migrate(ctx, db)
	if err != nil {
		store.Close(db)
		return nil, fmt.Errorf("database: %w", err)
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied)
	}
	return db, nil
}

func connectProduction(ctx context.Context, cfg *config.Config, log *slog.Logger) (*gorm.DB, client.Client, error) {
	db, err := openAndMigrate(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	opts, err := temporal.ClientOptions(cfg.TemporalAddr, cfg.Namespace, log)
	if err != nil {
		store.Close(db)
		return nil, nil, err
	}
	tc, err := temporal.Dial(ctx, opts)
	if err != nil {
		store.Close(db)
		return nil, nil, err
	}
	return db, tc, nil
}

func startHTTP(cfg *config.Config, db *gorm.DB, tc client.Client, bus events.Bus, log *slog.Logger, temporalUI, demoWebchat string, privateURLs bool) (*http.Server, <-chan error) {
	key, previous := cfg.SecretKeys()
	s := &api.Server{AllowPrivateURLs: privateURLs,
		DB: db, Temporal: tc, Inbox: &inbox.Inbox{DB: db, Temporal: tc, Bus: bus, Logger: log}, Bus: bus, Logger: log, UI: web.Assets(),
		Channels: channelKinds(cfg, nil, privateURLs),
		Sessions: &auth.Sessions{DB: db, Policy: auth.Policy{IdleTimeout: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge, MaxFailures: 5, LockFor: 15 * time.Minute}},
		BaseURL:  cfg.BaseURL, Namespace: cfg.Namespace, TemporalUIURL: temporalUI,
		SecretKey: key, PreviousSecretKeys: previous, Widget: web.Widget(), DemoWebchatID: demoWebchat,
		TemplateRates: cfg.TemplateRates, Pix: pixProvider(cfg),
	}
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	n, err := s.SealStoredCredentials(sctx)
	if n > 0 {
		log.Info("sealed stored credentials under the current secret key", "count", n)
	}
	if err != nil {
		log.Error("stored credentials that could not be sealed under the current secret key", "err", err)
	}
	cancel()
	errc := make(chan error, 1)
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http server on %s: %w (change it with --http-addr / CHATSPOT_HTTP_ADDR)", cfg.HTTPAddr, err)
		}
		close(errc)
	}()
	return srv, errc
}

// channelKinds is the registry of channel kinds with the installation's
// provider URLs.
func channelKinds(cfg *config.Config, db *gorm.DB, allowPrivateURLs bool) *channels.Registry {
	return kinds.Registry(kinds.Config{AllowPrivateURLs: allowPrivateURLs, TelegramAPIURL: cfg.TelegramAPIURL,
		MetaGraphURL: cfg.MetaGraphURL, MetaGraphVersion: cfg.MetaGraphVersion,
		InstagramGraphURL: cfg.InstagramGraphURL, InstagramAPIURL: cfg.InstagramAPIURL, DB: db,
		GoogleAuthURL: cfg.GoogleAuthURL, GoogleTokenURL: cfg.GoogleTokenURL, MicrosoftLoginURL: cfg.MicrosoftLoginURL,
		MercadoLivreAPIURL: cfg.MercadoLivreAPIURL, MercadoLivreAuthURL: cfg.MercadoLivreAuthURL,
		OLXAuthURL: cfg.OLXAuthURL, OLXAPIURL: cfg.OLXAPIURL,
		ZenviaAPIURL: cfg.ZenviaAPIURL, TwilioAPIURL: cfg.TwilioAPIURL, SMSSegmentCents: cfg.SMSSegmentCents})
}

// startMetrics serves Prometheus metrics on --metrics-addr when set.
func startMetrics(cfg *config.Config, db *gorm.DB, log *slog.Logger) func() {
	return metrics.Serve(cfg.MetricsAddr, db, log)
}

// pixProvider is CHATSPOT's Mercado Pago account, nil when the operator
// configured none (recharges are then off).
func pixProvider(cfg *config.Config) billing.PixProvider {
	if cfg.MercadoPago.AccessToken == "" {
		return nil
	}
	return &mercadopago.Client{APIURL: cfg.MercadoPago.APIURL, AccessToken: cfg.MercadoPago.AccessToken,
		WebhookSecret: cfg.MercadoPago.WebhookSecret, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// waitAndShutdown blocks until a signal or a server error, then gives
// in-flight requests the grace period to finish. Deferred calls in the
// caller stop the worker and Temporal afterwards.
func waitAndShutdown(ctx context.Context, cfg *config.Config, srv *http.Server, errc <-chan error) error {
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(os.Stderr, "Shutting down ...")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	return srv.Shutdown(sctx)
}

func printWelcome(out io.Writer, cfg *config.Config, temporalUI string, creds *demo.Credentials, demoPage bool) {
	var b strings.Builder
	b.WriteString("\nCHATSPOT is running.\n")
	fmt.Fprintf(&b, "  App:          %s\n", cfg.BaseURL)
	if demoPage {
		fmt.Fprintf(&b, "  Webchat demo: %s/demo\n", cfg.BaseURL)
	}
	if temporalUI != "" {
		fmt.Fprintf(&b, "  Temporal UI:  %s/namespaces/%s/workflows\n", temporalUI, cfg.Namespace)
	}
	if creds != nil {
		b.WriteString("\nA demo account was created. These credentials are shown only this once:\n")
		fmt.Fprintf(&b, "  Admin login:        %s\n", creds.AdminEmail)
		fmt.Fprintf(&b, "  Admin password:     %s\n", creds.AdminPassword)
		fmt.Fprintf(&b, "  API channel id:     %s\n", creds.APIChannelID)
		fmt.Fprintf(&b, "  API channel token:  %s\n", creds.APIToken)
		fmt.Fprintf(&b, "\nSend a customer message through the API channel:\n")
		fmt.Fprintf(&b, "  curl -X POST %s/hooks/api/%s -H 'Authorization: Bearer %s' \\\n", cfg.BaseURL, creds.APIChannelID, creds.APIToken)
		b.WriteString(`    -H 'Content-Type: application/json' -d '{"message_id":"m1","from":{"id":"5511999990000","name":"Maria"},"text":"Olá!"}'` + "\n")
	} else {
		fmt.Fprintf(&b, "  Admin login:  %s (its password was printed on the first start)\n", demo.AdminEmail)
	}
	b.WriteString("\nPress Ctrl-C to stop.\n")
	fmt.Fprint(out, b.String())
}

// devSecret reads the dev stack's secret key from the data directory,
// creating it on first start, so visitor tokens survive a restart.
func devSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	key := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	return key, nil
}

// newAssistant is AI Assist as the settings configure it.
func newAssistant(ctx context.Context, cfg *config.Config) (*ai.Assistant, error) {
	return ai.New(ctx, ai.Config{APIKey: cfg.AI.APIKey, Model: cfg.AI.Model, BaseURL: cfg.AI.BaseURL, Redact: cfg.AI.Redact})
}
