// Package forge reports ordo's results where CI users look: commit statuses,
// check runs, the plan comment on a pull or merge request, and releases, on
// GitHub and GitLab.
//
// It exists so that the rest of ordo never speaks HTTP. The core computes
// plans and notes from plain values; the command line builds a Forge from the
// CI environment (FromEnv, New) and hands it those values. Everything a forge
// API makes hard lives here instead: authentication, pagination, rate limits
// and retries (one transport shared by both clients), error messages that name
// the permission a token lacks, and idempotence, so that re-running a command
// never duplicates a status, comment or release.
package forge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Platforms New accepts in Config.Platform.
const (
	GitHub = "github"
	GitLab = "gitlab"
)

// State is the outcome reported for a commit status or check run.
type State string

// The states ordo reports. They are GitHub's commit status states; GitLab and
// check runs map them onto their own vocabulary.
const (
	StatePending State = "pending"
	StateSuccess State = "success"
	StateFailure State = "failure"
	StateError   State = "error"
)

// Status is one commit status: ordo posts one per service and one aggregate.
type Status struct {
	Context     string // "ordo" or "ordo/<service>"; unique within one call
	State       State
	Description string // cut to 140 characters, GitHub's limit
	TargetURL   string
}

// CheckRun is one GitHub check run (SetCheckRuns).
type CheckRun struct {
	Name        string // unique within one call
	State       State  // pending: in progress; anything else: completed
	DetailsURL  string
	Title       string // defaults to Name
	Summary     string // Markdown, cut to GitHub's 65535 characters
	Annotations []Annotation
}

// Level is the severity of an annotation.
type Level string

// The annotation levels GitHub accepts.
const (
	LevelNotice  Level = "notice"
	LevelWarning Level = "warning"
	LevelFailure Level = "failure"
)

// Annotation marks a line of a file in a check run.
type Annotation struct {
	Path    string // repository-relative, slash-separated
	Line    int    // 1-based; 0 means the first line
	Level   Level  // defaults to warning
	Title   string
	Message string
}

// Release is a GitHub or GitLab release for an existing tag.
type Release struct {
	Tag        string
	Name       string // defaults to Tag
	Body       string // Markdown release notes
	Prerelease bool   // GitHub only: GitLab has no such flag
}

// Forge is a GitHub repository or GitLab project that ordo reports to.
// Every method is idempotent: calling it twice with the same values leaves
// the same statuses, one comment and one release, and the second call makes
// only the read requests it needs to see that nothing changed.
type Forge interface {
	// SetStatuses posts one commit status per item to commit sha, skipping
	// those whose context already has the same state, description and URL.
	SetStatuses(ctx context.Context, sha string, statuses []Status) error
	// UpsertComment keeps exactly one comment on pull/merge request pr that
	// contains marker, a hidden HTML comment, editing it in place. The
	// marker is added to body when body does not contain it.
	UpsertComment(ctx context.Context, pr int, marker, body string) error
	// UpsertRelease creates the release for r.Tag or updates it in place,
	// and returns the URL of its web page.
	UpsertRelease(ctx context.Context, r Release) (url string, err error)
	// SetCheckRuns creates or updates one check run per item on commit sha.
	// GitHub only: on GitLab it returns an exit.BadInput error wrapping
	// errors.ErrUnsupported.
	SetCheckRuns(ctx context.Context, sha string, runs []CheckRun) error
}

// Config says which forge to talk to and how.
type Config struct {
	Platform   string // GitHub or GitLab
	BaseURL    string // API root; empty means https://api.github.com or https://gitlab.com/api/v4
	Repository string // GitHub "owner/name"; GitLab project ID or "group/project" path
	Token      string
	// TokenEnv names the variable the token came from, so that errors can say
	// which one to fix without showing the token.
	TokenEnv string
	// JobToken says Token is GitLab's CI_JOB_TOKEN, which GitLab accepts for
	// the Releases API only.
	JobToken bool
	// PipelineID is GitLab's CI_PIPELINE_ID: commit statuses belong to this
	// pipeline. Without it GitLab attaches a status to the commit's newest
	// pipeline (a child pipeline, say) or makes an external pipeline that
	// becomes the merge request's head pipeline.
	PipelineID int64

	// HTTPClient's transport carries the requests; nil means http.DefaultTransport.
	HTTPClient *http.Client
	// MaxRetries is how many times one request is retried; 0 means 4, negative none.
	MaxRetries int
	// MaxWait bounds the time the Forge spends waiting between attempts,
	// summed over all its requests; 0 means 2 minutes. A wait that would
	// pass it (a Retry-After or rate limit reset too far away) is not
	// started: the last answer is returned instead.
	MaxWait time.Duration
	// RequestTimeout bounds one attempt, response body included; 0 means 30
	// seconds. A request takes at most (MaxRetries+1)·RequestTimeout plus
	// what is left of MaxWait.
	RequestTimeout time.Duration
	// CallTimeout bounds one call of the Forge (all its requests, pages and
	// waits); 0 means 10 minutes. A server that pages forever or answers
	// slowly cannot hold a CI job until the job's own timeout.
	CallTimeout time.Duration
	// Sleep waits between attempts; nil means a timer that stops when ctx
	// is done. Tests replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

const (
	defaultMaxRetries     = 4
	defaultMaxWait        = 2 * time.Minute
	defaultRequestTimeout = 30 * time.Second
	defaultCallTimeout    = 10 * time.Minute
)

// New returns the Forge that cfg describes. Its errors are exit.BadInput
// errors naming the setting to fix.
func New(cfg Config) (Forge, error) {
	if cfg.Token == "" {
		return nil, exit.BadInputf("no API token: set %s", cmp.Or(cfg.TokenEnv, "a token variable"))
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, exit.BadInputf("API base URL %q is not an http(s) URL: check GITHUB_API_URL or CI_API_V4_URL", cfg.BaseURL)
		}
	}
	hc := httpClient(cfg)
	var (
		f   Forge
		err error
	)
	switch cfg.Platform {
	case GitHub:
		f, err = newGitHub(cfg, hc)
	case GitLab:
		f, err = newGitLab(cfg, hc)
	default:
		return nil, exit.BadInputf("unknown platform %q: use %q or %q", cfg.Platform, GitHub, GitLab)
	}
	if err != nil {
		return nil, redact(err, cfg.Token)
	}
	return redacting{f: f, token: cfg.Token, timeout: cmp.Or(max(cfg.CallTimeout, 0), defaultCallTimeout)}, nil
}

