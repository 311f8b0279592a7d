// Command ordo orders releases in a monorepo. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones of policy windows, also on runners without tzdata

	"github.com/ordo-ci/ordo/internal/cli"
)

func main() {
	cli.TuneGC(os.Getenv)
	// CI runners cancel a job with SIGINT, then SIGTERM, then SIGKILL
	// (GitHub, GitLab): either one stops git and API calls and ordo exits
	// with its own code and message. A second signal ends ordo at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
