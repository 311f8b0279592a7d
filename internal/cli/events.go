package cli

import (
	"context"
	"fmt"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/events"
)

// emit sends evs to the sinks of o's --events and --events-url (their
// environment defaults ORDO_EVENTS and ORDO_EVENTS_URL). Without a sink it
// does nothing; a sink that fails is a warning (SPEC section 15: events
// report a release, they never fail one).
func (e *env) emit(ctx context.Context, o *options, evs ...events.CDEvent) {
	if o.emitter == nil {
		em, err := events.New(events.Config{
			File:    firstNonEmpty(o.eventsFile, e.getenv("ORDO_EVENTS")),
			URL:     firstNonEmpty(o.eventsURL, e.getenv("ORDO_EVENTS_URL")),
			RunURL:  runURL(e.getenv),
			RepoURL: repoURL(e.getenv),
			Timeout: o.eventsTimeout,
			Warn: func(msg string) {
				fmt.Fprintf(e.Err, "ordo: warning: %s\n", msg)
				e.gh.Warning("ordo: " + msg)
			},
		})
		if err != nil { // only ORDO_EVENTS_URL can be bad here: the flag was checked
			fmt.Fprintf(e.Err, "ordo: warning: no events sent: %v\n", err)
			em, _ = events.New(events.Config{})
		}
		o.emitter = em
	}
	o.emitter.Emit(ctx, evs...)
}

// repoURL is the repository's web page in CI, "" elsewhere.
func repoURL(getenv func(string) string) string {
	if r := getenv("GITHUB_REPOSITORY"); r != "" {
		return firstNonEmpty(getenv("GITHUB_SERVER_URL"), "https://github.com") + "/" + r
	}
	return getenv("CI_PROJECT_URL")
}

// artifact is what runs of service at version and sha, as events name it:
// the service's with: artifact template, else pkg:generic/<service>@<version>.
func artifact(cat *catalog.Catalog, service, version, sha string) string {
	tmpl := ""
	if s := cat.Service(service); s != nil {
		tmpl = s.With["artifact"]
	}
	return events.Artifact(tmpl, service, version, sha)
}
