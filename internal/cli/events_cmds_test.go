package cli

import (
	"github.com/ordo-ci/ordo/internal/events/eventstest"
	"github.com/rogpeppe/go-internal/testscript"
)

// eventsCmds are the script commands for events: `events-valid FILE`
// checks every line of an events file against the CDEvents schemas, so
// that the scripts' events are validated like the Go tests'.
func eventsCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"events-valid": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: events-valid FILE")
			}
			n, err := eventstest.CheckFile(ts.MkAbs(args[0]))
			if neg {
				if err == nil {
					ts.Fatalf("%s: %d events, all valid", args[0], n)
				}
				return
			}
			ts.Check(err)
			ts.Logf("%s: %d valid events", args[0], n)
		},
	}
}
