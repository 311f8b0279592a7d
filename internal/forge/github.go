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

	"github.com/ordo-ci/ordo/internal/exit"
)

// GitHub's size limits, past which it answers 422.
const (
	ghDescriptionMax = 140    // commit status description
	ghCommentMax     = 65536  // issue comment body
	ghSummaryMax     = 65535  // check run output summary
	ghReleaseMax     = 125000 // release body
	ghAnnotationsMax = 50     // annotations per check run request
)

// The permissions a workflow's GITHUB_TOKEN needs for each call, named in
// errors when GitHub answers 403.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
const (
	permStatuses = "statuses: write"
	permComments = "pull-requests: write"
	permChecks   = "checks: write"
	permReleases = "contents: write"
)

type gitHub struct {
	c           *github.Client
	owner, repo string
	tokenEnv    string
	sleep       func(ctx context.Context, d time.Duration) error // paces writes
	writes      int                                              // writes so far, for pacing
}

func newGitHub(cfg Config, hc *http.Client) (*gitHub, error) {
	owner, repo, ok := strings.Cut(cfg.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, exit.BadInputf("GitHub repository %q is not owner/name: check GITHUB_REPOSITORY", cfg.Repository)
	}
	c := github.NewClient(hc).WithAuthToken(cfg.Token)
	if base := strings.TrimSuffix(cfg.BaseURL, "/"); base != "" && base != "https://api.github.com" {
		// GitHub Enterprise Server serves the API under /api/v3, GHE.com
		// under an api. host; WithEnterpriseURLs knows both. ordo uploads
		// nothing, so the upload URL does not matter.
		var err error
		if c, err = c.WithEnterpriseURLs(base, base); err != nil {
			return nil, exit.BadInputf("GitHub API URL %q: %v: check GITHUB_API_URL", cfg.BaseURL, err)
		}
	}
	g := &gitHub{c: c, owner: owner, repo: repo, tokenEnv: cfg.TokenEnv, sleep: cfg.Sleep}
	if g.sleep == nil {
		g.sleep = sleep
	}
	return g, nil
}

