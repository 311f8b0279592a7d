package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// workflow is the part of a workflow file these tests read.
type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Outputs     map[string]string `yaml:"outputs"`
		Steps       []struct {
			ID   string            `yaml:"id"`
			Name string            `yaml:"name"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
			Run  string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(tb testing.TB, name string) workflow {
	tb.Helper()
	var wf workflow
	if err := yaml.Unmarshal([]byte(readFile(tb, filepath.Join(root, ".github", "workflows", name))), &wf); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return wf
}

// TestDockerfile holds the image's Dockerfile to what makes it build and
// stay the same build: base images pinned by digest, and a Go at least as
// new as go.mod's go line (an older Go refuses the module, so the image was
// never published). There is no docker daemon here: ci.yml's docker job
// builds it on every change, and this test checks that the job exists.
// https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
// https://go.dev/doc/modules/gomod-ref#go
func TestDockerfile(t *testing.T) {
	df := readFile(t, filepath.Join(root, ".github", "docker", "Dockerfile"))
	from := regexp.MustCompile(`(?m)^FROM\s+(?:--platform=\S+\s+)?(\S+)`)
	pinned := regexp.MustCompile(`^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$`)
	var goImage string
	for _, m := range from.FindAllStringSubmatch(df, -1) {
		if !pinned.MatchString(m[1]) {
			t.Errorf("FROM %s: pin the base image by digest (name:tag@sha256:...)", m[1])
		}
		if strings.HasPrefix(m[1], "golang:") {
			goImage = m[1]
		}
	}
	if goImage == "" {
		t.Fatal("no golang build stage in the Dockerfile")
	}
	image := goVersion(t, strings.TrimPrefix(strings.SplitN(goImage, "-", 2)[0], "golang:"))
	mod := regexp.MustCompile(`(?m)^go\s+(\S+)`).FindStringSubmatch(readFile(t, filepath.Join(root, "go.mod")))
	if mod == nil {
		t.Fatal("go.mod has no go line")
	}
	need := goVersion(t, mod[1])
	// golang:1.26 is the newest 1.26.x; it satisfies go 1.26.0 but not
	// go 1.26.3 unless the tag names the patch release.
	if image[0] < need[0] || image[0] == need[0] && image[1] < need[1] ||
		image[0] == need[0] && image[1] == need[1] && image[2] >= 0 && image[2] < need[2] ||
		image[0] == need[0] && image[1] == need[1] && image[2] < 0 && need[2] > 0 {
		t.Errorf("the Dockerfile builds with %s, older than go.mod's go %s", goImage, mod[1])
	}

	ci := readWorkflow(t, "ci.yml")
	built := false
	for _, j := range ci.Jobs {
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "docker/build-push-action@") && s.With["file"] == ".github/docker/Dockerfile" && s.With["push"] == "false" {
				built = true
			}
		}
	}
	if !built {
		t.Errorf("ci.yml has no job that builds .github/docker/Dockerfile (docker/build-push-action, push: false)")
	}
}

// goVersion parses 1.26 or 1.26.3 as [1, 26, 3] ([1, 26, -1] without a patch).
func goVersion(tb testing.TB, v string) [3]int {
	tb.Helper()
	parts := strings.Split(v, ".")
	out := [3]int{0, 0, -1}
	if len(parts) < 2 || len(parts) > 3 {
		tb.Fatalf("go version %q is not 1.N or 1.N.P", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			tb.Fatalf("go version %q: %v", v, err)
		}
		out[i] = n
	}
	return out
}

// TestReleaseWorkflow reads release.yml for what makes a release
// trustworthy: a build from nothing restored, no git credentials in the
// checkout, build provenance for the archives, and moving tags that only
// go forward.
func TestReleaseWorkflow(t *testing.T) {
	wf := readWorkflow(t, "release.yml")
	rel, ok := wf.Jobs["release"]
	if !ok {
		t.Fatal("release.yml has no release job")
	}
	// https://docs.github.com/en/actions/security-for-github-actions/using-artifact-attestations/using-artifact-attestations-to-establish-provenance-for-builds#generating-build-provenance-for-binaries
	if rel.Permissions["id-token"] != "write" || rel.Permissions["attestations"] != "write" {
		t.Errorf("the release job's permissions %v: attestations need id-token: write and attestations: write", rel.Permissions)
	}
	var attested, moved, plain bool
	for _, s := range rel.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["cache"] != "false":
			t.Errorf("setup-go restores a build cache into the release build: set cache: false")
		case strings.HasPrefix(s.Uses, "actions/attest-build-provenance@"):
			attested = s.With["subject-path"] == "dist/ordo_*"
		case strings.Contains(s.Run, "git push"):
			t.Errorf("step %q pushes with git: move tags through the API, with persist-credentials: false", s.Name)
		case strings.Contains(s.Run, `refs/tags/$plain`):
			// GitLab's CI/CD catalog takes plain versions only (1.2.3, not
			// v1.2.3): https://docs.gitlab.com/ci/components/#publish-a-new-release
			plain = strings.Contains(s.Run, "plain=${TAG#v}") && s.If == ""
		case strings.Contains(s.Run, "git/refs"):
			moved = true
			if !strings.Contains(s.If, "steps.moving.outputs.major") {
				t.Errorf("step %q moves the major tag without asking .github/scripts/major.sh (if: %q)", s.Name, s.If)
			}
		}
	}
	if !attested {
		t.Errorf("no actions/attest-build-provenance step for dist/ordo_*")
	}
	if !moved {
		t.Errorf("no step moves the major tag")
	}
	if !plain {
		t.Errorf("no step creates the plain version tag (1.2.3 beside v1.2.3) that GitLab's CI/CD catalog publishes from")
	}
	for name, j := range wf.Jobs {
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false" {
				t.Errorf("job %s: checkout keeps the token in .git/config: set persist-credentials: false", name)
			}
		}
	}
	tags := ""
	for _, s := range wf.Jobs["image"].Steps {
		if s.ID == "tags" {
			tags = s.Run
		}
	}
	if !strings.Contains(tags, "$MAJOR") || !strings.Contains(tags, "$LATEST") || wf.Jobs["image"].Steps == nil {
		t.Errorf("the image's :major and :latest must follow major.sh's answer:\n%s", tags)
	}
}

// TestMajorTagMovesForward runs .github/scripts/major.sh in a repository
// with releases: a backport or a prerelease moves no moving tag.
func TestMajorTagMovesForward(t *testing.T) {
	r := gittest.New(t)
	r.Commit("first", gittest.Files{"a": "1"})
	for _, tag := range []string{"v1.4.0", "v1.5.0", "v2.0.0", "v2.1.0-rc.1"} {
		r.Tag(tag)
	}
	for _, tc := range []struct{ tag, want string }{
		{"v1.5.1", "major=v1\nlatest=false\n"},
		{"v1.4.9", "major=\nlatest=false\n"}, // a backport
		{"v2.0.1", "major=v2\nlatest=true\n"},
		{"v1.10.0", "major=v1\nlatest=false\n"}, // numbers, not strings
		{"v2.1.0-rc.2", "major=\nlatest=false\n"},
		{"v3.0.0", "major=v3\nlatest=true\n"},
	} {
		res := run(t, r.Dir, nil, 30*time.Second, "bash", filepath.Join(root, ".github", "scripts", "major.sh"), tc.tag)
		if res.code != 0 || res.out != tc.want {
			t.Errorf("major.sh %s: exit %d, %q, want %q", tc.tag, res.code, res.out, tc.want)
		}
	}
}

// node24 is the first major of each action used in ordo's workflows and
// README that runs on Node 24: GitHub moves runners off Node 20.
// https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/
var node24 = map[string]int{
	"actions/checkout":                5,
	"actions/setup-go":                6,
	"actions/upload-artifact":         6,
	"actions/download-artifact":       5,
	"actions/attest-build-provenance": 4, // composite, over actions/attest v4
	"docker/setup-qemu-action":        4,
	"docker/setup-buildx-action":      4,
	"docker/login-action":             4,
	"docker/build-push-action":        7,
}

// TestActionsRunOnNode24 checks every pinned third-party action in the
// workflows and the README: pinned by commit, with its version in a
// comment, at a version that runs on Node 24.
func TestActionsRunOnNode24(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	files = append(files, filepath.Join(root, "README.md"))
	uses := regexp.MustCompile(`uses:\s+([\w.-]+/[\w.-]+)@(\S+)(?:\s+#\s*v(\d+)\S*)?`)
	for _, f := range files {
		for _, m := range uses.FindAllStringSubmatch(readFile(t, f), -1) {
			name, ref, major := m[1], m[2], m[3]
			if strings.HasPrefix(name, "ordo-ci/") {
				continue
			}
			where := fmt.Sprintf("%s: %s@%s", filepath.Base(f), name, ref)
			min, known := node24[name]
			if !known {
				t.Errorf("%s: add the action to node24 with the first major that runs on Node 24", where)
				continue
			}
			if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(ref) || major == "" {
				t.Errorf("%s: pin by commit with the version in a comment (# vX.Y.Z)", where)
				continue
			}
			if n, _ := strconv.Atoi(major); n < min {
				t.Errorf("%s # v%s runs on Node 20: use v%d or later", where, major, min)
			}
		}
	}
}

// TestRequiredWorkflowsRunInTheMergeQueue: a workflow whose checks branch
// protection requires must run on merge_group, or the queue waits for
// checks that never start.
// https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/configuring-pull-request-merges/managing-a-merge-queue#triggering-merge-group-checks-with-github-actions
func TestRequiredWorkflowsRunInTheMergeQueue(t *testing.T) {
	for _, name := range []string{"ci.yml", "actions.yml", "example-merge-queue.yml"} {
		wf := readWorkflow(t, name)
		if _, ok := wf.On["merge_group"]; !ok {
			t.Errorf("%s: on: has no merge_group", name)
		}
		if _, ok := wf.On["pull_request"]; !ok {
			t.Errorf("%s: on: has no pull_request", name)
		}
	}
}

// TestActionDescriptions: the Marketplace lists an action whose
// description has at most 125 characters; only the root action can be
// listed, the others are held to it so that they read alike.
// https://docs.github.com/en/actions/sharing-automations/creating-actions/publishing-actions-in-github-marketplace#about-publishing-actions
func TestActionDescriptions(t *testing.T) {
	for _, path := range append([]string{"action.yml"}, globRel(t, "actions/*/action.yml")...) {
		var a struct {
			Description string `yaml:"description"`
		}
		if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(root, path))), &a); err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(a.Description)); n == 0 || n > 125 {
			t.Errorf("%s: description has %d characters, the Marketplace takes 1 to 125", path, n)
		}
	}
}

func globRel(tb testing.TB, pattern string) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		tb.Fatal(err)
	}
	for i, p := range paths {
		paths[i], _ = filepath.Rel(root, p)
	}
	return paths
}
