// Package record is what runs where: per (environment, service), an
// append-only list of entries that deploy jobs, verification and rollbacks
// write (SPEC section 12). Everything in Part 2 that needs to know what is
// deployed — plan --env, the env.* gate rules, verify, rollback, drills,
// flags, the board — reads it through this package.
//
// The API, for the packages built on it:
//
//   - Entry is one line of the record; Entry.Validate checks a phase and
//     state pair, the names and the sha before anything is written.
//   - Store is the one interface every store implements: Append one entry,
//     Read one environment (its entries per service, in written order).
//     NewFile opens the JSON-lines file store (--record FILE); NewGit the git
//     store (refs/ordo/record/<env>/<service>).
//   - Running, Last, VerifiedAt and Verifications are pure functions over one
//     service's entries. "Newest" is always the last written: an entry's Time
//     is for display, soak and holds, never for ordering, because CI clocks
//     disagree and parallel jobs finish in any order.
//   - NewRelease makes a release id; ParseEntry and ValidSHA check input
//     from elsewhere (a plan file, a flag).
//
// Errors carry exit codes (internal/exit): an invalid entry is bad input
// (2); a store that cannot be read, parsed or written is the environment
// (3), with file:line (or ref:record.jsonl:line) for a bad line.
package record

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// Phases.
const (
	PhaseDeploy   = "deploy"
	PhaseVerify   = "verify"
	PhaseRollback = "rollback"
)

// States. Which ones a phase allows is in states.
const (
	StateInProgress = "in_progress"
	StateSuccess    = "success"
	StateFailure    = "failure"
	StateVerified   = "verified"
	// StateRolledBack names the sha a rollback undid; the rollback's
	// StateSuccess entry then names the target that runs.
	StateRolledBack = "rolled_back"
)

// states lists the states of each phase, in the order SPEC section 12 gives them.
var states = map[string][]string{
	PhaseDeploy:   {StateInProgress, StateSuccess, StateFailure},
	PhaseVerify:   {StateVerified, StateFailure},
	PhaseRollback: {StateRolledBack, StateSuccess},
}

// Phases returns the phases in SPEC order.
func Phases() []string { return []string{PhaseDeploy, PhaseVerify, PhaseRollback} }

// States returns the states phase allows, nil for an unknown phase.
func States(phase string) []string { return states[phase] }

// Entry is one line of the record. Its JSON field names are public interface
// (SPEC section 12).
type Entry struct {
	Env     string `json:"env"`
	Service string `json:"service"`
	Phase   string `json:"phase"`
	State   string `json:"state"`
	// SHA is the full 40-hex commit the entry is about.
	SHA     string `json:"sha"`
	Version string `json:"version"`
	// Release is the id of the release (plan --env) that wrote it; "" when
	// the entry was written outside a release.
	Release string `json:"release"`
	// Wave is the plan's wave; nil outside a wave.
	Wave *int `json:"wave"`
	// Time is when the entry was written (RFC 3339 with nanoseconds).
	Time time.Time `json:"time"`
	// URL is the CI run that wrote it.
	URL string `json:"url"`
}

// nameRE is the catalog's name syntax. Names become ref path components in
// the git store, so they are checked here too, and a name git would refuse
// in a ref (".." inside, ".lock" or "." at the end) is refused as well.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func validName(s string) bool {
	return nameRE.MatchString(s) && !strings.Contains(s, "..") &&
		!strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ".lock")
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ValidSHA reports whether s is a full commit sha as the record keeps them:
// 40 lowercase hex digits.
func ValidSHA(s string) bool { return shaRE.MatchString(s) }

// Validate reports the first problem with e as a bad-input error: an
// environment or service that is not a valid name, an unknown phase, a state
// the phase does not have, a sha that is not 40 lowercase hex digits, a
// negative wave or no time.
func (e Entry) Validate() error {
	if !validName(e.Env) {
		return exit.BadInputf("record: environment %q is not a valid name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", e.Env)
	}
	if !validName(e.Service) {
		return exit.BadInputf("record: service %q is not a valid name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", e.Service)
	}
	allowed, ok := states[e.Phase]
	if !ok {
		return exit.BadInputf("record: unknown phase %q: use %s", e.Phase, strings.Join(Phases(), ", "))
	}
	if !slices.Contains(allowed, e.State) {
		return exit.BadInputf("record: phase %s has no state %q: use %s", e.Phase, e.State, strings.Join(allowed, ", "))
	}
	if !shaRE.MatchString(e.SHA) {
		return exit.BadInputf("record: sha %q is not a full commit sha (40 lowercase hex digits)", e.SHA)
	}
	if e.Wave != nil && *e.Wave < 0 {
		return exit.BadInputf("record: wave %d is negative", *e.Wave)
	}
	if e.Time.IsZero() {
		return exit.BadInputf("record: entry for %s in %s has no time", e.Service, e.Env)
	}
	if strings.ContainsAny(e.Version+e.Release+e.URL, "\n\r") {
		return exit.BadInputf("record: version, release and url must be single-line")
	}
	return nil
}

// Store is where the record lives. Implementations: the JSON-lines file
// (NewFile) and the git refs (NewGit). Both keep every entry as written;
// neither rewrites or drops one.
type Store interface {
	// Append validates e and adds it after the newest entry of its
	// (environment, service). Concurrent appends, from this process or
	// others, all land.
	Append(ctx context.Context, e Entry) error
	// Read returns environment env: each service's entries, oldest first
	// (the last one is the newest). A service with no entry is absent; an
	// environment with none is an empty map, not an error.
	Read(ctx context.Context, env string) (map[string][]Entry, error)
}

// Summary is a one-line description of e, for progress messages.
func (e Entry) Summary() string {
	s := fmt.Sprintf("%s %s %s/%s at %s", e.Env, e.Service, e.Phase, e.State, git.Short(e.SHA))
	if e.Version != "" {
		s += " (" + e.Version + ")"
	}
	return s
}

func exitEnv(err error) error { return &exit.Error{Code: exit.Env, Err: err} }

// NewRelease returns a new release id for env: the environment, the time
// (UTC, to the second) and random hex, so that ids sort by time within an
// environment and two plans in the same second still differ. Ids are plain
// [a-z0-9TZ-] text, safe in file names, URLs and event ids.
func NewRelease(env string, now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%s-%x", env, now.UTC().Format("20060102T150405Z"), b)
}
