// Package temporal connects CHATSPOT to Temporal: client options for an
// external cluster, the embedded dev server, and namespace set-up.
package temporal

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

// ClientOptions loads the standard Temporal client configuration
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
// TEMPORAL_CONFIG_FILE profiles) and lets explicit flags override it.
func ClientOptions(address, namespace string, logger *slog.Logger) (client.Options, error) {
	opts, err := envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{})
	if err != nil {
		return client.Options{}, fmt.Errorf("temporal: client configuration: %w", err)
	}
	if address != "" {
		opts.HostPort = address
	}
	if namespace != "" {
		opts.Namespace = namespace
	}
	opts.Logger = sdkLogger(logger)
	return opts, nil
}

// LocalClientOptions are the options for the embedded dev server, which
// takes no TLS or API key whatever the environment says.
func LocalClientOptions(address, namespace string, logger *slog.Logger) client.Options {
	return client.Options{HostPort: address, Namespace: namespace, Logger: sdkLogger(logger)}
}

func sdkLogger(logger *slog.Logger) sdklog.Logger {
	return sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk"))
}

// Dial connects and checks the server answers, so a wrong address fails at
// start with one clear line instead of on the first workflow.
func Dial(ctx context.Context, opts client.Options) (client.Client, error) {
	if opts.ConnectionOptions.GrpcCompression == nil && isLoopback(opts.HostPort) {
		// Compressing bytes that never leave the machine only costs CPU:
		// gzip was ~6% of the process's CPU in the bench's send phase.
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("temporal: cannot connect to %s (namespace %s): %v", opts.HostPort, opts.Namespace, err)
	}
	return c, nil
}

// isLoopback tells whether a host:port names this machine.
func isLoopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// EnsureSearchAttributes registers the custom search attributes that the
// namespace lacks. The dev server creates them with a new namespace; this
// covers namespaces created before an attribute was added, and clusters.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, attrs map[string]enumspb.IndexedValueType) error {
	op := c.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("temporal: list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range attrs {
		if _, ok := have.CustomAttributes[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if _, exists := err.(*serviceerror.AlreadyExists); err != nil && !exists {
		return fmt.Errorf("temporal: add search attributes: %w", err)
	}
	return nil
}
