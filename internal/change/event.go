package change

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// zeroSHA is how GitHub and GitLab write "no commit": the before of a branch's
// first push.
const zeroSHA = "0000000000000000000000000000000000000000"

// ReadEvent parses the CI environment into an Event without touching git.
// Outside GitHub Actions and GitLab CI it returns the zero Event.
func ReadEvent(env ci.Env) (Event, error) {
	ev, _, err := readEvent(env)
	return ev, err
}

// detected is what the CI event says to compare, which only Resolve needs.
type detected struct {
	source     string // where the change came from, e.g. "github pull_request #12"
	base, head string // commits to compare; base may be zeroSHA (a new branch)
	tag        string // a tag push: compare from the tag before this one
	noBase     bool   // the event has no base: everything is affected
	// err is a problem with the commits the event names. It is kept apart so
	// that ReadEvent, which does not need them, still works.
	err error
}

func readEvent(env ci.Env) (Event, detected, error) {
	switch {
	case env.GitHub.Actions:
		var payload []byte
		// Without a payload (a container started by hand, or act), the event
		// still has a name and a commit; pull requests then fail in Resolve.
		if path := env.GitHub.EventPath; path != "" {
			var err error
			if payload, err = os.ReadFile(path); err != nil {
				return Event{}, detected{}, exit.Envf("read the github event payload (GITHUB_EVENT_PATH): %w", err)
			}
		}
		return parseGitHub(env.GitHub, payload)
	case env.GitLab.CI:
		return parseGitLab(env.GitLab)
	}
	return Event{}, detected{}, nil
}

// githubPayload holds the fields ordo reads from a webhook payload.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads
type githubPayload struct {
	Ref         string `json:"ref"`
	Before      string `json:"before"`
	After       string `json:"after"`
	Number      int    `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA  string `json:"sha"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			SHA  string `json:"sha"`
			Ref  string `json:"ref"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"base"`
		Labels []struct {
			Name string `json:"name"`
		} `json:"labels"`
	} `json:"pull_request"`
	MergeGroup *struct {
		BaseSHA string `json:"base_sha"`
		HeadSHA string `json:"head_sha"`
		BaseRef string `json:"base_ref"`
		HeadRef string `json:"head_ref"`
	} `json:"merge_group"`
	Repository struct {
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
}

// parseGitHub reads a GitHub Actions event from its environment and payload.
// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows
func parseGitHub(env ci.GitHubEnv, payload []byte) (Event, detected, error) {
	ev := Event{Platform: "github", Name: env.EventName, HeadSHA: env.SHA}
	var p githubPayload
	if payload != nil {
		if err := json.Unmarshal(payload, &p); err != nil {
			return Event{}, detected{}, exit.BadInputf("parse the github event payload (GITHUB_EVENT_PATH): %w", err)
		}
	}
	ev.DefaultBranch = p.Repository.DefaultBranch
	ev.PullRequest = p.Number
	if pr := p.PullRequest; pr != nil {
		ev.PullRequest = pr.Number
		ev.HeadSHA = pr.Head.SHA
		ev.Branch = pr.Base.Ref
		// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#workflows-in-forked-repositories
		if pr.Head.Repo != nil && pr.Base.Repo != nil {
			ev.Fork = !strings.EqualFold(pr.Head.Repo.FullName, pr.Base.Repo.FullName)
		}
		for _, l := range pr.Labels {
			if l.Name != "" {
				ev.Labels = append(ev.Labels, l.Name)
			}
		}
		ev.Labels = sortLabels(ev.Labels)
	}

	d := detected{source: "github " + ev.Name}
	switch ev.Name {
	case "pull_request", "pull_request_target":
		d.source = fmt.Sprintf("github %s #%d", ev.Name, ev.PullRequest)
		if p.PullRequest == nil {
			d.err = exit.BadInputf("the github %s event payload has no pull_request; check GITHUB_EVENT_PATH", ev.Name)
			break
		}
		d.base = checkSHA(&d, "pull_request.base.sha", p.PullRequest.Base.SHA)
		d.head = checkSHA(&d, "pull_request.head.sha", p.PullRequest.Head.SHA)
	case "merge_group":
		mg := p.MergeGroup
		if mg == nil {
			d.err = exit.BadInputf("the github merge_group event payload has no merge_group; check GITHUB_EVENT_PATH")
			break
		}
		ev.HeadSHA = mg.HeadSHA
		ev.PullRequest = queuedPullRequest(mg.HeadRef)
		ev.Branch = strings.TrimPrefix(mg.BaseRef, "refs/heads/")
		d.source = "github merge_group into " + strings.TrimPrefix(mg.BaseRef, "refs/heads/")
		d.base = checkSHA(&d, "merge_group.base_sha", mg.BaseSHA)
		d.head = checkSHA(&d, "merge_group.head_sha", mg.HeadSHA)
	case "push":
		ref := p.Ref
		if ref == "" {
			ref = env.Ref
		}
		head := p.After
		if head == "" || head == zeroSHA {
			head = env.SHA
		}
		ev.HeadSHA = head
		if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
			if tag == "" {
				d.err = exit.BadInputf("github push: ref %q names no tag; check the CI event", ref)
				break
			}
			ev.Tag = tag
			d.source = fmt.Sprintf("github push of tag %s", tag)
			d.tag = tag
			d.head = head // only used when the tag itself is not in the clone
			break
		}
		ev.Branch = strings.TrimPrefix(ref, "refs/heads/")
		d.source = "github push to " + ev.Branch
		d.base = checkSHA(&d, "before", p.Before)
		d.head = checkSHA(&d, "after (or GITHUB_SHA)", head)
	default:
		// workflow_dispatch, schedule, release, ...: nothing to compare with.
		d.noBase = true
	}
	return ev, d, nil
}

