package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The example workflows hold rules of GitHub's that act does not enforce;
// these tests write each rule down, with the page that states it, and check
// both the examples in .github/workflows and the README's copies.

// userWorkflows returns a workflow as the example and as the README shows
// it, parsed loosely (map[string]any), by where it comes from.
func userWorkflows(t *testing.T, example, readme string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for where, text := range map[string]string{
		example:            readFile(t, filepath.Join(root, ".github", "workflows", example)),
		"README " + readme: readmeFiles(t)[".github/workflows/"+readme],
	} {
		if text == "" {
			t.Fatalf("%s: no such workflow", where)
		}
		var wf map[string]any
		if err := yaml.Unmarshal([]byte(text), &wf); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		out[where] = wf
	}
	return out
}

// dig walks a parsed YAML document by keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func strs(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
	case string:
		out = []string{v}
	}
	return out
}

// steps lists the steps of every job, with the job's name.
func steps(wf map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	jobs, _ := wf["jobs"].(map[string]any)
	for name, j := range jobs {
		for _, s := range dig(j, "steps").([]any) {
			out[name] = append(out[name], s.(map[string]any))
		}
	}
	return out
}

// filterMatch is GitHub's filter pattern for branches and tags, as far as
// the examples use it: `*` matches any characters but `/`, `**` any
// characters (`?`, `+`, `[]` and `!` are not implemented).
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet
func filterMatch(pattern, name string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			re.WriteString(".*")
			i++
		case pattern[i] == '*':
			re.WriteString("[^/]*")
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(name)
}

