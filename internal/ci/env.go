package ci

import (
	"cmp"
	"fmt"
	"path/filepath"
)

// Env is the CI environment: every GITHUB_*, RUNNER_*, CI_* and GITLAB_*
// variable ordo reads, read once by ReadEnv when a command starts and passed
// down as a value. No other package reads these variables, so each has one
// meaning, and a test states the CI it means as a struct.
//
// Tokens are not here: they are secrets, read by name where they are used
// (forge.FromEnv, --token-env), so an Env can be printed or compared safely.
type Env struct {
	GitHub GitHubEnv
	GitLab GitLabEnv
}

// GitHubEnv is GitHub Actions' default environment.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#default-environment-variables
type GitHubEnv struct {
	Actions     bool   // GITHUB_ACTIONS=true: ordo runs inside GitHub Actions
	EventName   string // GITHUB_EVENT_NAME
	EventPath   string // GITHUB_EVENT_PATH: the webhook payload
	SHA         string // GITHUB_SHA
	Ref         string // GITHUB_REF
	Repository  string // GITHUB_REPOSITORY: owner/name
	ServerURL   string // GITHUB_SERVER_URL
	APIURL      string // GITHUB_API_URL
	RunID       string // GITHUB_RUN_ID
	Workspace   string // GITHUB_WORKSPACE: the repository's root
	Output      string // GITHUB_OUTPUT: the step outputs file
	StepSummary string // GITHUB_STEP_SUMMARY
	RunnerTemp  string // RUNNER_TEMP: a directory emptied after each job
}

// GitLabEnv is GitLab CI's predefined variables.
// https://docs.gitlab.com/ci/variables/predefined_variables/
type GitLabEnv struct {
	CI                   bool   // GITLAB_CI=true: ordo runs inside GitLab CI
	PipelineSource       string // CI_PIPELINE_SOURCE
	PipelineID           string // CI_PIPELINE_ID
	PipelineURL          string // CI_PIPELINE_URL
	JobName              string // CI_JOB_NAME
	JobURL               string // CI_JOB_URL
	CommitSHA            string // CI_COMMIT_SHA
	CommitBeforeSHA      string // CI_COMMIT_BEFORE_SHA
	CommitBranch         string // CI_COMMIT_BRANCH
	CommitTag            string // CI_COMMIT_TAG
	DefaultBranch        string // CI_DEFAULT_BRANCH
	ProjectID            string // CI_PROJECT_ID
	ProjectURL           string // CI_PROJECT_URL
	APIURL               string // CI_API_V4_URL
	MergeRequestIID      string // CI_MERGE_REQUEST_IID
	MergeRequestLabels   string // CI_MERGE_REQUEST_LABELS: comma-separated
	MergeRequestEvent    string // CI_MERGE_REQUEST_EVENT_TYPE
	MergeRequestDiffBase string // CI_MERGE_REQUEST_DIFF_BASE_SHA
	MergeRequestTarget   string // CI_MERGE_REQUEST_TARGET_BRANCH_SHA
	MergeRequestSource   string // CI_MERGE_REQUEST_SOURCE_BRANCH_SHA
}

// ReadEnv reads the CI environment through getenv (os.Getenv in ordo, a map
// in tests). A nil getenv reads nothing: outside any CI.
func ReadEnv(getenv func(string) string) Env {
	if getenv == nil {
		return Env{}
	}
	return Env{
		GitHub: GitHubEnv{
			Actions:     getenv("GITHUB_ACTIONS") == "true",
			EventName:   getenv("GITHUB_EVENT_NAME"),
			EventPath:   getenv("GITHUB_EVENT_PATH"),
			SHA:         getenv("GITHUB_SHA"),
			Ref:         getenv("GITHUB_REF"),
			Repository:  getenv("GITHUB_REPOSITORY"),
			ServerURL:   getenv("GITHUB_SERVER_URL"),
			APIURL:      getenv("GITHUB_API_URL"),
			RunID:       getenv("GITHUB_RUN_ID"),
			Workspace:   getenv("GITHUB_WORKSPACE"),
			Output:      getenv("GITHUB_OUTPUT"),
			StepSummary: getenv("GITHUB_STEP_SUMMARY"),
			RunnerTemp:  getenv("RUNNER_TEMP"),
		},
		GitLab: GitLabEnv{
			CI:                   getenv("GITLAB_CI") == "true",
			PipelineSource:       getenv("CI_PIPELINE_SOURCE"),
			PipelineID:           getenv("CI_PIPELINE_ID"),
			PipelineURL:          getenv("CI_PIPELINE_URL"),
			JobName:              getenv("CI_JOB_NAME"),
			JobURL:               getenv("CI_JOB_URL"),
			CommitSHA:            getenv("CI_COMMIT_SHA"),
			CommitBeforeSHA:      getenv("CI_COMMIT_BEFORE_SHA"),
			CommitBranch:         getenv("CI_COMMIT_BRANCH"),
			CommitTag:            getenv("CI_COMMIT_TAG"),
			DefaultBranch:        getenv("CI_DEFAULT_BRANCH"),
			ProjectID:            getenv("CI_PROJECT_ID"),
			ProjectURL:           getenv("CI_PROJECT_URL"),
			APIURL:               getenv("CI_API_V4_URL"),
			MergeRequestIID:      getenv("CI_MERGE_REQUEST_IID"),
			MergeRequestLabels:   getenv("CI_MERGE_REQUEST_LABELS"),
			MergeRequestEvent:    getenv("CI_MERGE_REQUEST_EVENT_TYPE"),
			MergeRequestDiffBase: getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
			MergeRequestTarget:   getenv("CI_MERGE_REQUEST_TARGET_BRANCH_SHA"),
			MergeRequestSource:   getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"),
		},
	}
}

// CommitSHA is the commit the CI run is for (GITHUB_SHA, CI_COMMIT_SHA), ""
// outside CI.
func (e Env) CommitSHA() string { return cmp.Or(e.GitHub.SHA, e.GitLab.CommitSHA) }

// RunURL links to the CI run: the Actions run, else the GitLab job or
// pipeline; "" outside CI.
func (e Env) RunURL() string {
	if e.GitHub.RunID != "" && e.GitHub.Repository != "" {
		return fmt.Sprintf("%s/%s/actions/runs/%s", e.githubServer(), e.GitHub.Repository, e.GitHub.RunID)
	}
	return cmp.Or(e.GitLab.JobURL, e.GitLab.PipelineURL)
}

// RepositoryURL is the repository's web page, "" outside CI.
func (e Env) RepositoryURL() string {
	if e.GitHub.Repository != "" {
		return e.githubServer() + "/" + e.GitHub.Repository
	}
	return e.GitLab.ProjectURL
}

func (e Env) githubServer() string { return cmp.Or(e.GitHub.ServerURL, "https://github.com") }

// RepoPath is file as GitHub places annotations: relative to the
// repository's root (GITHUB_WORKSPACE), not to the directory ordo runs in
// (an action's working-directory). A file outside the workspace, or outside
// Actions, is kept as it is.
func (e Env) RepoPath(file string) string {
	ws := e.GitHub.Workspace
	if file == "" || ws == "" {
		return file
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return file
	}
	rel, err := filepath.Rel(ws, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return file
	}
	return filepath.ToSlash(rel)
}
