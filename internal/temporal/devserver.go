package temporal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// DevServerOptions configures the embedded Temporal server that `chatspot dev`
// runs in-process. The frontend listens on 127.0.0.1 only: the dev stack is
// not meant to be reachable from other machines.
type DevServerOptions struct {
	DataDir      string // the SQLite file lives here; "" keeps everything in memory
	FrontendPort int
	UIPort       int // 0 disables the Web UI
	Namespace    string
	// SearchAttributes are created with the namespace on first start and
	// registered through the operator service on every start.
	SearchAttributes map[string]enumspb.IndexedValueType
	LogLevel         string // temporal server log level; its log goes to DataDir/temporal.log
	// ReservedPorts are ports other parts of the process will listen on
	// (the HTTP server); the internal services never take them.
	ReservedPorts []int
}

// reserved lists the ports the internal services must not pick.
func (o DevServerOptions) reserved() []int {
	return append([]int{o.FrontendPort, o.UIPort}, o.ReservedPorts...)
}

// DevServer is a running embedded Temporal server and its Web UI.
type DevServer struct {
	server temporal.Server
	ui     *uiserver.Server
	opts   DevServerOptions
}

const (
	host        = "127.0.0.1"
	clusterName = "active"
)

// StartDevServer starts an embedded Temporal server with SQLite persistence.
// The database schema and the namespace are created on first start; later
// starts reuse them, so workflows survive a restart.
func StartDevServer(opts DevServerOptions) (*DevServer, error) {
	if opts.Namespace == "" {
		return nil, errors.New("temporal: namespace is required")
	}
	sqlConf, err := sqliteConfig(opts)
	if err != nil {
		return nil, err
	}
	logger, err := serverLogger(opts)
	if err != nil {
		return nil, err
	}
	httpPort, err := freePortExcept(opts.reserved())
	if err != nil {
		return nil, err
	}
	conf, err := serverConfig(opts, sqlConf, httpPort)
	if err != nil {
		return nil, err
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		// One partition per task queue: a single embedded process has one
		// worker with a few pollers, and with the default four partitions
		// tasks land in partitions nobody is polling and wait to be
		// forwarded to the root one.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// CHATSPOT's workers keep payloads in history (no external
		// storage), so sizing external payloads on every history write
		// only costs CPU (~2.5% of the process in the bench's sends).
		dynamicconfig.ExternalPayloadsEnabled.Key(): false,
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal: build server: %w", err)
	}
	ds := &DevServer{server: srv, opts: opts}
	if opts.UIPort != 0 {
		ds.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
			Host:                host,
			Port:                opts.UIPort,
			TemporalGRPCAddress: ds.FrontendAddress(),
			EnableUI:            true,
			DefaultNamespace:    opts.Namespace,
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true,
		}))
		// ui.Start blocks and exits the process on a listen error (callers
		// check the port with CheckPortFree first). It starts before the
		// server so no internal service can take its port meanwhile.
		go func() { _ = ds.ui.Start() }()
		waitListening(net.JoinHostPort(host, strconv.Itoa(opts.UIPort)), 5*time.Second)
	}
	if err := srv.Start(); err != nil {
		if ds.ui != nil {
			ds.ui.Stop()
		}
		return nil, fmt.Errorf("temporal: start server: %w", err)
	}
	return ds, nil
}

// FrontendAddress is the gRPC host:port clients connect to.
func (d *DevServer) FrontendAddress() string {
	return net.JoinHostPort(host, strconv.Itoa(d.opts.FrontendPort))
}

// UIAddress is the Web UI URL, or "" when the UI is disabled.
func (d *DevServer) UIAddress() string {
	if d.ui == nil {
		return ""
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(d.opts.UIPort))
}

// Stop stops the UI and the server.
func (d *DevServer) Stop() {
	if d.ui != nil {
		d.ui.Stop()
	}
	if err := d.server.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "temporal: stop:", err)
	}
}

func sqliteConfig(opts DevServerOptions) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	if opts.DataDir == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "chatspot-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	} else {
		if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("temporal: data directory: %w", err)
		}
		// WAL with synchronous=normal survives a killed process (not a power
		// cut), which is the durability a dev stack needs. temp_store=memory
		// keeps statement journals in 1 KiB chunks; on disk-backed temp
		// storage SQLite buffers each in a 64 KiB block, which the pure-Go
		// driver maps and unmaps per statement (seen in CPU profiles).
		conf.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000", "temp_store": "memory"}
		conf.DatabaseName = filepath.Join(opts.DataDir, "temporal.db")
		if _, err := os.Stat(conf.DatabaseName); errors.Is(err, os.ErrNotExist) {
			if err := sqliteschema.SetupSchema(conf); err != nil {
				return nil, fmt.Errorf("temporal: set up schema: %w", err)
			}
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("temporal: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("temporal: create namespace: %w", err)
	}
	return conf, nil
}

func serverLogger(opts DevServerOptions) (log.Logger, error) {
	level := opts.LogLevel
	if level == "" {
		level = "warn"
	}
	out := ""
	if opts.DataDir != "" {
		out = filepath.Join(opts.DataDir, "temporal.log")
	}
	if out == "" {
		return log.NewNoopLogger(), nil
	}
	return log.NewZapLogger(log.BuildZapLogger(log.Config{Level: level, Format: "json", OutputFile: out})), nil
}

func serverConfig(opts DevServerOptions, sqlConf *config.SQL, httpPort int) (*config.Config, error) {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	frontend := net.JoinHostPort(host, strconv.Itoa(opts.FrontendPort))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             frontend,
			HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
			ClusterID:              "chatspot-dev",
		}},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = host
		if name == "frontend" {
			svc.RPC.GRPCPort = opts.FrontendPort
			svc.RPC.HTTPPort = httpPort
		} else {
			port, err := freePortExcept(append(opts.reserved(), httpPort))
			if err != nil {
				return nil, err
			}
			svc.RPC.GRPCPort = port
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return &conf, nil
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitListening waits until something accepts connections on addr.
func waitListening(addr string, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePortExcept is FreePort avoiding ports promised to someone else: the
// kernel may hand out a port another component is about to bind.
func freePortExcept(avoid []int) (int, error) {
	for range 20 {
		p, err := FreePort()
		if err != nil {
			return 0, err
		}
		if !slices.Contains(avoid, p) {
			return p, nil
		}
	}
	return 0, errors.New("find a free port: the kernel keeps offering reserved ones")
}

// CheckPortFree reports whether addr can be listened on right now.
func CheckPortFree(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}
