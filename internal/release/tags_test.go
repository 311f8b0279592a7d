package release

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

func TestComputeTags(t *testing.T) {
	t.Parallel()
	svc := []Service{{Name: "svc", Paths: []string{"svc/**"}}}
	tests := []struct {
		name    string
		build   func(r *testRepo)
		want    []want
		wantErr string // in Compute's error, exit 2
		// check checks more of res; debug is what Compute wrote to Debug.
		check func(t *testing.T, r *testRepo, res *Result, debug string)
	}{
		{
			name: "tags that are not semver are ignored, with a debug line",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				for _, tag := range []string{"svc/v1.0.0", "svc/vnext", "svc/v1.2", "svc/v01.2.3", "svc-other/v9.0.0"} {
					r.tag(tag)
				}
				r.commit("fix: second", "svc/a")
			},
			want: svcRelease("1.0.0", "1.0.1", "patch"),
			check: func(t *testing.T, _ *testRepo, _ *Result, debug string) {
				for _, tag := range []string{"svc/vnext", "svc/v1.2", "svc/v01.2.3"} {
					if !strings.Contains(debug, `ignoring tag "`+tag+`"`) {
						t.Errorf("no debug line for %s in:\n%s", tag, debug)
					}
				}
				if strings.Contains(debug, "svc-other") {
					t.Errorf("debug mentions another service's tag:\n%s", debug)
				}
			},
		},
		{
			name: "a tag of a tag is peeled to its commit",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("inner")
				r.git("tag", "-a", "-m", "outer", "svc/v1.0.0", "inner")
				r.commit("fix: second", "svc/a")
			},
			want: svcRelease("1.0.0", "1.0.1", "patch"),
			check: func(t *testing.T, _ *testRepo, res *Result, _ string) {
				if got := subjects(res.Releases[0]); !slices.Equal(got, []string{"second"}) {
					t.Errorf("commits = %q", got)
				}
			},
		},
		{
			name:    "a version that cannot be bumped is an error",
			build:   since("svc/v18446744073709551615.0.0", "feat!: second"),
			wantErr: "would overflow",
		},
		{
			name:  "a Release-As below the current version is released with a warning",
			build: since("svc/v2.0.0", "fix: back\n\nRelease-As: v1.5.0"),
			want:  svcRelease("2.0.0", "1.5.0", "major"),
			check: func(t *testing.T, _ *testRepo, res *Result, _ string) {
				if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "svc: Release-As 1.5.0 is below the current version 2.0.0") {
					t.Errorf("warnings = %q", res.Warnings)
				}
			},
		},
		{
			name:  "an existing tag for the computed version is reported, not moved",
			build: offBranch("svc/v1.0.0", "svc/v1.0.1"),
			want:  svcRelease("1.0.0", "1.0.1", "patch"),
			check: func(t *testing.T, r *testRepo, res *Result, _ string) {
				elsewhere := r.git("rev-parse", "svc/v1.0.1^{commit}")
				if rel := release(t, res, "svc"); !rel.TagExists || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `tag "svc/v1.0.1" already exists`) {
					t.Fatalf("TagExists=%v warnings=%q", rel.TagExists, res.Warnings)
				}
				created, err := CreateTags(context.Background(), r.repo(), res)
				if err != nil || len(created) != 0 {
					t.Fatalf("CreateTags = %v, %v; want nothing created", created, err)
				}
				if got := r.git("rev-parse", "svc/v1.0.1^{commit}"); got != elsewhere {
					t.Errorf("svc/v1.0.1 moved to %s", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			tt.build(r)
			var debug bytes.Buffer
			res, err := Compute(context.Background(), r.repo(), Config{}, svc, Options{Debug: &debug})
			if tt.wantErr != "" {
				if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want exit 2 with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			checkReleases(t, res, tt.want)
			if tt.check != nil {
				tt.check(t, r, res, debug.String())
			}
		})
	}
}

func TestCreateTags(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	services := []Service{
		{Name: "a", Paths: []string{"a/**"}},
		{Name: "flagd", Paths: []string{"providers/flagd/**"}, Tag: "providers/flagd/v{version}"},
	}
	r.commit("feat: a", "a/x")
	r.tag("a/v1.0.0")
	r.commit("fix: a", "a/x")
	head := r.commit("feat: flagd", "providers/flagd/x")
	ctx := context.Background()

	res := compute(t, r, Config{}, services, Options{})
	created, err := CreateTags(ctx, r.repo(), res)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/v1.0.1", "providers/flagd/v0.1.0"}; !slices.Equal(created, want) {
		t.Fatalf("created %q, want %q", created, want)
	}
	for _, tag := range created {
		if typ := r.git("cat-file", "-t", tag); typ != "tag" {
			t.Errorf("%s is a %s, want an annotated tag", tag, typ)
		}
		if got := r.git("rev-parse", tag+"^{commit}"); got != head {
			t.Errorf("%s points to %s, want head %s", tag, got, head)
		}
	}

	// The tags are now the current versions: nothing is left to release.
	if again := compute(t, r, Config{}, services, Options{}); len(again.Releases) != 0 {
		t.Errorf("after tagging, releases = %+v", again.Releases)
	}

	// A tag that appears between Compute and CreateTags is not overwritten.
	r.commit("fix: a again", "a/x")
	res = compute(t, r, Config{}, services, Options{})
	r.tag("a/v1.0.2", "HEAD~1")
	created, err = CreateTags(ctx, r.repo(), res)
	if err == nil || !strings.Contains(err.Error(), `create tag "a/v1.0.2"`) || len(created) != 0 {
		t.Fatalf("CreateTags over an existing tag = %v, %v", created, err)
	}
	if exit.Code(err) != exit.Env {
		t.Errorf("exit code %d, want %d (git failed)", exit.Code(err), exit.Env)
	}
}
