// Package cli is the chatspot command line: one binary with these commands:
//
//	chatspot dev      everything in one process: embedded Temporal + Web UI, SQLite, worker, HTTP
//	chatspot serve    the HTTP server (API, webhooks, UI) against PostgreSQL and a Temporal cluster
//	chatspot worker   the Temporal worker against PostgreSQL and a Temporal cluster
//	chatspot migrate  apply database migrations and exit
//	chatspot config   print the settings table
//	chatspot version  print the version
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatspot/chatspot/internal/config"
)

var usage = `usage: chatspot <command> [flags]

commands:
  dev       run everything in one process with embedded Temporal and SQLite
  serve     run the HTTP server (API, webhooks, UI) for production
  worker    run the Temporal worker for production
  migrate   apply database migrations and exit
  config    print every setting with its flag, environment variable and default
  version   print the version

Settings come from flags or environment variables; run "chatspot config".
`

// Run executes the command in args (without the program name) and returns
// the process exit code: 0 on success, 1 when the command failed, 2 for a
// usage or configuration error.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "config":
		config.Table(stdout)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	commands := map[string]func(context.Context, *config.Config, io.Writer) error{
		"dev": runDev, "serve": runServe, "worker": runWorker, "migrate": runMigrate,
	}
	fn, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "chatspot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	cfg, err := config.Load(cmd, rest, config.OSEnv)
	if errors.Is(err, flag.ErrHelp) {
		config.Table(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "chatspot:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fn(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "chatspot:", err)
		return 1
	}
	return 0
}
