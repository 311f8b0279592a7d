package forge

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/ordo-ci/ordo/internal/exit"
)

// permDeployments is what a workflow token needs to write deployments.
const permDeployments = "deployments: write"

// DefaultDeploymentGap is the pause between two deployment writes: GitHub
// asks integrations to wait at least a second between requests that create
// content, and to stay under 80 a minute.
// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests
const DefaultDeploymentGap = time.Second

// Deployment is one deploy-phase record entry as GitHub shows it: a
// deployment of Ref to Environment for task deploy:<Service>, with a status.
// The record stays the truth; this is its mirror, never read back as such.
type Deployment struct {
	Environment string
	Service     string
	Ref         string // the full commit sha
	// Release groups the entries of one release: a success or failure is
	// added to the deployment its in_progress created.
	Release string
	// State is the record's deploy-phase state: in_progress, success or failure.
	State       string
	Description string
	LogURL      string // the CI run
	EnvURL      string // the environment's url:, when the catalog has one
	Production  bool   // the environment's tier is production
	// Entry is the record entry, sent as payload.ordo.
	Entry any
}

// Mirror writes deployments to GitHub, paced.
type Mirror struct {
	g     *gitHub
	token string
	gap   time.Duration
	sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	last time.Time // of the last write
}

// NewMirror returns the GitHub deployments mirror of cfg's repository; gap
// is the pause between writes (0: DefaultDeploymentGap, negative: none).
// GitLab has no mirror to write: there, the deploy job's own environment: is
// the deployment. It returns nil for GitLab.
func NewMirror(cfg Config, gap time.Duration) (*Mirror, error) {
	if cfg.Platform == GitLab {
		return nil, nil
	}
	if _, err := New(cfg); err != nil { // the same checks as every forge
		return nil, err
	}
	g, err := newGitHub(cfg, httpClient(cfg))
	if err != nil {
		return nil, redact(err, cfg.Token)
	}
	switch {
	case gap == 0:
		gap = DefaultDeploymentGap
	case gap < 0:
		gap = 0
	}
	s := cfg.Sleep
	if s == nil {
		s = sleep
	}
	return &Mirror{g: g, token: cfg.Token, gap: gap, sleep: s}, nil
}

// Mirror shows d on GitHub: in_progress creates a deployment (auto_merge
// false and no required contexts, so GitHub neither merges nor waits for
// checks) with its first status; success and failure add a status to the
// deployment of the same service, commit, environment and release,
// creating one if the in_progress was never mirrored. Statuses never mark
// older deployments inactive (auto_inactive false): what is inactive is the
// record's business.
//
// https://docs.github.com/en/rest/deployments/deployments#create-a-deployment
// https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
func (m *Mirror) Mirror(ctx context.Context, d Deployment) error {
	return redact(m.mirror(ctx, d), m.token)
}

func (m *Mirror) mirror(ctx context.Context, d Deployment) error {
	state := d.State
	switch state {
	case "in_progress", "success", "failure":
	default:
		return exit.BadInputf("github: deployment state %q is not a deploy-phase state", state)
	}
	task := "deploy:" + d.Service
	var id int64
	if state != "in_progress" {
		found, err := m.find(ctx, d, task)
		if err != nil {
			return err
		}
		id = found
	}
	if id == 0 {
		if err := m.pace(ctx); err != nil {
			return err
		}
		dep, _, err := m.g.c.Repositories.CreateDeployment(ctx, m.g.owner, m.g.repo, &github.DeploymentRequest{
			Ref:                   github.String(d.Ref),
			Task:                  github.String(task),
			AutoMerge:             github.Bool(false),
			RequiredContexts:      &[]string{},
			Payload:               map[string]any{"ordo": d.Entry},
			Environment:           github.String(d.Environment),
			Description:           github.String(truncate(d.Description, ghDescriptionMax)),
			ProductionEnvironment: github.Bool(d.Production),
		})
		if err != nil {
			return m.g.fail(err, "create the deployment of "+d.Service+" to "+d.Environment, permDeployments, "commit")
		}
		id = dep.GetID()
	}
	if err := m.pace(ctx); err != nil {
		return err
	}
	req := &github.DeploymentStatusRequest{
		State:        github.String(state),
		Description:  github.String(truncate(d.Description, ghDescriptionMax)),
		Environment:  github.String(d.Environment),
		AutoInactive: github.Bool(false),
	}
	if d.LogURL != "" {
		req.LogURL = github.String(d.LogURL)
	}
	if d.EnvURL != "" {
		req.EnvironmentURL = github.String(d.EnvURL)
	}
	if _, _, err := m.g.c.Repositories.CreateDeploymentStatus(ctx, m.g.owner, m.g.repo, id, req); err != nil {
		return m.g.fail(err, "set the status of the deployment of "+d.Service+" to "+d.Environment, permDeployments, "deployment")
	}
	return nil
}

// find returns the newest deployment of task at d.Ref in d.Environment whose
// payload names d.Release, or 0.
func (m *Mirror) find(ctx context.Context, d Deployment, task string) (int64, error) {
	deps, _, err := m.g.c.Repositories.ListDeployments(ctx, m.g.owner, m.g.repo, &github.DeploymentsListOptions{
		SHA: d.Ref, Task: task, Environment: d.Environment, ListOptions: github.ListOptions{PerPage: 30},
	})
	if err != nil {
		return 0, m.g.fail(err, "list the deployments of "+d.Service+" to "+d.Environment, "deployments: read", "commit")
	}
	for _, dep := range deps { // newest first
		if payloadRelease(dep.Payload) == d.Release {
			return dep.GetID(), nil
		}
	}
	return 0, nil
}

// payloadRelease reads payload.ordo.release from a deployment GitHub returns.
func payloadRelease(raw []byte) string {
	var p struct {
		Ordo struct {
			Release string `json:"release"`
		} `json:"ordo"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "\x00" // matches no release, not even ""
	}
	return p.Ordo.Release
}

// pace waits until gap has passed since the last write.
func (m *Mirror) pace(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.last.IsZero() {
		if wait := m.gap - time.Since(m.last); wait > 0 {
			if err := m.sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	m.last = time.Now()
	return nil
}
