package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Reader reads what a pull request and a branch say about a commit: the
// labels a gate override may come from, and the status checks that branch
// rules require. GitHub only; AsReader finds it behind a Forge.
type Reader interface {
	// Labels returns the pull request's labels as they are now: an event's
	// payload is a snapshot (re-runs replay it, merge_group has none).
	Labels(ctx context.Context, pr int) ([]string, error)
	// CommitPullRequests returns the open and merged pull requests that
	// contain commit sha.
	CommitPullRequests(ctx context.Context, sha string) ([]int, error)
	// RequiredChecks returns the status check contexts that branch rules
	// (rulesets) and classic branch protection require on branch.
	RequiredChecks(ctx context.Context, branch string) ([]string, error)
}

// AsReader returns f's Reader, when its forge has one.
func AsReader(f Forge) (Reader, bool) {
	if r, ok := f.(redacting); ok {
		_, ok := r.f.(Reader)
		return r, ok
	}
	r, ok := f.(Reader)
	return r, ok
}

func (r redacting) Labels(ctx context.Context, pr int) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	labels, err := r.f.(Reader).Labels(ctx, pr)
	return labels, redact(err, r.token)
}

func (r redacting) CommitPullRequests(ctx context.Context, sha string) ([]int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	prs, err := r.f.(Reader).CommitPullRequests(ctx, sha)
	return prs, redact(err, r.token)
}

func (r redacting) RequiredChecks(ctx context.Context, branch string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	checks, err := r.f.(Reader).RequiredChecks(ctx, branch)
	return checks, redact(err, r.token)
}

const permRead = "contents: read"

// Labels lists the labels of issue (pull request) pr.
// https://docs.github.com/en/rest/issues/labels#list-labels-for-an-issue
func (g *gitHub) Labels(ctx context.Context, pr int) ([]string, error) {
	if pr <= 0 {
		return nil, exit.BadInputf("pull request number %d is not valid", pr)
	}
	where := fmt.Sprintf("pull request #%d", pr)
	var names []string
	opt := &github.ListOptions{PerPage: 100}
	for {
		labels, resp, err := g.c.Issues.ListLabelsByIssue(ctx, g.owner, g.repo, pr, opt)
		if err != nil {
			return nil, g.fail(err, "read the labels of "+where, "pull-requests: read", where)
		}
		for _, l := range labels {
			names = append(names, l.GetName())
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	slices.Sort(names)
	return names, nil
}

// CommitPullRequests lists the pull requests associated with a commit.
// https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit
func (g *gitHub) CommitPullRequests(ctx context.Context, sha string) ([]int, error) {
	var prs []int
	opt := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := g.c.PullRequests.ListPullRequestsWithCommit(ctx, g.owner, g.repo, sha, opt)
		if err != nil {
			return nil, g.fail(err, "read the pull requests of commit "+sha, "pull-requests: read", "commit")
		}
		for _, pr := range list {
			prs = append(prs, pr.GetNumber())
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	slices.Sort(prs)
	return slices.Compact(prs), nil
}

// RequiredChecks reads the required status checks of branch from the rules
// that apply to it (rulesets) and from its classic branch protection, as
// the branch shows it to any reader (the protection endpoint itself needs
// admin rights, which GITHUB_TOKEN never has).
//
// https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch
// https://docs.github.com/en/rest/branches/branches#get-a-branch
func (g *gitHub) RequiredChecks(ctx context.Context, branch string) ([]string, error) {
	if branch == "" {
		return nil, exit.BadInputf("no branch to read the rules of")
	}
	var contexts []string
	for page := 1; page > 0; {
		u := fmt.Sprintf("repos/%s/%s/rules/branches/%s?per_page=100&page=%d", url.PathEscape(g.owner), url.PathEscape(g.repo), url.PathEscape(branch), page)
		req, err := g.c.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, envError(err, "github: read the rules of branch %q: %v", branch, err)
		}
		var rules []struct {
			Type       string          `json:"type"`
			Parameters json.RawMessage `json:"parameters"`
		}
		resp, err := g.c.Do(ctx, req, &rules)
		if err != nil {
			return nil, g.fail(err, fmt.Sprintf("read the rules of branch %q", branch), permRead, "branch "+branch)
		}
		for _, r := range rules {
			if r.Type != "required_status_checks" {
				continue
			}
			var p struct {
				Checks []struct {
					Context string `json:"context"`
				} `json:"required_status_checks"`
			}
			if err := json.Unmarshal(r.Parameters, &p); err != nil {
				return nil, envError(err, "github: the rules of branch %q: %v", branch, err)
			}
			for _, c := range p.Checks {
				contexts = append(contexts, c.Context)
			}
		}
		page = resp.NextPage
	}
	b, _, err := g.c.Repositories.GetBranch(ctx, g.owner, g.repo, branch, 0)
	var er *github.ErrorResponse
	switch {
	case err == nil:
		if rsc := b.GetProtection().GetRequiredStatusChecks(); rsc != nil {
			if rsc.Contexts != nil {
				contexts = append(contexts, *rsc.Contexts...)
			}
			if rsc.Checks != nil {
				for _, c := range *rsc.Checks {
					contexts = append(contexts, c.Context)
				}
			}
		}
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound:
		// A branch that does not exist yet has no classic protection.
	default:
		return nil, g.fail(err, fmt.Sprintf("read branch %q", branch), permRead, "branch "+branch)
	}
	slices.Sort(contexts)
	return slices.Compact(contexts), nil
}

// GitHub's secondary rate limits allow about 80 content-creating requests a
// minute (statuses, check runs, comments): past a burst, ordo spaces its
// writes so that hundreds of services do not trip them.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
const (
	writeBurst    = 20
	writeInterval = time.Minute / 80
)

// WriteTime is how long posting n statuses or check runs takes at most,
// paced as SetStatuses and SetCheckRuns pace them.
func WriteTime(n int) time.Duration {
	if n <= writeBurst {
		return 0
	}
	return time.Duration(n-writeBurst) * writeInterval
}

// pace waits before a write once the burst is spent (see WriteTime).
func (g *gitHub) pace(ctx context.Context) error {
	g.writes++
	if g.writes <= writeBurst {
		return nil
	}
	return g.sleep(ctx, writeInterval)
}
