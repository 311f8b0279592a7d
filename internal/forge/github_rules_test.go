package forge

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Routes of the fake GitHub for what Reader reads.
const (
	ghListLabels  = "GET /api/v3/repos/{owner}/{repo}/issues/{number}/labels"
	ghCommitPulls = "GET /api/v3/repos/{owner}/{repo}/commits/{sha}/pulls"
	ghBranchRules = "GET /api/v3/repos/{owner}/{repo}/rules/branches/{branch}"
	ghGetBranch   = "GET /api/v3/repos/{owner}/{repo}/branches/{branch}"
)

// fakeRules is what the fake GitHub knows of labels, pull requests and
// branch rules.
type fakeRules struct {
	labels   map[int][]string    // pull request -> labels
	pulls    map[string][]int    // commit -> pull requests
	rulesets map[string][]string // branch -> contexts required by rulesets
	classic  map[string][]string // branch -> contexts required by branch protection
}

func (f *fakeGitHub) handleRules() {
	f.rules = fakeRules{labels: map[int][]string{}, pulls: map[string][]int{}, rulesets: map[string][]string{}, classic: map[string][]string{}}
	// https://docs.github.com/en/rest/issues/labels#list-labels-for-an-issue
	f.handle(ghListLabels, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if !f.repoOK(w, r) {
			return
		}
		n, _ := strconv.Atoi(r.PathValue("number"))
		f.mu.Lock()
		var list []map[string]any
		for i, l := range f.rules.labels[n] {
			list = append(list, map[string]any{"id": i + 1, "node_id": "L", "url": "u", "name": l, "color": "ffffff", "default": false, "description": nil})
		}
		f.mu.Unlock()
		items, nx := page(r, list)
		next(w, r, nx)
		writeJSON(w, http.StatusOK, orEmptyList(items))
	})
	// https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit
	f.handle(ghCommitPulls, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if !f.repoOK(w, r) {
			return
		}
		f.mu.Lock()
		var list []map[string]any
		for _, n := range f.rules.pulls[r.PathValue("sha")] {
			list = append(list, map[string]any{"number": n, "state": "closed"})
		}
		f.mu.Unlock()
		items, nx := page(r, list)
		next(w, r, nx)
		writeJSON(w, http.StatusOK, orEmptyList(items))
	})
	// https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch
	f.handle(ghBranchRules, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if !f.repoOK(w, r) {
			return
		}
		f.mu.Lock()
		var list []map[string]any
		// One rule per context, so that pages are exercised.
		for _, c := range f.rules.rulesets[r.PathValue("branch")] {
			list = append(list, map[string]any{"type": "required_status_checks", "ruleset_id": 1, "ruleset_source_type": "Repository", "ruleset_source": "acme/mono",
				"parameters": map[string]any{"strict_required_status_checks_policy": false, "required_status_checks": []map[string]any{{"context": c}}}})
		}
		list = append(list, map[string]any{"type": "pull_request", "ruleset_id": 2, "parameters": map[string]any{"required_approving_review_count": 1}})
		f.mu.Unlock()
		items, nx := page(r, list)
		next(w, r, nx)
		writeJSON(w, http.StatusOK, items)
	})
	// https://docs.github.com/en/rest/branches/branches#get-a-branch
	f.handle(ghGetBranch, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if !f.repoOK(w, r) {
			return
		}
		f.mu.Lock()
		contexts, protected := f.rules.classic[r.PathValue("branch")]
		f.mu.Unlock()
		b := map[string]any{"name": r.PathValue("branch"), "protected": protected, "commit": map[string]any{"sha": sha}}
		if protected {
			b["protection"] = map[string]any{"enabled": true, "required_status_checks": map[string]any{"enforcement_level": "non_admins", "contexts": contexts}}
		}
		writeJSON(w, http.StatusOK, b)
	})
}

func orEmptyList(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}

// TestRequiredChecks reads what must pass on a branch from both places
// GitHub keeps it: rulesets (paged) and classic branch protection.
func TestRequiredChecks(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	var want []string
	for i := range 40 {
		c := "ordo/svc-" + strconv.Itoa(100+i)
		fake.rules.rulesets["main"] = append(fake.rules.rulesets["main"], c)
		want = append(want, c)
	}
	fake.rules.classic["main"] = []string{"ordo", "ordo/svc-100"}
	want = append(want, "ordo")
	slices.Sort(want)
	s := &sleeps{}
	f, err := New(fake.config(s))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := AsReader(f)
	if !ok {
		t.Fatal("the GitHub forge is no Reader")
	}
	got, err := r.RequiredChecks(context.Background(), "main")
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("RequiredChecks(main) = %v, %v\nwant %v", got, err, want)
	}
	if got, err := r.RequiredChecks(context.Background(), "topic"); err != nil || len(got) != 0 {
		t.Errorf("RequiredChecks(topic) = %v, %v, want none", got, err)
	}
}

// TestLiveLabels reads labels and the pull requests of a commit from the
// API, as they are now.
func TestLiveLabels(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	fake.rules.labels[7] = []string{"ordo:override:policy.freeze", "bug"}
	fake.rules.pulls[sha] = []int{9, 7, 7}
	f, err := New(fake.config(&sleeps{}))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := AsReader(f)
	if got, err := r.Labels(context.Background(), 7); err != nil || !slices.Equal(got, []string{"bug", "ordo:override:policy.freeze"}) {
		t.Errorf("Labels(7) = %v, %v", got, err)
	}
	if got, err := r.CommitPullRequests(context.Background(), sha); err != nil || !slices.Equal(got, []int{7, 9}) {
		t.Errorf("CommitPullRequests = %v, %v", got, err)
	}
}

// TestStatusWritesArePaced holds GitHub's secondary limit of about 80
// content-creating requests a minute: past a burst of 20, writes are spaced.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
func TestStatusWritesArePaced(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	s := &sleeps{}
	f, err := New(fake.config(s))
	if err != nil {
		t.Fatal(err)
	}
	var statuses []Status
	for i := range 100 {
		statuses = append(statuses, Status{Context: "ordo/svc-" + strconv.Itoa(i), State: StateSuccess})
	}
	if err := f.SetStatuses(context.Background(), sha, statuses); err != nil {
		t.Fatal(err)
	}
	var total time.Duration
	for _, d := range s.all() {
		total += d
	}
	if want := WriteTime(100); total < want || want < 59*time.Second {
		t.Errorf("waited %s for 100 statuses, want at least %s (80 a minute after 20)", total, want)
	}
	if WriteTime(20) != 0 {
		t.Errorf("WriteTime(20) = %s, want no wait within the burst", WriteTime(20))
	}
}
