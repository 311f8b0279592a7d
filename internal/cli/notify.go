package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/notify"
)

// notifyCmd is `ordo notify`: any ordo document as a Slack or Teams message.
type notifyCmd struct {
	slackVar, teamsVar string
	from               string
	dryRun             bool
}

func (c *notifyCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.slackVar, "slack-webhook-env", "", "post to the Slack incoming webhook whose URL is in environment variable `NAME`")
	fs.StringVar(&c.teamsVar, "teams-webhook-env", "", "post to the Teams Workflows webhook whose URL is in environment variable `NAME`")
	fs.StringVar(&c.from, "from", "", "the ordo JSON document to send (`file`, - for stdin): plan, verify, rollback, drill or report")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the message's JSON payload instead of posting it (the variable need not be set)")
}

func (c *notifyCmd) run(ctx context.Context, e *env) error {
	if (c.slackVar == "") == (c.teamsVar == "") {
		return exit.BadInputf("notify: name one webhook variable: --slack-webhook-env NAME or --teams-webhook-env NAME")
	}
	if c.from == "" {
		return exit.BadInputf("notify: --from FILE is required: the JSON output of an ordo command (plan, verify, rollback, drill, report)")
	}
	wh := notify.Webhook{Platform: notify.SlackPlatform, Var: c.slackVar}
	if c.teamsVar != "" {
		wh.Platform, wh.Var = notify.TeamsPlatform, c.teamsVar
	}
	wh.URL = e.getenv(wh.Var)
	if !c.dryRun {
		// The URL is checked before the document, so that a missing secret
		// is reported first, as the thing to fix.
		warning, err := notify.CheckURL(wh.Var, wh.URL)
		if err != nil {
			return err
		}
		if warning != "" {
			fmt.Fprintf(e.Err, "ordo: warning: %s\n", warning)
			e.gh.Warning(warning)
		}
	}
	data, err := readInput(e, c.from)
	if err != nil {
		return err
	}
	msg, err := notify.Decode(c.from, data)
	if err != nil {
		return err
	}
	payload, err := notify.Payload(wh.Platform, msg)
	if err != nil {
		return exit.Envf("notify: %w", err)
	}
	if c.dryRun {
		var out bytes.Buffer
		if err := json.Indent(&out, payload, "", "  "); err != nil {
			return exit.Envf("notify: %w", err)
		}
		out.WriteByte('\n')
		_, err := e.Out.Write(out.Bytes())
		return err
	}
	wh.Client = forge.RetryingClient(forge.Config{})
	if err := wh.Post(ctx, payload); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "ordo: posted %q to the %s webhook in %s\n", msg.Title, wh.Platform, wh.Var)
	return nil
}

// readInput reads file, or stdin for "-".
func readInput(e *env, file string) ([]byte, error) {
	if file == "-" {
		b, err := io.ReadAll(e.In)
		if err != nil {
			return nil, exit.Envf("read stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, exit.BadInputf("%s does not exist: pass the JSON output of an ordo command", file)
	}
	if err != nil {
		return nil, exit.Envf("read %s: %w", file, err)
	}
	return b, nil
}
