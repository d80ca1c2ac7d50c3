// Command chatspot is CHATSPOT's one binary; see internal/cli for its
// commands (dev, serve, worker, migrate, config, version).
package main

import (
	"os"

	"github.com/chatspot/chatspot/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
