// Package events makes the CDEvents (https://cdevents.dev, v0.5.1) that a
// release conducted by ordo emits, and sends them to their sinks: a JSON-lines
// file (--events FILE, ORDO_EVENTS) and a CloudEvents HTTP endpoint
// (--events-url URL). SPEC section 15 says which command emits what; this
// package is the one place that knows the CDEvents vocabulary, so that
// dashboards, the report and the board all read the same events.
//
// The API, for the commands:
//
//   - The constructors (PipelineRunQueued … EnvironmentModified) return one
//     CDEvent each: its type, subject and content as the schemas in
//     ../shared/cdevents-v0.5.1 define them, and ordo's own fields (Data) in
//     customData, never in subject.content, which allows no extra property.
//   - An Emitter (New) fills what every event shares — specversion, a fresh
//     id, the timestamp, source and the run uri — and writes each event to
//     every sink with Emit. A sink that fails is a warning, never an error:
//     events report a release, they must not stop one.
//   - ReadFile reads an events file back (ordo report, ordo board).
package events

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// SpecVersion is the CDEvents specification the events follow.
const SpecVersion = "0.5.1"

// The event types ordo emits: dev.cdevents.<subject>.<predicate>.<version>,
// with the versions the v0.5.1 schemas name.
const (
	TypePipelineRunQueued   = "dev.cdevents.pipelinerun.queued.0.3.0"
	TypePipelineRunStarted  = "dev.cdevents.pipelinerun.started.0.3.0"
	TypePipelineRunFinished = "dev.cdevents.pipelinerun.finished.0.3.0"
	TypeTaskRunStarted      = "dev.cdevents.taskrun.started.0.3.0"
	TypeTaskRunFinished     = "dev.cdevents.taskrun.finished.0.3.0"
	TypeServiceDeployed     = "dev.cdevents.service.deployed.0.3.0"
	TypeServiceUpgraded     = "dev.cdevents.service.upgraded.0.3.0"
	TypeServiceRolledBack   = "dev.cdevents.service.rolledback.0.3.0"
	TypeIncidentDetected    = "dev.cdevents.incident.detected.0.3.0"
	TypeEnvironmentModified = "dev.cdevents.environment.modified.0.3.0"
)

// Outcomes of a pipeline or task run (the schemas' enum).
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeCancel  = "cancel" // SIGINT or SIGTERM
	OutcomeError   = "error"  // ordo itself could not run (exit 3)
)

// CDEvent is one event as written: the JSON field names are the
// specification's.
type CDEvent struct {
	Context Context `json:"context"`
	Subject Subject `json:"subject"`
	// CustomData holds ordo's own fields; CustomDataContentType is then
	// application/json.
	CustomData            *Data  `json:"customData,omitempty"`
	CustomDataContentType string `json:"customDataContentType,omitempty"`
}

// Context is the CDEvents context. ID, Source, Timestamp and SpecVersion
// are the Emitter's to fill.
type Context struct {
	SpecVersion string `json:"specversion"`
	ID          string `json:"id"`
	Source      string `json:"source"`
	Type        string `json:"type"`
	// Timestamp is RFC 3339 with nanoseconds, in UTC.
	Timestamp string `json:"timestamp"`
	// ChainID is the release id: every event of one release shares it.
	ChainID string `json:"chainId,omitempty"`
}

// Subject is what the event is about. Content holds only the fields the
// event's schema defines; which ones depends on the type.
type Subject struct {
	ID      string  `json:"id"`
	Content Content `json:"content"`
}