// Where the API is when Config.BaseURL is empty.
const (
	defaultGitHubAPI = "https://api.github.com"
	defaultGitLabAPI = "https://gitlab.com/api/v4"
)

// redacting makes sure no error leaves the package with the token in it,
// whatever a server or library put into its message, and bounds each call
// (CallTimeout).
type redacting struct {
	f       Forge
	token   string
	timeout time.Duration
}

func (r redacting) SetStatuses(ctx context.Context, sha string, statuses []Status) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.done(ctx, r.f.SetStatuses(ctx, sha, statuses))
}

func (r redacting) UpsertComment(ctx context.Context, pr int, marker, body string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.done(ctx, r.f.UpsertComment(ctx, pr, marker, body))
}

func (r redacting) UpsertRelease(ctx context.Context, rel Release) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	u, err := r.f.UpsertRelease(ctx, rel)
	return u, r.done(ctx, err)
}

func (r redacting) SetCheckRuns(ctx context.Context, sha string, runs []CheckRun) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.done(ctx, r.f.SetCheckRuns(ctx, sha, runs))
}

// done redacts err and says so when the call ran out of time.
func (r redacting) done(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		err = &exit.Error{Code: exit.Env, Err: fmt.Errorf("%w (the call took longer than %s: %v)", err, r.timeout, ctx.Err())}
	} else if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = &exit.Error{Code: exit.Env, Err: fmt.Errorf("gave up after %s: %w", r.timeout, err)}
	}
	return redact(err, r.token)
}

// redact replaces err by a flat error without the token when its message
// contains it, keeping the exit code. The chain is dropped on purpose: any
// error in it could print the token.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), token, "[REDACTED]")
	return &exit.Error{Code: exit.Code(err), Err: errors.New(msg)}
}

// checkStatuses rejects what no forge would accept, before any request.
func checkStatuses(statuses []Status) error {
	seen := make(map[string]bool, len(statuses))
	for _, s := range statuses {
		if s.Context == "" {
			return exit.BadInputf("commit status with state %q has no context", s.State)
		}
		if err := checkState(s.State); err != nil {
			return fmt.Errorf("commit status %q: %w", s.Context, err)
		}
		// GitHub treats contexts case-insensitively.
		k := strings.ToLower(s.Context)
		if seen[k] {
			return exit.BadInputf("commit status context %q is given twice: each context takes one status", s.Context)
		}
		seen[k] = true
	}
	return nil
}

func checkState(s State) error {
	switch s {
	case StatePending, StateSuccess, StateFailure, StateError:
		return nil
	}
	return exit.BadInputf("unknown state %q: use pending, success, failure or error", s)
}

// withMarker returns body containing marker, which is made a hidden HTML
// comment if it is not one.
func withMarker(marker, body string) (string, string, error) {
	marker = strings.TrimSpace(marker)
	if marker == "" {
		return "", "", exit.BadInputf("comment marker is empty: it is how ordo finds its comment again")
	}
	if !strings.HasPrefix(marker, "<!--") {
		marker = "<!-- " + marker + " -->"
	}
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	return marker, body, nil
}

// maxUnsureWrites is how many times a create that may have been stored
// (unsure) is followed by a read and another create.
const maxUnsureWrites = 2

// unsure says whether a failed write may have been stored all the same: the
// server answered 5xx, or no answer came. The transport does not send such a
// request again itself (see retryAfter); the caller reads what is there
// first, so that a retry never makes a second comment, check run or release.
func unsure(err error) bool {
	var gh *github.ErrorResponse
	if errors.As(err, &gh) {
		return gh.Response != nil && gh.Response.StatusCode >= 500
	}
	var gl *gitlab.ErrorResponse
	if errors.As(err, &gl) {
		return gl.Response != nil && gl.Response.StatusCode >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue) && !errors.Is(err, context.Canceled)
}

// truncate cuts s to at most max characters, ending with a note that it was cut.
func truncate(s string, max int) string {
	if len(s) <= max { // bytes >= runes: the common case costs nothing
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	const note = "…"
	return string(r[:max-len([]rune(note))]) + note
}