// TestReleaseTagFilters: the release workflow starts for service tags at
// any depth (a Go module in a subdirectory is tagged providers/flagd/v1.2.3)
// and can be run by hand for a tag.
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#onpushbranchestagsbranches-ignoretags-ignore
func TestReleaseTagFilters(t *testing.T) {
	if filterMatch("*/v*", "providers/flagd/v1.2.3") || !filterMatch("*/v*", "users-api/v1.4.0") {
		t.Fatal("filterMatch does not follow GitHub's cheat sheet")
	}
	for where, wf := range userWorkflows(t, "example-release.yml", "release.yml") {
		patterns := strs(dig(wf, "on", "push", "tags"))
		for _, tag := range []string{"users-api/v1.4.0", "providers/flagd/v1.2.3"} {
			if !slices.ContainsFunc(patterns, func(p string) bool { return filterMatch(p, tag) }) {
				t.Errorf("%s: on.push.tags %q does not match %s", where, patterns, tag)
			}
		}
		if dig(wf, "on", "workflow_dispatch", "inputs", "tag") == nil {
			t.Errorf("%s: no workflow_dispatch input tag, to publish a release by hand", where)
		}
		found := false
		for _, ss := range steps(wf) {
			for _, s := range ss {
				if strings.HasPrefix(fmt.Sprint(s["uses"]), "ordo-ci/ordo/actions/release@") && strings.Contains(fmt.Sprint(dig(s, "with", "tag")), "inputs.tag") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: the release step does not take the input tag", where)
		}
	}
}

// TestTaggingPublishesItsTags: tags pushed with GITHUB_TOKEN start no
// workflow, and more than three tags pushed at once create no push event,
// so the workflow that tags publishes each new tag's release itself.
// https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#using-the-github_token-in-a-workflow
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
func TestTaggingPublishesItsTags(t *testing.T) {
	for where, wf := range userWorkflows(t, "example-tag.yml", "tag.yml") {
		var tagJob string
		for job, ss := range steps(wf) {
			for _, s := range ss {
				if strings.HasPrefix(fmt.Sprint(s["uses"]), "ordo-ci/ordo@") && dig(s, "with", "command") == "versions" && strings.Contains(fmt.Sprint(dig(s, "with", "args")), "--tag") {
					tagJob = job
				}
			}
		}
		if tagJob == "" {
			t.Fatalf("%s: no step runs ordo versions --tag", where)
		}
		released := false
		jobs := wf["jobs"].(map[string]any)
		for job, j := range jobs {
			matrix := fmt.Sprint(dig(j, "strategy", "matrix", "tag"))
			if !strings.Contains(matrix, "fromJSON(needs."+tagJob+".outputs.tags)") {
				continue
			}
			for _, s := range steps(wf)[job] {
				if strings.HasPrefix(fmt.Sprint(s["uses"]), "ordo-ci/ordo/actions/release@") && strings.Contains(fmt.Sprint(dig(s, "with", "tag")), "matrix.tag") {
					released = true
				}
			}
		}
		if !released {
			t.Errorf("%s: no job publishes the release of each tag %s created (matrix over its output tags)", where, tagJob)
		}
	}
}

// TestPullRequestWorkflowRules: override labels change the gate's answer,
// so adding or removing one runs the workflow again (types replace the
// default opened, synchronize, reopened, which must stay); the merge queue
// runs it too; and the test matrices come 256 services at a time.
// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#using-a-matrix-strategy
func TestPullRequestWorkflowRules(t *testing.T) {
	for where, wf := range userWorkflows(t, "example-merge-queue.yml", "pull-request.yml") {
		types := strs(dig(wf, "on", "pull_request", "types"))
		for _, want := range []string{"opened", "synchronize", "reopened", "labeled", "unlabeled"} {
			if !slices.Contains(types, want) {
				t.Errorf("%s: on.pull_request.types %v lacks %s", where, types, want)
			}
		}
		if on, _ := wf["on"].(map[string]any); on == nil || !hasKey(on, "merge_group") {
			t.Errorf("%s: no merge_group trigger", where)
		}
		matrices := 0
		for job, j := range wf["jobs"].(map[string]any) {
			m := fmt.Sprint(dig(j, "strategy", "matrix"))
			if strings.Contains(m, "outputs.affected)") {
				t.Errorf("%s: job %s makes a matrix of every affected service; past 256 GitHub refuses it: use matrices", where, job)
			}
			if strings.Contains(m, "fromJSON(needs.plan.outputs.matrices)[") {
				matrices++
			}
		}
		if matrices == 0 {
			t.Errorf("%s: no test job takes its matrix from the output matrices", where)
		}
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// TestForkStatusCompanion: a fork's pull_request workflows get a read-only
// token, so statuses come from a workflow_run workflow, which must never
// check out or run the pull request's code.
// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#workflow_run
// https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
func TestForkStatusCompanion(t *testing.T) {
	names := map[bool]string{}
	for where, wf := range userWorkflows(t, "example-merge-queue.yml", "pull-request.yml") {
		names[strings.HasPrefix(where, "README")] = fmt.Sprint(wf["name"])
	}
	for where, wf := range userWorkflows(t, "example-fork-status.yml", "pull-request-fork-status.yml") {
		readme := strings.HasPrefix(where, "README")
		if got := strs(dig(wf, "on", "workflow_run", "workflows")); !slices.Equal(got, []string{names[readme]}) {
			t.Errorf("%s: workflow_run.workflows %v, want the pull request workflow %q", where, got, names[readme])
		}
		posted := false
		for _, ss := range steps(wf) {
			for _, s := range ss {
				uses := fmt.Sprint(s["uses"])
				if strings.HasPrefix(uses, "actions/checkout@") && dig(s, "with", "ref") != nil {
					t.Errorf("%s: checks out %v: the pull request's code must not run with a write token", where, dig(s, "with", "ref"))
				}
				if strings.HasPrefix(uses, "ordo-ci/ordo/actions/status@") {
					posted = dig(s, "with", "files-from") != nil && strings.Contains(fmt.Sprint(dig(s, "with", "sha")), "workflow_run.head_sha")
				}
			}
		}
		if !posted {
			t.Errorf("%s: no status step on workflow_run.head_sha with files-from", where)
		}
	}
}
