package forge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

// summary is each deployment the fake keeps, in a line.
func summary(fake *fakeGitHub) []string {
	var out []string
	for _, d := range fake.Deployments() {
		out = append(out, d.Environment+" "+d.Task+" "+d.SHA[:4]+" "+payloadRelease(d.Payload)+": "+strings.Join(d.Statuses, ","))
	}
	return out
}

func TestMirror(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	var s sleeps
	if m, err := NewMirror(ghConfig(fake, &s), 0); err != nil || m.gap != DefaultDeploymentGap {
		t.Fatalf("NewMirror(cfg, 0): gap %v, %v; want the default %v", m.gap, err, DefaultDeploymentGap)
	}
	// An hour between writes: the sleeps are fake but the clock is real, so
	// a short gap could pass by itself on a loaded machine and skip a pause.
	const gap = time.Hour
	m, err := NewMirror(ghConfig(fake, &s), gap)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sha := "abcd000000000000000000000000000000000000"
	dep := func(service, release, state string) Deployment {
		return Deployment{Environment: "production", Service: service, Ref: sha, Release: release, State: state,
			Description: service + " " + state, LogURL: "https://ci.example/run/1", EnvURL: "https://shop.example.com", Production: true,
			Entry: map[string]any{"service": service, "release": release, "state": state}}
	}
	for _, d := range []Deployment{
		dep("api", "r1", "in_progress"),
		dep("web", "r1", "in_progress"),
		dep("api", "r1", "success"),
		dep("web", "r1", "failure"),
		dep("api", "r2", "success"), // no in_progress mirrored: a deployment of its own
	} {
		if err := m.Mirror(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"production deploy:api abcd r1: in_progress,success",
		"production deploy:web abcd r1: in_progress,failure",
		"production deploy:api abcd r2: success",
	}
	if got := summary(fake); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("deployments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	body := fake.Bodies(ghPostDeployment)[0]
	for _, part := range []string{`"payload":{"ordo":{"release":"r1","service":"api","state":"in_progress"}}`, `"environment":"production"`, `"task":"deploy:api"`, `"production_environment":true`} {
		if !strings.Contains(body, part) {
			t.Errorf("deployment request %s lacks %s", body, part)
		}
	}
	// Writes are paced: 8 writes, a pause before each but the first.
	if n := len(s.all()); n != 7 {
		t.Errorf("%d pauses between 8 writes (%v), want 7", n, s.all())
	}
	for _, d := range s.all() {
		if d <= 0 || d > gap {
			t.Errorf("pause of %v, want up to %v", d, gap)
		}
	}
}

func TestMirrorForbidden(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	var s sleeps
	m, err := NewMirror(ghConfig(fake, &s), -1)
	if err != nil {
		t.Fatal(err)
	}
	fake.Inject(ghPostDeployment, fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	err = m.Mirror(context.Background(), Deployment{Environment: "staging", Service: "api", Ref: strings.Repeat("a", 40), State: "in_progress", Entry: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), `"deployments: write"`) || exit.Code(err) != exit.Env {
		t.Fatalf("Mirror = %v (exit %d), want exit 3 naming deployments: write", err, exit.Code(err))
	}
	if strings.Contains(err.Error(), ghToken) {
		t.Fatal("the token leaked into the error")
	}
}

func TestMirrorGitLab(t *testing.T) {
	t.Parallel()
	m, err := NewMirror(Config{Platform: GitLab, Token: "x", Repository: "g/p"}, time.Second)
	if m != nil || err != nil {
		t.Fatalf("NewMirror for GitLab = %v, %v; want nil: the deploy job's environment is the mirror", m, err)
	}
}
