package release

import (
	"context"
	"testing"
)

// want is one expected release; a service missing from a case's wants must
// not be released.
type want struct {
	service, current, next, bump, tag string
}

// TestReleasePleaseCompat checks versions against release-please's
// documented behaviour, each case on a real history. Sources, all in
// googleapis/release-please:
//
//	[default]  src/versioning-strategies/default.ts and its test
//	           test/versioning-strategies/default.ts: breaking -> major,
//	           feat/feature -> minor, else patch; bumpMinorPreMajor,
//	           bumpPatchForMinorPreMajor only below 1.0.0.
//	[base]     src/strategies/base.ts buildReleasePullRequest: the first
//	           commit (newest) with a Release-As wins over everything; no
//	           previous release -> initialReleaseVersion; a changelog with
//	           no user-facing commit (only hidden types) -> no release.
//	[commit]   src/commit.ts: "!" or a BREAKING CHANGE note marks breaking;
//	           a release-as footer (any case) is a RELEASE AS note; a
//	           message that does not parse is skipped.
//	[pr891]    PR #891 "commits with Release-As footer now create release".
//	[manifest] src/manifest.ts latestReleaseVersion/tagMatchesConfig: the
//	           tag's component must equal the package's exactly; tags not on
//	           the branch are skipped; the largest version wins.
//	[tagname]  src/util/tag-name.ts: component + separator + "v" + version,
//	           "/" as separator for Go modules (providers/flagd/v1.2.0).
func TestReleasePleaseCompat(t *testing.T) {
	t.Parallel()
	svc := []Service{{Name: "svc", Paths: []string{"svc/**"}}}
	cases := []struct {
		name     string
		cfg      Config
		services []Service // svc when nil
		build    func(r *testRepo)
		want     []want
	}{
		{
			name: "fix bumps patch [default]",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("fix: some bugfix", "svc/a")
				r.commit("docs: some documentation", "svc/b")
			},
			want: []want{{"svc", "1.2.3", "1.2.4", "patch", "svc/v1.2.4"}},
		},
		{
			name: "feat bumps minor [default]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("docs: some documentation", "svc/c")
				r.commit("fix: some bugfix", "svc/b")
				r.commit("feat: some feature", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "1.3.0", "minor", "svc/v1.3.0"}},
		},
		{
			name: "feature is a feat [default]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("feature: some feature", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "1.3.0", "minor", "svc/v1.3.0"}},
		},
		{
			name: "bang bumps major [default]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("docs: some documentation", "svc/c")
				r.commit("fix!: some bugfix", "svc/b")
				r.commit("feat: some feature", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "2.0.0", "major", "svc/v2.0.0"}},
		},
		{
			name: "BREAKING CHANGE footer bumps major like bang [commit]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("feat: allow config to extend other configs\n\nBREAKING CHANGE: `extends` key is now used for extending\n", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "2.0.0", "major", "svc/v2.0.0"}},
		},
		{
			name: "BREAKING-CHANGE footer is a synonym [commit]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("fix: encode\n\nBREAKING-CHANGE: encode no longer throws\n", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "2.0.0", "major", "svc/v2.0.0"}},
		},
		{
			name: "breaking change in a non-releasing type still releases [commit]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("chore(deps)!: drop node 16", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "2.0.0", "major", "svc/v2.0.0"}},
		},
		{
			name: "lower-case breaking change is not a breaking footer [commit]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("fix: x\n\nbreaking change: not a footer token\n", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "1.2.4", "patch", "svc/v1.2.4"}},
		},
		{
			name: "breaking pre-major bumps major by default [default]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat: some feature", "svc/a")
				r.commit("fix!: some bugfix", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "1.0.0", "major", "svc/v1.0.0"}},
		},
		{
			name: "bump_minor_pre_major: breaking pre-major bumps minor [default]",
			cfg:  Config{BumpMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat: some feature", "svc/a")
				r.commit("fix!: some bugfix", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "0.2.0", "minor", "svc/v0.2.0"}},
		},
		{
			name: "bump_minor_pre_major: no effect from 1.0.0 on [default]",
			cfg:  Config{BumpMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("fix!: some bugfix", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "2.0.0", "major", "svc/v2.0.0"}},
		},
		{
			name: "feat pre-major bumps minor by default [default]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat: some feature", "svc/a")
				r.commit("fix: some bugfix", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "0.2.0", "minor", "svc/v0.2.0"}},
		},
		{
			name: "bump_patch_for_minor_pre_major: feat pre-major bumps patch [default]",
			cfg:  Config{BumpPatchForMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat: some feature", "svc/a")
				r.commit("fix: some bugfix", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "0.1.3", "patch", "svc/v0.1.3"}},
		},
		{
			name: "bump_patch_for_minor_pre_major alone: breaking pre-major still bumps major [default]",
			cfg:  Config{BumpPatchForMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat!: some feature", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "1.0.0", "major", "svc/v1.0.0"}},
		},
		{
			name: "both pre-major switches: breaking bumps minor [default]",
			cfg:  Config{BumpMinorPreMajor: true, BumpPatchForMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat!: some feature", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "0.2.0", "minor", "svc/v0.2.0"}},
		},
		{
			name: "both pre-major switches: feat bumps patch [default]",
			cfg:  Config{BumpMinorPreMajor: true, BumpPatchForMinorPreMajor: true},
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v0.1.2")
				r.commit("feat: some feature", "svc/a")
			},
			want: []want{{"svc", "0.1.2", "0.1.3", "patch", "svc/v0.1.3"}},
		},
		{
			name: "Release-As sets the version over a breaking change [default][base]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("docs: some documentation", "svc/c")
				r.commit("fix!: some bugfix\n\nRelease-As: 3.1.2\n", "svc/b")
				r.commit("feat: some feature", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "3.1.2", "major", "svc/v3.1.2"}},
		},
		{
			name: "several Release-As: the newest wins [default][base]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("fix!: some bugfix\n\nRelease-As: 2.0.0\n", "svc/b")
				r.commit("docs: some documentation", "svc/c")
				r.commit("fix!: some bugfix\n\nRelease-As: 3.1.2\n", "svc/b")
				r.commit("feat: some feature", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "3.1.2", "major", "svc/v3.1.2"}},
		},
		{
			name: "Release-As on a chore commit releases [pr891]",
			build: func(r *testRepo) {
				r.commit("chore: init", "svc/a")
				r.tag("svc/v1.2.3")
				r.commit("chore: release 1.3.0\n\nrelease-as: 1.3.0\n", "svc/a")
			},
			want: []want{{"svc", "1.2.3", "1.3.0", "minor", "svc/v1.3.0"}},
		},
		{
			name: "Release-As without a previous release [base]",
			build: func(r *testRepo) {
				r.commit("feat: first\n\nRelease-As: 1.0.0\n", "svc/a")
			},
			want: []want{{"svc", "", "1.0.0", "minor", "svc/v1.0.0"}},
		},
		{
			name: "no previous release: initial version whatever the commits [base]",
			cfg:  Config{InitialVersion: "0.1.0"},
			build: func(r *testRepo) {
				r.commit("feat!: first", "svc/a")
				r.commit("fix: second", "svc/a")
			},
			want: []want{{"svc", "", "0.1.0", "major", "svc/v0.1.0"}},
		},
		{
			name: "only hidden types: no release [base]",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.0.0")
				for _, typ := range []string{"chore", "docs", "style", "refactor", "test", "build", "ci"} {
					r.commit(typ+": something", "svc/a")
				}
			},
		},
		{
			name: "messages that are not conventional never release [commit]",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.0.0")
				r.commit("Update README", "svc/a")
				r.commit("WIP feat: not at the start\n\nBREAKING CHANGE: ignored, the header does not parse\nRelease-As: 9.9.9\n", "svc/a")
			},
		},
		{
			name: "prerelease tags are set aside (SPEC §7; release-please would start from the prerelease)",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.0.0")
				r.commit("feat: second", "svc/a")
				r.tag("svc/v1.1.0-rc.1")
				r.commit("fix: third", "svc/a")
			},
			want: []want{{"svc", "1.0.0", "1.1.0", "minor", "svc/v1.1.0"}},
		},
		{
			name: "the largest version wins, not the newest tag [manifest]",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.10.0")
				r.commit("fix: backported", "svc/a")
				r.tag("svc/v1.9.1") // a later tag with a smaller version
				r.commit("fix: third", "svc/a")
			},
			want: []want{{"svc", "1.10.0", "1.10.1", "patch", "svc/v1.10.1"}},
		},
		{
			name: "tags not reachable from head are skipped [manifest]",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.tag("svc/v1.0.0")
				r.checkout("-b", "other")
				r.commit("feat: elsewhere", "svc/a")
				r.tag("svc/v5.0.0")
				r.checkout("main")
				r.commit("fix: here", "svc/a")
			},
			want: []want{{"svc", "1.0.0", "1.0.1", "patch", "svc/v1.0.1"}},
		},
		{
			name: "Go module tags path/vX.Y.Z [tagname]",
			services: []Service{
				{Name: "flagd", Paths: []string{"providers/flagd/**"}, Tag: "providers/flagd/v{version}"},
			},
			build: func(r *testRepo) {
				r.commit("feat: first", "providers/flagd/go.mod")
				r.tag("providers/flagd/v0.1.2")
				r.commit("feat(flagd): new option", "providers/flagd/x.go")
			},
			want: []want{{"flagd", "0.1.2", "0.2.0", "minor", "providers/flagd/v0.2.0"}},
		},
		{
			name: "a sibling module with a common prefix keeps its own tags [manifest]",
			services: []Service{
				{Name: "flagd", Paths: []string{"providers/flagd/**"}, Tag: "providers/flagd/v{version}"},
				{Name: "flagd-in-process", Paths: []string{"providers/flagd-in-process/**"}, Tag: "providers/flagd-in-process/v{version}"},
			},
			build: func(r *testRepo) {
				r.commit("feat: both", "providers/flagd/go.mod", "providers/flagd-in-process/go.mod")
				r.tag("providers/flagd/v1.2.0")
				r.tag("providers/flagd-in-process/v3.4.0")
				r.commit("fix: in-process only", "providers/flagd-in-process/x.go")
				r.tag("providers/flagd-in-process/v3.4.1")
				r.commit("feat: flagd only", "providers/flagd/x.go")
			},
			want: []want{{"flagd", "1.2.0", "1.3.0", "minor", "providers/flagd/v1.3.0"}},
		},
		{
			name: "sibling services under the default and a dash template [manifest]",
			cfg:  Config{Tag: "{service}-v{version}"},
			services: []Service{
				{Name: "flagd", Paths: []string{"flagd/**"}},
				{Name: "flagd-in-process", Paths: []string{"flagd-in-process/**"}},
			},
			build: func(r *testRepo) {
				r.commit("feat: both", "flagd/a", "flagd-in-process/a")
				r.tag("flagd-v1.0.0")
				r.tag("flagd-in-process-v2.0.0")
				r.commit("fix: flagd", "flagd/a")
				r.commit("feat: in-process", "flagd-in-process/a")
			},
			want: []want{
				{"flagd", "1.0.0", "1.0.1", "patch", "flagd-v1.0.1"},
				{"flagd-in-process", "2.0.0", "2.1.0", "minor", "flagd-in-process-v2.1.0"},
			},
		},
		{
			name: "commits before the current tag do not count",
			build: func(r *testRepo) {
				r.commit("feat!: old breaking change", "svc/a")
				r.tag("svc/v2.0.0")
				r.commit("fix: new", "svc/a")
			},
			want: []want{{"svc", "2.0.0", "2.0.1", "patch", "svc/v2.0.1"}},
		},
		{
			name: "lightweight tags count like annotated ones",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.lightTag("svc/v1.0.0")
				r.commit("fix: second", "svc/a")
			},
			want: []want{{"svc", "1.0.0", "1.0.1", "patch", "svc/v1.0.1"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			tc.build(r)
			services := tc.services
			if services == nil {
				services = svc
			}
			res, err := Compute(context.Background(), r.repo(), tc.cfg, services, Options{})
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			checkReleases(t, res, tc.want)
		})
	}
}

func checkReleases(t *testing.T, res *Result, wants []want) {
	t.Helper()
	var got []want
	for _, r := range res.Releases {
		got = append(got, want{r.Service, r.Current, r.Next, r.Bump, r.Tag})
	}
	if len(got) != len(wants) {
		t.Fatalf("releases:\n got %+v\nwant %+v", got, wants)
	}
	for i := range got {
		if got[i] != wants[i] {
			t.Errorf("release %d:\n got %+v\nwant %+v", i, got[i], wants[i])
		}
	}
}
