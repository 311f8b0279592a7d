package forge

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/ordo-ci/ordo/internal/exit"
)

// What a GitLab token needs for ordo's calls, named in errors on 403.
// https://docs.gitlab.com/user/profile/personal_access_tokens/#personal-access-token-scopes
const glNeeds = "the api scope and at least the Developer role in the project"

type gitLab struct {
	c          *gitlab.Client
	project    string // numeric ID or "group/project"; client-go escapes it
	tokenEnv   string
	jobToken   bool
	pipelineID int64
}

func newGitLab(cfg Config, hc *http.Client) (*gitLab, error) {
	project := strings.Trim(cfg.Repository, "/ ")
	if project == "" {
		return nil, exit.BadInputf("GitLab project is empty: check CI_PROJECT_ID")
	}
	opts := []gitlab.ClientOptionFunc{
		// New has already checked the URL and says what to fix; client-go
		// would log its own warning to the default logger.
		gitlab.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
		gitlab.WithHTTPClient(hc),
		// hc's transport retries; client-go's retryablehttp must not retry
		// on top of it, or every retry would be multiplied.
		gitlab.WithoutRetries(),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, gitlab.WithBaseURL(cfg.BaseURL)) // adds /api/v4 when missing
	}
	newClient := gitlab.NewClient // PRIVATE-TOKEN: personal, project and group access tokens
	if cfg.JobToken {
		newClient = gitlab.NewJobClient // JOB-TOKEN
	}
	c, err := newClient(cfg.Token, opts...)
	if err != nil {
		return nil, exit.BadInputf("GitLab API URL %q: %v: check CI_API_V4_URL", cfg.BaseURL, err)
	}
	return &gitLab{c: c, project: project, tokenEnv: cfg.TokenEnv, jobToken: cfg.JobToken, pipelineID: cfg.PipelineID}, nil
}

// GitLab's build states for ordo's; GitLab has no "error".
var glStates = map[State]gitlab.BuildStateValue{
	StatePending: gitlab.Pending,
	StateSuccess: gitlab.Success,
	StateFailure: gitlab.Failed,
	StateError:   gitlab.Failed,
}

