package forgetest

import (
	"net/http"
	"strconv"
)

// rules is what the fake knows of labels, pull requests and branch rules.
type rules struct {
	labels   map[int][]string    // pull request -> labels
	pulls    map[string][]int    // commit ("" for any) -> pull requests
	rulesets map[string][]string // branch -> contexts required by rulesets
	classic  map[string][]string // branch -> contexts required by branch protection
}

// SetLabels sets a pull request's labels.
func (f *GitHub) SetLabels(pr int, labels ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules.labels[pr] = labels
}

// SetPulls sets the pull requests a commit belongs to; sha "" is any commit.
func (f *GitHub) SetPulls(sha string, prs ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules.pulls[sha] = prs
}

// Require makes the branch's rulesets require the contexts, one rule each
// (so that pages are exercised).
func (f *GitHub) Require(branch string, contexts ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules.rulesets[branch] = append(f.rules.rulesets[branch], contexts...)
}

// Protect makes the branch protected, requiring the contexts the classic
// way (branch protection).
func (f *GitHub) Protect(branch string, contexts ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules.classic[branch] = contexts
}

func (f *GitHub) handleRules() {
	f.rules = rules{labels: map[int][]string{}, pulls: map[string][]int{}, rulesets: map[string][]string{}, classic: map[string][]string{}}
	// https://docs.github.com/en/rest/issues/labels#list-labels-for-an-issue
	f.Handle(ListLabels, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		n, _ := strconv.Atoi(r.PathValue("number"))
		f.mu.Lock()
		var list []map[string]any
		for i, l := range f.rules.labels[n] {
			list = append(list, map[string]any{"id": i + 1, "node_id": "L", "url": "u", "name": l, "color": "ffffff", "default": false, "description": nil})
		}
		f.mu.Unlock()
		WriteJSON(w, http.StatusOK, Page(w, r, list))
	})
	// https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit
	f.Handle(CommitPulls, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		f.mu.Lock()
		prs, ok := f.rules.pulls[r.PathValue("sha")]
		if !ok {
			prs = f.rules.pulls[""]
		}
		var list []map[string]any
		for _, n := range prs {
			list = append(list, map[string]any{"number": n, "state": "closed"})
		}
		f.mu.Unlock()
		WriteJSON(w, http.StatusOK, Page(w, r, list))
	})
	// https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch
	f.Handle(BranchRules, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		f.mu.Lock()
		var list []map[string]any
		for _, c := range f.rules.rulesets[r.PathValue("branch")] {
			list = append(list, map[string]any{"type": "required_status_checks", "ruleset_id": 1, "ruleset_source_type": "Repository", "ruleset_source": f.Owner + "/" + f.Repo,
				"parameters": map[string]any{"strict_required_status_checks_policy": false, "required_status_checks": []map[string]any{{"context": c}}}})
		}
		list = append(list, map[string]any{"type": "pull_request", "ruleset_id": 2, "parameters": map[string]any{"required_approving_review_count": 1}})
		f.mu.Unlock()
		WriteJSON(w, http.StatusOK, Page(w, r, list))
	})
	// https://docs.github.com/en/rest/branches/branches#get-a-branch
	f.Handle(GetBranch, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		f.mu.Lock()
		contexts, protected := f.rules.classic[r.PathValue("branch")]
		f.mu.Unlock()
		b := map[string]any{"name": r.PathValue("branch"), "protected": protected, "commit": map[string]any{"sha": "0000000000000000000000000000000000000000"}}
		if protected {
			b["protection"] = map[string]any{"enabled": true, "required_status_checks": map[string]any{"enforcement_level": "non_admins", "contexts": contexts}}
		}
		WriteJSON(w, http.StatusOK, b)
	})
}
