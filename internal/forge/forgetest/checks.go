package forgetest

import (
	"net/http"
	"sort"
	"strconv"
)

// Annotation is a check run annotation.
type Annotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
}

// Output is a check run's output.
type Output struct {
	Title       string       `json:"title"`
	Summary     string       `json:"summary"`
	Annotations []Annotation `json:"annotations,omitempty"`
}

// Run is a check run as GitHub keeps it: Annotations are every annotation
// posted to it, since GitHub appends them on every update.
type Run struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	HeadSHA     string       `json:"head_sha"`
	Status      string       `json:"status"`
	Conclusion  string       `json:"conclusion,omitempty"`
	DetailsURL  string       `json:"details_url,omitempty"`
	ExternalID  string       `json:"external_id,omitempty"`
	Output      Output       `json:"-"`
	Annotations []Annotation `json:"-"`
}

func (run *Run) json() map[string]any {
	return map[string]any{
		"id": run.ID, "name": run.Name, "head_sha": run.HeadSHA, "status": run.Status,
		"conclusion": run.Conclusion, "details_url": run.DetailsURL, "external_id": run.ExternalID,
		"output": map[string]any{"title": run.Output.Title, "summary": run.Output.Summary, "annotations_count": len(run.Annotations)},
	}
}

// Runs are the check runs, oldest first.
func (f *GitHub) Runs() []Run {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Copies(f.runs, nil)
}

func (f *GitHub) handleRuns() {
	f.Handle(ListRuns, f.listRuns)
	HandleJSON(f.API, PostRun, f.postRun)
	HandleJSON(f.API, PatchRun, f.patchRun)
}

// https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference
func (f *GitHub) listRuns(w http.ResponseWriter, r *http.Request, _ []byte) {
	if r.URL.Query().Get("filter") != "latest" {
		f.tb.Errorf("list check runs without filter=latest: %s", r.URL.RawQuery)
	}
	f.mu.Lock()
	latest := map[string]*Run{}
	for _, run := range f.runs {
		if run.HeadSHA == r.PathValue("ref") {
			latest[run.Name] = run // later runs have higher IDs
		}
	}
	var list []map[string]any
	for _, run := range latest {
		list = append(list, run.json())
	}
	f.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i]["id"].(int64) < list[j]["id"].(int64) })
	total := len(list)
	WriteJSON(w, http.StatusOK, map[string]any{"total_count": total, "check_runs": Page(w, r, list)})
}

type runIn struct {
	Name       *string `json:"name"`
	HeadSHA    *string `json:"head_sha"`
	DetailsURL *string `json:"details_url"`
	ExternalID *string `json:"external_id"`
	Status     *string `json:"status"`
	Conclusion *string `json:"conclusion"`
	Output     *Output `json:"output"`
}

func (f *GitHub) applyRun(run *Run, in runIn) {
	if in.Name != nil {
		run.Name = *in.Name
	}
	if in.DetailsURL != nil {
		run.DetailsURL = *in.DetailsURL
	}
	if in.ExternalID != nil {
		run.ExternalID = *in.ExternalID
	}
	if in.Status != nil {
		run.Status = *in.Status
	}
	if in.Conclusion != nil {
		run.Conclusion, run.Status = *in.Conclusion, "completed"
	}
	if in.Output != nil {
		if len(in.Output.Annotations) > 50 {
			f.tb.Errorf("check run %q: %d annotations in one request, GitHub takes 50", run.Name, len(in.Output.Annotations))
		}
		run.Output.Title, run.Output.Summary = in.Output.Title, in.Output.Summary
		run.Annotations = append(run.Annotations, in.Output.Annotations...)
	}
}

// https://docs.github.com/en/rest/checks/runs#create-a-check-run
func (f *GitHub) postRun(w http.ResponseWriter, r *http.Request, in runIn) {
	if in.HeadSHA == nil {
		f.tb.Errorf("create check run without head_sha")
		WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	run := &Run{ID: f.NextID(), HeadSHA: *in.HeadSHA, Status: "queued"}
	f.applyRun(run, in)
	f.runs = append(f.runs, run)
	WriteJSON(w, http.StatusCreated, run.json())
}

// https://docs.github.com/en/rest/checks/runs#update-a-check-run
func (f *GitHub) patchRun(w http.ResponseWriter, r *http.Request, in runIn) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, run := range f.runs {
		if run.ID == id {
			f.applyRun(run, in)
			WriteJSON(w, http.StatusOK, run.json())
			return
		}
	}
	WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}