// SetStatuses reads the commit's latest statuses in the pipeline and posts
// only those that differ. GitLab records a new status for every post to a
// finished one, and refuses a post that would not change a pending or running
// one ("Cannot transition status via :enqueue from :pending"): that refusal
// means the status is already what was asked, so it counts as success.
//
// Every status names its pipeline (pipeline_id, CI_PIPELINE_ID): without it
// GitLab attaches the status to the commit's newest pipeline, a child
// pipeline included, or creates an external pipeline that becomes the merge
// request's head pipeline.
//
// https://docs.gitlab.com/api/commits/#list-the-statuses-of-a-commit
// https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
func (g *gitLab) SetStatuses(ctx context.Context, sha string, statuses []Status) error {
	if err := checkStatuses(statuses); err != nil || len(statuses) == 0 {
		return err
	}
	if err := g.needAccessToken("commit statuses"); err != nil {
		return err
	}
	if g.pipelineID <= 0 {
		return exit.BadInputf("gitlab: commit statuses need the pipeline they belong to: CI_PIPELINE_ID is not set (GitLab CI sets it; run ordo status inside a pipeline)")
	}
	current := make(map[string]*gitlab.CommitStatus)
	opt := &gitlab.GetCommitStatusesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}, PipelineID: gitlab.Ptr(g.pipelineID)}
	for {
		list, resp, err := g.c.Commits.GetCommitStatuses(g.project, sha, opt, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail(err, "read the statuses of commit "+sha, "commit")
		}
		for _, s := range list {
			if s.PipelineID != 0 && s.PipelineID != g.pipelineID {
				continue // an instance that ignores the pipeline_id filter
			}
			if prev := current[s.Name]; prev == nil || s.ID > prev.ID {
				current[s.Name] = s
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	for _, s := range statuses {
		state := glStates[s.State]
		desc := truncate(s.Description, ghDescriptionMax)
		cur := current[s.Context]
		if cur != nil && cur.Status == string(state) && cur.Description == desc && cur.TargetURL == s.TargetURL {
			continue
		}
		opt := &gitlab.SetCommitStatusOptions{State: state, Name: gitlab.Ptr(s.Context), PipelineID: gitlab.Ptr(g.pipelineID)}
		if desc != "" {
			opt.Description = &desc
		}
		if s.TargetURL != "" {
			opt.TargetURL = gitlab.Ptr(s.TargetURL)
		}
		_, _, err := g.c.Commits.SetCommitStatus(g.project, sha, opt, gitlab.WithContext(retrySafe(ctx)))
		if err != nil && !glUnchanged(err) {
			return g.fail(err, fmt.Sprintf("set commit status %q on %s", s.Context, sha), "")
		}
	}
	return nil
}

func glUnchanged(err error) bool {
	var er *gitlab.ErrorResponse
	return errors.As(err, &er) && er.HasStatusCode(http.StatusBadRequest) && strings.Contains(er.Message, "Cannot transition status")
}

// UpsertComment finds ordo's note by its marker and its author (the token's
// own user) among the merge request's notes (system notes aside), edits it if its body changed, creates it if
// there is none, and deletes any extra copy.
//
// https://docs.gitlab.com/api/notes/#list-all-merge-request-notes
// https://docs.gitlab.com/api/notes/#create-new-merge-request-note
// https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note
// https://docs.gitlab.com/api/notes/#delete-a-merge-request-note
func (g *gitLab) UpsertComment(ctx context.Context, mr int, marker, body string) error {
	if mr <= 0 {
		return exit.BadInputf("merge request IID %d is not valid: pass --pr N", mr)
	}
	marker, body, err := withMarker(marker, body)
	if err != nil {
		return err
	}
	if err := g.needAccessToken("merge request comments"); err != nil {
		return err
	}
	iid := int64(mr)
	where := fmt.Sprintf("merge request !%d", mr)
	me, err := g.whoami(ctx)
	if err != nil {
		return err
	}
	// A create answered 5xx (or not at all) may have been stored: the notes
	// are read again before another is posted.
	var mine []*gitlab.Note
	for attempt := 0; ; attempt++ {
		mine = nil
		opt := &gitlab.ListMergeRequestNotesOptions{
			ListOptions: gitlab.ListOptions{PerPage: 100},
			OrderBy:     gitlab.Ptr("created_at"),
			Sort:        gitlab.Ptr("asc"),
		}
		for {
			notes, resp, err := g.c.Notes.ListMergeRequestNotes(g.project, iid, opt, gitlab.WithContext(ctx))
			if err != nil {
				return g.fail(err, "read the comments of "+where, where)
			}
			for _, n := range notes {
				if !n.System && strings.Contains(n.Body, marker) && int64(n.Author.ID) == me {
					mine = append(mine, n)
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
		_, _, err := g.c.Notes.CreateMergeRequestNote(g.project, iid, &gitlab.CreateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx))
		if err == nil {
			return nil
		}
		if attempt == maxUnsureWrites || !unsure(err) {
			return g.fail(err, "comment on "+where, where)
		}
	}
	if mine[0].Body != body {
		_, _, err := g.c.Notes.UpdateMergeRequestNote(g.project, iid, mine[0].ID, &gitlab.UpdateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail(err, "edit ordo's comment on "+where, where)
		}
	}
	for _, n := range mine[min(1, len(mine)):] {
		if _, err := g.c.Notes.DeleteMergeRequestNote(g.project, iid, n.ID, gitlab.WithContext(ctx)); err != nil {
			return g.fail(err, "delete a duplicate ordo comment on "+where, where)
		}
	}
	return nil
}

// UpsertRelease updates the release of r.Tag in place when it exists and
// differs, or creates it. GitLab has no pre-release flag: r.Prerelease is
// not sent. CI_JOB_TOKEN is accepted here.
//
// https://docs.gitlab.com/api/releases/#get-a-release-by-a-tag-name
// https://docs.gitlab.com/api/releases/#create-a-release
// https://docs.gitlab.com/api/releases/#update-a-release
func (g *gitLab) UpsertRelease(ctx context.Context, r Release) (string, error) {
	if r.Tag == "" {
		return "", exit.BadInputf("release has no tag")
	}
	name := cmp.Or(r.Name, r.Tag)
	what := fmt.Sprintf("publish release %q", r.Tag)
	for try := 0; ; try++ {
		// client-go escapes the tag, so "users-api/v1.2.0" stays one segment.
		rel, _, err := g.c.Releases.GetRelease(g.project, r.Tag, gitlab.WithContext(ctx))
		switch {
		case err == nil:
			if rel.Name == name && rel.Description == r.Body {
				return rel.Links.Self, nil
			}
			rel, _, err = g.c.Releases.UpdateRelease(g.project, r.Tag, &gitlab.UpdateReleaseOptions{Name: &name, Description: &r.Body}, gitlab.WithContext(ctx))
			if err != nil {
				return "", g.fail(err, what, "")
			}
			return rel.Links.Self, nil
		case errors.Is(err, gitlab.ErrNotFound):
			rel, _, err = g.c.Releases.CreateRelease(g.project, &gitlab.CreateReleaseOptions{TagName: &r.Tag, Name: &name, Description: &r.Body}, gitlab.WithContext(ctx))
			if err == nil {
				return rel.Links.Self, nil
			}
			if try < maxUnsureWrites && (gitlab.HasStatusCode(err, http.StatusConflict) || unsure(err)) {
				continue // created meanwhile, or maybe by this request: read it again
			}
			return "", g.fail(err, what, "")
		default:
			return "", g.fail(err, what, "")
		}
	}
}

// SetCheckRuns is GitHub's; GitLab shows commit statuses instead.
func (g *gitLab) SetCheckRuns(context.Context, string, []CheckRun) error {
	return exit.BadInputf("check runs are not supported on GitLab, which shows commit statuses instead: drop --checks: %w", errors.ErrUnsupported)
}

// needAccessToken refuses, before any request, what GitLab does not let a
// job token do: only the Releases API accepts CI_JOB_TOKEN.
// https://docs.gitlab.com/ci/jobs/ci_job_token/
func (g *gitLab) needAccessToken(what string) error {
	if !g.jobToken {
		return nil
	}
	return exit.BadInputf("gitlab: %s need an access token with %s, which CI_JOB_TOKEN cannot be: set GITLAB_TOKEN (a project access token works)", what, glNeeds)
}

// fail explains a failed call: what ordo was doing, GitLab's answer, and for
// 401, 403 and 404 what to fix. subject names what a 404 may be about
// besides the project.
func (g *gitLab) fail(err error, what, subject string) error {
	about := fmt.Sprintf("project %q", g.project)
	if errors.Is(err, gitlab.ErrNotFound) { // client-go turns every 404 into this sentinel
		if subject != "" {
			about += " or its " + subject
		}
		return envError(err, "gitlab: %s: 404 Not Found: %s does not exist, or %s cannot see it", what, about, tokenName(g.tokenEnv))
	}
	var er *gitlab.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		code := er.Response.StatusCode
		msg := glMessage(er)
		if !strings.HasPrefix(msg, strconv.Itoa(code)) { // GitLab often starts with it: "403 Forbidden"
			msg = strings.TrimSpace(strconv.Itoa(code) + " " + msg)
		}
		switch code {
		case http.StatusUnauthorized:
			return envError(err, "gitlab: %s in %s: %s: %s is invalid or expired", what, about, msg, tokenName(g.tokenEnv))
		case http.StatusForbidden:
			return envError(err, "gitlab: %s in %s: %s: %s needs %s", what, about, msg, tokenName(g.tokenEnv), glNeeds)
		}
		return envError(err, "gitlab: %s in %s: %s", what, about, msg)
	}
	return envError(err, "gitlab: %s in %s: %v", what, about, err)
}

// glMessage is GitLab's own wording of an error: "message" when it is a
// string, or OAuth's "error" and "error_description". client-go's Message
// renders any JSON as "{key: value}", which only the rest falls back to.
// https://docs.gitlab.com/api/rest/troubleshooting/
func glMessage(er *gitlab.ErrorResponse) string {
	var body struct {
		Message     any    `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(er.Body, &body) == nil {
		if m, ok := body.Message.(string); ok && m != "" {
			return m
		}
		if body.Error != "" {
			return strings.TrimSuffix(body.Error+": "+body.Description, ": ")
		}
	}
	return er.Message
}
