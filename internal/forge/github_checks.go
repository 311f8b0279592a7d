// GitHub check runs: one per service (or one with per-service annotations),
// found again by name and updated in place, annotations sent in batches.

package forge

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v62/github"

	"github.com/ordo-ci/ordo/internal/exit"
)

// SetCheckRuns creates or updates one check run per item.
//
// A run is found again by name among the commit's latest runs; its
// external_id holds a fingerprint of what ordo last wrote, so an unchanged
// run costs no request. Annotations are appended by every update and cannot
// be removed, so a run is only updated in place while it is in progress and
// has none; otherwise a new run with the same name replaces it (GitHub shows
// the latest). At most 50 annotations go in one request: the rest follow in
// updates.
//
// https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference
// https://docs.github.com/en/rest/checks/runs#create-a-check-run
// https://docs.github.com/en/rest/checks/runs#update-a-check-run
func (g *gitHub) SetCheckRuns(ctx context.Context, sha string, runs []CheckRun) error {
	if err := checkRuns(runs); err != nil || len(runs) == 0 {
		return err
	}
	current := make(map[string]*github.CheckRun)
	opt := &github.ListCheckRunsOptions{Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		res, resp, err := g.c.Checks.ListCheckRunsForRef(ctx, g.owner, g.repo, sha, opt)
		if err != nil {
			return g.fail(err, "read the check runs of commit "+sha, permChecks, "commit")
		}
		for _, cr := range res.CheckRuns {
			if prev := current[cr.GetName()]; prev == nil || cr.GetID() > prev.GetID() {
				current[cr.GetName()] = cr
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	for _, run := range runs {
		if cur := current[run.Name]; cur == nil || cur.GetExternalID() != fingerprint(run) {
			if err := g.pace(ctx); err != nil {
				return err
			}
		}
		if err := g.setCheckRun(ctx, sha, run, current[run.Name]); err != nil {
			return g.fail(err, fmt.Sprintf("set check run %q on %s", run.Name, sha), permChecks, "")
		}
	}
	return nil
}

func (g *gitHub) setCheckRun(ctx context.Context, sha string, run CheckRun, cur *github.CheckRun) error {
	id := fingerprint(run)
	if cur != nil && cur.GetExternalID() == id {
		return nil
	}
	status, conclusion := "in_progress", (*string)(nil)
	if run.State != StatePending {
		status, conclusion = "completed", github.String(map[State]string{StateSuccess: "success", StateFailure: "failure", StateError: "failure"}[run.State])
	}
	var details *string
	if run.DetailsURL != "" {
		details = github.String(run.DetailsURL)
	}
	title, summary := cmp.Or(run.Title, run.Name), truncate(run.Summary, ghSummaryMax)
	batches := annotationBatches(run.Annotations)
	// The fingerprint goes with the last request, so that a run cut short
	// is written again next time.
	externalID := func(i int) *string {
		if i == len(batches)-1 {
			return &id
		}
		return nil
	}
	output := &github.CheckRunOutput{Title: &title, Summary: &summary, Annotations: batches[0]}
	var runID int64
	if cur != nil && cur.GetStatus() != "completed" && cur.GetOutput().GetAnnotationsCount() == 0 {
		runID = cur.GetID()
		_, _, err := g.c.Checks.UpdateCheckRun(ctx, g.owner, g.repo, runID, github.UpdateCheckRunOptions{
			Name: run.Name, DetailsURL: details, ExternalID: externalID(0), Status: &status, Conclusion: conclusion, Output: output,
		})
		if err != nil {
			return err
		}
	} else {
		for attempt := 0; ; attempt++ {
			cr, _, err := g.c.Checks.CreateCheckRun(ctx, g.owner, g.repo, github.CreateCheckRunOptions{
				Name: run.Name, HeadSHA: sha, DetailsURL: details, ExternalID: externalID(0), Status: &status, Conclusion: conclusion, Output: output,
			})
			if err == nil {
				runID = cr.GetID()
				break
			}
			if attempt == maxUnsureWrites || !unsure(err) {
				return err
			}
			// It may have been created: a run of this name newer than the
			// one replaced is this request's.
			if runID, err = g.newerRun(ctx, sha, run.Name, cur.GetID()); err != nil || runID != 0 {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	for i := 1; i < len(batches); i++ {
		_, _, err := g.c.Checks.UpdateCheckRun(ctx, g.owner, g.repo, runID, github.UpdateCheckRunOptions{
			Name: run.Name, ExternalID: externalID(i),
			Output: &github.CheckRunOutput{Title: &title, Summary: &summary, Annotations: batches[i]},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// newerRun returns the ID of the latest check run named name on sha when it
// is newer than the run after, or 0.
func (g *gitHub) newerRun(ctx context.Context, sha, name string, after int64) (int64, error) {
	opt := &github.ListCheckRunsOptions{CheckName: &name, Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	res, _, err := g.c.Checks.ListCheckRunsForRef(ctx, g.owner, g.repo, sha, opt)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, cr := range res.CheckRuns {
		if cr.GetName() == name && cr.GetID() > after && cr.GetID() > id {
			id = cr.GetID()
		}
	}
	return id, nil
}

// annotationBatches converts annotations into batches of at most 50; there
// is always at least one batch, possibly empty.
func annotationBatches(anns []Annotation) [][]*github.CheckRunAnnotation {
	batches := [][]*github.CheckRunAnnotation{nil}
	for _, a := range anns {
		last := len(batches) - 1
		if len(batches[last]) == ghAnnotationsMax {
			batches = append(batches, nil)
			last++
		}
		line := max(a.Line, 1)
		ga := &github.CheckRunAnnotation{
			Path: github.String(a.Path), StartLine: &line, EndLine: &line,
			AnnotationLevel: github.String(string(cmp.Or(a.Level, LevelWarning))), Message: github.String(a.Message),
		}
		if a.Title != "" {
			ga.Title = github.String(a.Title)
		}
		batches[last] = append(batches[last], ga)
	}
	return batches
}

// fingerprint identifies everything ordo writes into a check run.
func fingerprint(run CheckRun) string {
	b, _ := json.Marshal(run) // plain strings, ints and slices: cannot fail
	sum := sha256.Sum256(b)
	return "ordo:" + hex.EncodeToString(sum[:12])
}

func checkRuns(runs []CheckRun) error {
	seen := make(map[string]bool, len(runs))
	for _, r := range runs {
		if r.Name == "" {
			return exit.BadInputf("check run with state %q has no name", r.State)
		}
		if seen[r.Name] {
			return exit.BadInputf("check run %q is given twice: each name takes one run", r.Name)
		}
		seen[r.Name] = true
		if err := checkState(r.State); err != nil {
			return fmt.Errorf("check run %q: %w", r.Name, err)
		}
		for _, a := range r.Annotations {
			switch a.Level {
			case "", LevelNotice, LevelWarning, LevelFailure:
			default:
				return exit.BadInputf("check run %q: annotation level %q: use notice, warning or failure", r.Name, a.Level)
			}
			if a.Path == "" || a.Message == "" {
				return exit.BadInputf("check run %q: an annotation needs a path and a message", r.Name)
			}
		}
	}
	return nil
}