// queuedPullRequest returns the pull request a merge queue branch was made
// for: GitHub names them gh-readonly-queue/<base>/pr-<number>-<sha>, after
// the last pull request of the group.
func queuedPullRequest(headRef string) int {
	i := strings.LastIndex(headRef, "/pr-")
	if i < 0 {
		return 0
	}
	num, _, _ := strings.Cut(headRef[i+len("/pr-"):], "-")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseGitLab reads a GitLab CI pipeline from its predefined variables.
// https://docs.gitlab.com/ci/variables/predefined_variables/
func parseGitLab(env ci.GitLabEnv) (Event, detected, error) {
	ev := Event{
		Platform:      "gitlab",
		Name:          env.PipelineSource,
		HeadSHA:       env.CommitSHA,
		Tag:           env.CommitTag,
		DefaultBranch: env.DefaultBranch,
	}
	if iid := env.MergeRequestIID; iid != "" {
		n, err := strconv.Atoi(iid)
		if err != nil || n <= 0 {
			return Event{}, detected{}, exit.BadInputf("CI_MERGE_REQUEST_IID %q is not a merge request number; unset it or set it to the merge request's IID", iid)
		}
		ev.PullRequest = n
	}
	for l := range strings.SplitSeq(env.MergeRequestLabels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			ev.Labels = append(ev.Labels, l)
		}
	}
	ev.Labels = sortLabels(ev.Labels)
	// In merged results and merge train pipelines CI_COMMIT_SHA is a merge
	// commit made for the pipeline that nobody sees; statuses belong on the
	// merge request's own head.
	if sha := env.MergeRequestSource; sha != "" {
		ev.HeadSHA = sha
	}

	d := detected{source: fmt.Sprintf("gitlab %s pipeline", ev.Name)}
	switch {
	case ev.Name == "merge_request_event":
		kind := env.MergeRequestEvent
		d.source = fmt.Sprintf("gitlab merge request !%d (%s)", ev.PullRequest, kind)
		switch kind {
		case "merge_train", "merged_result":
			// The pipeline tests the merge into the target branch as it is now.
			d.base = checkSHA(&d, "CI_MERGE_REQUEST_TARGET_BRANCH_SHA", env.MergeRequestTarget)
		default:
			d.base = checkSHA(&d, "CI_MERGE_REQUEST_DIFF_BASE_SHA", env.MergeRequestDiffBase)
		}
		d.head = checkSHA(&d, "CI_COMMIT_SHA", env.CommitSHA)
	case ev.Tag != "":
		d.source = "gitlab tag pipeline for " + ev.Tag
		d.tag = ev.Tag
		d.head = env.CommitSHA
	case ev.Name == "push":
		d.source = "gitlab push to " + env.CommitBranch
		d.base = checkSHA(&d, "CI_COMMIT_BEFORE_SHA", env.CommitBeforeSHA)
		d.head = checkSHA(&d, "CI_COMMIT_SHA", env.CommitSHA)
	default:
		// web, schedule, api, trigger, pipeline, ...: a run of the branch
		// as it is, not of a change to it.
		d.noBase = true
	}
	return ev, d, nil
}

// checkSHA returns sha in lower case, or records in d that it is not a commit
// SHA. CI systems always send full SHAs, so anything else is a broken event
// and guessing would compare the wrong commits.
func checkSHA(d *detected, field, sha string) string {
	if !git.IsSHA(sha) {
		if d.err == nil {
			d.err = exit.BadInputf("%s: %s %q is %w; check the CI event", d.source, field, sha, ErrEventSHA)
		}
		return ""
	}
	return strings.ToLower(sha)
}

func sortLabels(labels []string) []string {
	slices.Sort(labels)
	return slices.Compact(labels)
}