// Content is the union of the subject content fields of the types ordo
// emits; each constructor sets only those its type allows.
type Content struct {
	PipelineName string `json:"pipelineName,omitempty"`
	TaskName     string `json:"taskName,omitempty"`
	Name         string `json:"name,omitempty"`
	// URI is the run: the CI run URL, else urn:ordo:release:<id>.
	URI         string `json:"uri,omitempty"`
	PipelineRun *Ref   `json:"pipelineRun,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	Errors      string `json:"errors,omitempty"`
	Environment *Ref   `json:"environment,omitempty"`
	Service     *Ref   `json:"service,omitempty"`
	ArtifactID  string `json:"artifactId,omitempty"`
	Description string `json:"description,omitempty"`
}

// Ref is a reference to another subject by id.
type Ref struct {
	ID string `json:"id"`
}

// Data is ordo's own fields, in customData. Every field is optional; each
// event carries those that say what ordo did.
type Data struct {
	Env     string `json:"env,omitempty"`
	Release string `json:"release,omitempty"`
	Service string `json:"service,omitempty"`
	SHA     string `json:"sha,omitempty"`
	Version string `json:"version,omitempty"`
	Wave    *int   `json:"wave,omitempty"`
	Phase   string `json:"phase,omitempty"`
	State   string `json:"state,omitempty"`
	Check   string `json:"check,omitempty"`
	// Head is the commit a release deploys (pipelinerun.queued).
	Head string `json:"head,omitempty"`
	// Waves and Jobs are the plan (pipelinerun.queued): enough for the
	// report to compare the plan with the outcome without the plan file.
	Waves []Wave `json:"waves,omitempty"`
	Jobs  []Job  `json:"jobs,omitempty"`
	// Services are a task run's services (a wave's, a verification's).
	Services []string `json:"services,omitempty"`
	// Checks are a verification's results, per service and check
	// (taskrun.finished of verify-N).
	Checks []Check `json:"checks,omitempty"`
	// Extra is for a command's fields that have no place above (the flags
	// of environment.modified, for example).
	Extra map[string]any `json:"extra,omitempty"`
}

// Wave is one wave of a plan.
type Wave struct {
	Index    int      `json:"index"`
	Services []string `json:"services"`
}

// Job is one planned deployment.
type Job struct {
	Service string `json:"service"`
	Wave    int    `json:"wave"`
	SHA     string `json:"sha,omitempty"`
	Version string `json:"version,omitempty"`
	// BaseSHA is what ran before (empty: nothing did).
	BaseSHA string `json:"base_sha,omitempty"`
}

// Check is one check's result for one service.
type Check struct {
	Service string `json:"service"`
	Check   string `json:"check"`
	Passed  bool   `json:"passed"`
	Error   string `json:"error,omitempty"`
}

// WaveTask and VerifyTask name a release's task runs: the subject id of
// wave N's task run is "<release>/wave-<N>", of its verification
// "<release>/verify-<N>".
func WaveTask(n int) string   { return fmt.Sprintf("wave-%d", n) }
func VerifyTask(n int) string { return fmt.Sprintf("verify-%d", n) }

// PipelineName is the pipeline of a release to env: "ordo/<env>".
func PipelineName(env string) string { return "ordo/" + env }

func newEvent(typ, release, subject string, c Content, d Data) CDEvent {
	if d.Release == "" {
		d.Release = release
	}
	return CDEvent{
		Context:    Context{Type: typ, ChainID: release},
		Subject:    Subject{ID: subject, Content: c},
		CustomData: &d, CustomDataContentType: "application/json",
	}
}

// PipelineRunQueued is plan --env: release is planned for env; d carries
// the plan's waves and jobs.
func PipelineRunQueued(env, release string, d Data) CDEvent {
	d.Env = env
	return newEvent(TypePipelineRunQueued, release, release, Content{PipelineName: PipelineName(env), URI: runURIMark}, d)
}

// PipelineRunStarted is the release's first record entry.
func PipelineRunStarted(env, release string, d Data) CDEvent {
	d.Env = env
	return newEvent(TypePipelineRunStarted, release, release, Content{PipelineName: PipelineName(env), URI: runURIMark}, d)
}

// PipelineRunFinished ends the release: outcome success after the last
// wave's verification, failure when the breaker trips or a rollback runs,
// cancel or error when ordo was stopped or could not run; errs says why.
func PipelineRunFinished(env, release, outcome, errs string, d Data) CDEvent {
	d.Env = env
	return newEvent(TypePipelineRunFinished, release, release,
		Content{PipelineName: PipelineName(env), URI: runURIMark, Outcome: outcome, Errors: errs}, d)
}

// TaskRunStarted starts task (WaveTask or VerifyTask) of release.
func TaskRunStarted(release, task string, d Data) CDEvent {
	return newEvent(TypeTaskRunStarted, release, release+"/"+task,
		Content{TaskName: task, URI: runURIMark, PipelineRun: &Ref{ID: release}}, d)
}

// TaskRunFinished ends task of release with outcome; errs says why.
func TaskRunFinished(release, task, outcome, errs string, d Data) CDEvent {
	return newEvent(TypeTaskRunFinished, release, release+"/"+task,
		Content{TaskName: task, URI: runURIMark, PipelineRun: &Ref{ID: release}, Outcome: outcome, Errors: errs}, d)
}

// ServiceDeployed is the first deploy success of service in env;
// ServiceUpgraded any later one; ServiceRolledBack a rollback's success.
// artifact is what now runs (Artifact).
func ServiceDeployed(env, release, service, artifact string, d Data) CDEvent {
	return serviceEvent(TypeServiceDeployed, env, release, service, artifact, d)
}

// ServiceUpgraded: see ServiceDeployed.
func ServiceUpgraded(env, release, service, artifact string, d Data) CDEvent {
	return serviceEvent(TypeServiceUpgraded, env, release, service, artifact, d)
}

// ServiceRolledBack: see ServiceDeployed.
func ServiceRolledBack(env, release, service, artifact string, d Data) CDEvent {
	return serviceEvent(TypeServiceRolledBack, env, release, service, artifact, d)
}

func serviceEvent(typ, env, release, service, artifact string, d Data) CDEvent {
	d.Env, d.Service = env, service
	return newEvent(typ, release, service, Content{Environment: &Ref{ID: env}, ArtifactID: artifact}, d)
}

// IncidentDetected is one failed check of one service in a verification:
// subject "<release>/<service>/<check>".
func IncidentDetected(env, release, service, check, artifact, description string, d Data) CDEvent {
	d.Env, d.Service, d.Check = env, service, check
	return newEvent(TypeIncidentDetected, release, release+"/"+service+"/"+check,
		Content{Environment: &Ref{ID: env}, Service: &Ref{ID: service}, ArtifactID: artifact, Description: description}, d)
}

// EnvironmentModified is ordo flags changing env's flags; release is the
// release that caused it, "" when none did. d.Extra carries the flags.
func EnvironmentModified(env, release string, d Data) CDEvent {
	d.Env = env
	return newEvent(TypeEnvironmentModified, release, env, Content{Name: env}, d)
}

// runURIMark stands for the run uri until the Emitter, which knows the CI
// run, replaces it.
const runURIMark = "urn:ordo:run"

// ReleaseURI is a release's run uri outside CI.
func ReleaseURI(release string) string { return "urn:ordo:release:" + release }

// Artifact returns what runs as a package URL: pkg:generic/<service>@<version>,
// or, when the service's with: has artifact, that template with {service},
// {version} and {sha} replaced. Version and sha are percent-encoded as purl
// wants (a build metadata "+" becomes %2B); without a version the sha is the
// version.
func Artifact(template, service, version, sha string) string {
	if version == "" {
		version = sha
	}
	if template == "" {
		return "pkg:generic/" + purlEscape(service) + "@" + purlEscape(version)
	}
	return strings.NewReplacer("{service}", service, "{version}", purlEscape(version), "{sha}", sha).Replace(template)
}

func purlEscape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
}

// OutcomeOf is the outcome of a run that ended with err: success for nil,
// cancel when ctx was cancelled (SIGINT, SIGTERM), error when ordo itself
// could not run (exit 3), failure otherwise.
func OutcomeOf(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return OutcomeSuccess
	case ctx.Err() != nil:
		return OutcomeCancel
	case exit.Code(err) == exit.Env:
		return OutcomeError
	}
	return OutcomeFailure
}
