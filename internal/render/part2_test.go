package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/drill"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/rollback"
	"github.com/ordo-ci/ordo/internal/verify"
)

func sha(c string) string { return strings.Repeat(c, 40) }

// The three Part 2 documents of one release: a wave verified with one
// failure, its rollback, and the drill of that wave.
func TestPart2Renderers(t *testing.T) {
	t.Parallel()
	wave := 1
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	v := &verify.Result{Schema: verify.Schema, Env: "prod", Wave: &wave, Release: "prod-R", Failed: 1, MaxFailed: 1, Tripped: true,
		Services: []verify.ServiceResult{
			{Name: "api", State: verify.StateFailed, Checks: []verify.CheckResult{{Name: "healthz", Reason: "status 503, want 2xx",
				Measurements: []verify.Measurement{{At: at, Value: "200", Passed: true}, {At: at, Value: "503", Error: "status 503, want 2xx"}}}}},
			{Name: "db", Passed: true, State: verify.StateNoChecks, Checks: []verify.CheckResult{}},
			{Name: "worker", State: verify.StateStopped, Checks: []verify.CheckResult{{Name: "healthz",
				Measurements: []verify.Measurement{{At: at, Value: "200", Passed: true}}}}},
		}}
	r := &rollback.Rollback{Schema: rollback.Schema, Env: "prod", Release: "prod-R",
		Waves: []plan.Wave{{Index: 0, Services: []string{"api", "worker"}}},
		Services: []rollback.Service{
			{Name: "web", Wave: 2, From: rollback.Ref{SHA: sha("b"), Version: "2.0.0"}, Reason: rollback.ReasonNeverDeployed},
			{Name: "api", Wave: 1, From: rollback.Ref{SHA: sha("b"), Version: "2.0.0"}, Target: &rollback.Ref{SHA: sha("a"), Version: "1.0.0"}, Reason: rollback.ReasonPrevious, Job: true},
			{Name: "worker", Wave: 1, From: rollback.Ref{SHA: sha("b"), Version: "2.0.0"}, Target: &rollback.Ref{SHA: sha("a"), Version: "1.0.0"}, Reason: rollback.ReasonPrevious, Job: true},
			{Name: "db", Wave: 0, From: rollback.Ref{SHA: sha("b"), Version: "2.0.0"}, Target: &rollback.Ref{SHA: sha("a"), Version: "1.0.0"}, Irreversible: true, Reason: rollback.ReasonIrreversible},
		},
		Left: []string{"web"}, Superseded: []string{"search"}}
	svc := "api"
	d := &drill.Doc{Schema: drill.Schema, Env: "prod", Notes: []string{}, Drills: []drill.Drill{{
		FailWave: 1, FailService: &svc, Failed: []string{"api"}, New: []string{"api", "db", "worker"}, Old: []string{"web"}, NotRunning: []string{"search"},
		Rollback: []drill.RollbackWave{{Index: 0, Services: []drill.RollbackStep{{Name: "api", Target: &rollback.Ref{SHA: sha("a"), Version: "1.0.0"}}, {Name: "worker", Target: &rollback.Ref{SHA: sha("a"), Version: "1.0.0"}}}}},
		Left:     []string{}, Irreversible: []string{"db"}, FlagsOff: []string{},
		BrokenContracts: []gate.BrokenContract{{Consumer: "web", Provider: "api", Contract: "users", Constraint: "^1.0", Version: "2.0.0"}},
	}}}
	p := &plan.Plan{Waves: []plan.Wave{{Index: 0, Services: []string{"db"}}, {Index: 1, Services: []string{"api", "worker"}}, {Index: 2, Services: []string{"search", "web"}}},
		Jobs: []plan.Job{{Service: "db"}, {Service: "api", After: []string{"db"}}, {Service: "worker", After: []string{"db"}}, {Service: "search", After: []string{"api"}}, {Service: "web", After: []string{"api"}}}}

	var b bytes.Buffer
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"verify text", func() error { return VerifyText(&b, v) }},
		{"verify markdown", func() error { return VerifyMarkdown(&b, v) }},
		{"rollback text", func() error { return RollbackText(&b, r) }},
		{"rollback markdown", func() error { return RollbackMarkdown(&b, r) }},
		{"drill text", func() error { return DrillText(&b, d) }},
		{"drill markdown", func() error { return DrillMarkdown(&b, d) }},
		{"drill mermaid", func() error { return DrillMermaid(&b, d, p) }},
	} {
		b.WriteString("== " + step.name + "\n")
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	golden.Check(t, filepath.Join("testdata", "part2.txt"), b.Bytes())
}
