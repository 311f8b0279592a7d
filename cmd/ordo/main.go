// Command ordo orders releases in a monorepo. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	_ "time/tzdata" // time zones of policy windows, also on runners without tzdata

	"github.com/ordo-ci/ordo/internal/cli"
)

func main() {
	cli.TuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