// SetStatuses reads the commit's combined status and posts only the statuses
// that differ from it: GitHub keeps every status it is sent (at most 1000 per
// commit and context) and shows the latest, so posting unchanged ones would
// only spend the rate limit.
//
// https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference
// https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
func (g *gitHub) SetStatuses(ctx context.Context, sha string, statuses []Status) error {
	if err := checkStatuses(statuses); err != nil || len(statuses) == 0 {
		return err
	}
	current := make(map[string]*github.RepoStatus)
	opt := &github.ListOptions{PerPage: 100}
	for {
		cs, resp, err := g.c.Repositories.GetCombinedStatus(ctx, g.owner, g.repo, sha, opt)
		if err != nil {
			return g.fail(err, "read the statuses of commit "+sha, permStatuses, "commit")
		}
		for _, s := range cs.Statuses {
			current[strings.ToLower(s.GetContext())] = s
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	// One request at a time: GitHub asks integrations not to send
	// concurrent requests, and answers them with secondary rate limits.
	for _, s := range statuses {
		desc := truncate(s.Description, ghDescriptionMax)
		cur := current[strings.ToLower(s.Context)]
		if cur != nil && cur.GetState() == string(s.State) && cur.GetDescription() == desc && cur.GetTargetURL() == s.TargetURL {
			continue
		}
		st := &github.RepoStatus{State: github.String(string(s.State)), Context: github.String(s.Context)}
		if desc != "" {
			st.Description = &desc
		}
		if s.TargetURL != "" {
			st.TargetURL = github.String(s.TargetURL)
		}
		if err := g.pace(ctx); err != nil {
			return err
		}
		// Posting the same status twice is harmless: the latest wins.
		if _, _, err := g.c.Repositories.CreateStatus(retrySafe(ctx), g.owner, g.repo, sha, st); err != nil {
			return g.fail(err, fmt.Sprintf("set commit status %q on %s", s.Context, sha), permStatuses, "")
		}
	}
	return nil
}

// UpsertComment finds ordo's comment by its marker and its author (the
// token's own account, see whoami) among the pull request's comments, edits it if its body changed, creates it if there is none, and
// deletes any extra copy an interrupted run may have left.
//
// https://docs.github.com/en/rest/issues/comments#list-issue-comments
// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
// https://docs.github.com/en/rest/issues/comments#update-an-issue-comment
// https://docs.github.com/en/rest/issues/comments#delete-an-issue-comment
func (g *gitHub) UpsertComment(ctx context.Context, pr int, marker, body string) error {
	if pr <= 0 {
		return exit.BadInputf("pull request number %d is not valid: pass --pr N", pr)
	}
	marker, body, err := withMarker(marker, body)
	if err != nil {
		return err
	}
	if len([]rune(body)) > ghCommentMax {
		// Cut the text, not the marker: without it the next run would not
		// find the comment and post another.
		body = marker + "\n" + truncate(strings.Replace(body, marker, "", 1), ghCommentMax-len([]rune(marker))-1)
	}
	where := fmt.Sprintf("pull request #%d", pr)
	me, err := g.whoami(ctx)
	if err != nil {
		return err
	}
	// A create answered 5xx (or not at all) may have been stored: the
	// comments are read again before another is posted.
	var mine []*github.IssueComment
	for attempt := 0; ; attempt++ {
		mine = nil
		opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
		for {
			cs, resp, err := g.c.Issues.ListComments(ctx, g.owner, g.repo, pr, opt)
			if err != nil {
				return g.fail(err, "read the comments of "+where, permComments, where)
			}
			for _, c := range cs {
				if strings.Contains(c.GetBody(), marker) && me.wrote(c) {
					mine = append(mine, c)
				}
			}
			if resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
		if len(mine) > 0 {
			break
		}
		_, _, err := g.c.Issues.CreateComment(ctx, g.owner, g.repo, pr, &github.IssueComment{Body: &body})
		if err == nil {
			return nil
		}
		if attempt == maxUnsureWrites || !unsure(err) {
			return g.fail(err, "comment on "+where, permComments, where)
		}
	}
	if mine[0].GetBody() != body {
		if _, _, err := g.c.Issues.EditComment(retrySafe(ctx), g.owner, g.repo, mine[0].GetID(), &github.IssueComment{Body: &body}); err != nil {
			return g.fail(err, "edit ordo's comment on "+where, permComments, where)
		}
	}
	for _, c := range mine[min(1, len(mine)):] {
		if _, err := g.c.Issues.DeleteComment(ctx, g.owner, g.repo, c.GetID()); err != nil {
			return g.fail(err, "delete a duplicate ordo comment on "+where, permComments, where)
		}
	}
	return nil
}

// UpsertRelease updates the release of r.Tag in place when it exists and
// differs, or creates it.
//
// https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
// https://docs.github.com/en/rest/releases/releases#create-a-release
// https://docs.github.com/en/rest/releases/releases#update-a-release
func (g *gitHub) UpsertRelease(ctx context.Context, r Release) (string, error) {
	if r.Tag == "" {
		return "", exit.BadInputf("release has no tag")
	}
	name := cmp.Or(r.Name, r.Tag)
	body := truncate(r.Body, ghReleaseMax)
	want := &github.RepositoryRelease{Name: &name, Body: &body, Prerelease: &r.Prerelease}
	what := fmt.Sprintf("publish release %q", r.Tag)
	for try := 0; ; try++ {
		// A tag such as "users-api/v1.2.0" must stay one path segment.
		rel, resp, err := g.c.Repositories.GetReleaseByTag(ctx, g.owner, g.repo, url.PathEscape(r.Tag))
		switch {
		case err == nil:
			if rel.GetName() == name && rel.GetBody() == body && rel.GetPrerelease() == r.Prerelease {
				return rel.GetHTMLURL(), nil
			}
			rel, _, err = g.c.Repositories.EditRelease(retrySafe(ctx), g.owner, g.repo, rel.GetID(), want)
			if err != nil {
				return "", g.fail(err, what, permReleases, "")
			}
			return rel.GetHTMLURL(), nil
		case resp != nil && resp.StatusCode == http.StatusNotFound:
			create := *want
			create.TagName = &r.Tag
			rel, _, err = g.c.Repositories.CreateRelease(ctx, g.owner, g.repo, &create)
			if err == nil {
				return rel.GetHTMLURL(), nil
			}
			if try < maxUnsureWrites && (ghAlreadyExists(err) || unsure(err)) {
				continue // created meanwhile, or maybe by this request: read it again
			}
			return "", g.fail(err, what, permReleases, "")
		default:
			return "", g.fail(err, what, permReleases, "")
		}
	}
}

func ghAlreadyExists(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "already_exists" {
			return true
		}
	}
	return false
}

// fail explains a failed call: what ordo was doing, GitHub's answer, and
// for 401, 403 and 404 what to fix. subject names what a 404 may be about
// besides the repository.
func (g *gitHub) fail(err error, what, permission, subject string) error {
	repo := g.owner + "/" + g.repo
	var (
		rle *github.RateLimitError
		are *github.AbuseRateLimitError
		er  *github.ErrorResponse
	)
	switch {
	case errors.As(err, &rle):
		return envError(err, "github: %s in %s: the API rate limit of %d requests is spent until %s: run again then",
			what, repo, rle.Rate.Limit, rle.Rate.Reset.Time.UTC().Format(time.RFC3339))
	case errors.As(err, &are):
		return envError(err, "github: %s in %s: secondary rate limit, still hit after retries: %s", what, repo, are.Message)
	case errors.As(err, &er) && er.Response != nil:
		msg := ghMessage(er)
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return envError(err, "github: %s in %s: %s: %s is invalid or expired", what, repo, msg, tokenName(g.tokenEnv))
		case http.StatusForbidden:
			hint := ""
			if permission == permChecks {
				hint = "; check runs can only be written with a GitHub App token such as the workflow's GITHUB_TOKEN"
			}
			return envError(err, "github: %s in %s: %s: %s needs the %q permission (the workflow's `permissions:`)%s",
				what, repo, msg, tokenName(g.tokenEnv), permission, hint)
		case http.StatusNotFound:
			about := fmt.Sprintf("repository %q", repo)
			if subject != "" {
				about += " or its " + subject
			}
			return envError(err, "github: %s: %s: %s does not exist, or %s cannot see it", what, msg, about, tokenName(g.tokenEnv))
		}
		return envError(err, "github: %s in %s: %s", what, repo, msg)
	}
	return envError(err, "github: %s in %s: %v", what, repo, err)
}

// ghMessage is the status code and GitHub's message with its details,
// without the request URL that go-github's own Error() repeats.
func ghMessage(er *github.ErrorResponse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", er.Response.StatusCode, cmp.Or(er.Message, http.StatusText(er.Response.StatusCode)))
	for _, e := range er.Errors {
		if d := cmp.Or(e.Message, strings.TrimSpace(e.Code+" "+e.Field)); d != "" {
			b.WriteString("; " + d)
		}
	}
	return b.String()
}
