package release

import (
	"context"
	"strings"
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
		{name: "fix bumps patch [default]",
			build: since("svc/v1.2.3", "fix: some bugfix", "docs: some documentation"),
			want:  svcRelease("1.2.3", "1.2.4", "patch")},
		{name: "feat bumps minor [default]",
			build: since("svc/v1.2.3", "docs: some documentation", "fix: some bugfix", "feat: some feature"),
			want:  svcRelease("1.2.3", "1.3.0", "minor")},
		{name: "feature is a feat [default]",
			build: since("svc/v1.2.3", "feature: some feature"),
			want:  svcRelease("1.2.3", "1.3.0", "minor")},
		{name: "bang bumps major [default]",
			build: since("svc/v1.2.3", "docs: some documentation", "fix!: some bugfix", "feat: some feature"),
			want:  svcRelease("1.2.3", "2.0.0", "major")},
		{name: "BREAKING CHANGE footer bumps major like bang [commit]",
			build: since("svc/v1.2.3", "feat: allow config to extend other configs\n\nBREAKING CHANGE: `extends` key is now used for extending\n"),
			want:  svcRelease("1.2.3", "2.0.0", "major")},
		{name: "BREAKING-CHANGE footer is a synonym [commit]",
			build: since("svc/v1.2.3", "fix: encode\n\nBREAKING-CHANGE: encode no longer throws\n"),
			want:  svcRelease("1.2.3", "2.0.0", "major")},
		{name: "breaking change in a non-releasing type still releases [commit]",
			build: since("svc/v1.2.3", "chore(deps)!: drop node 16"),
			want:  svcRelease("1.2.3", "2.0.0", "major")},
		{name: "lower-case breaking change is not a breaking footer [commit]",
			build: since("svc/v1.2.3", "fix: x\n\nbreaking change: not a footer token\n"),
			want:  svcRelease("1.2.3", "1.2.4", "patch")},
		{name: "breaking pre-major bumps major by default [default]",
			build: since("svc/v0.1.2", "feat: some feature", "fix!: some bugfix"),
			want:  svcRelease("0.1.2", "1.0.0", "major")},
		{name: "bump_minor_pre_major: breaking pre-major bumps minor [default]", cfg: Config{BumpMinorPreMajor: true},
			build: since("svc/v0.1.2", "feat: some feature", "fix!: some bugfix"),
			want:  svcRelease("0.1.2", "0.2.0", "minor")},
		{name: "bump_minor_pre_major: no effect from 1.0.0 on [default]", cfg: Config{BumpMinorPreMajor: true},
			build: since("svc/v1.2.3", "fix!: some bugfix"),
			want:  svcRelease("1.2.3", "2.0.0", "major")},
		{name: "feat pre-major bumps minor by default [default]",
			build: since("svc/v0.1.2", "feat: some feature", "fix: some bugfix"),
			want:  svcRelease("0.1.2", "0.2.0", "minor")},
		{name: "bump_patch_for_minor_pre_major: feat pre-major bumps patch [default]", cfg: Config{BumpPatchForMinorPreMajor: true},
			build: since("svc/v0.1.2", "feat: some feature", "fix: some bugfix"),
			want:  svcRelease("0.1.2", "0.1.3", "patch")},
		{name: "bump_patch_for_minor_pre_major alone: breaking pre-major still bumps major [default]", cfg: Config{BumpPatchForMinorPreMajor: true},
			build: since("svc/v0.1.2", "feat!: some feature"),
			want:  svcRelease("0.1.2", "1.0.0", "major")},
		{name: "both pre-major switches: breaking bumps minor [default]", cfg: Config{BumpMinorPreMajor: true, BumpPatchForMinorPreMajor: true},
			build: since("svc/v0.1.2", "feat!: some feature"),
			want:  svcRelease("0.1.2", "0.2.0", "minor")},
		{name: "both pre-major switches: feat bumps patch [default]", cfg: Config{BumpMinorPreMajor: true, BumpPatchForMinorPreMajor: true},
			build: since("svc/v0.1.2", "feat: some feature"),
			want:  svcRelease("0.1.2", "0.1.3", "patch")},
		{name: "Release-As sets the version over a breaking change [default][base]",
			build: since("svc/v1.2.3", "docs: some documentation", "fix!: some bugfix\n\nRelease-As: 3.1.2\n", "feat: some feature"),
			want:  svcRelease("1.2.3", "3.1.2", "major")},
		{name: "several Release-As: the newest wins [default][base]",
			build: since("svc/v1.2.3", "fix!: some bugfix\n\nRelease-As: 2.0.0\n", "docs: some documentation", "fix!: some bugfix\n\nRelease-As: 3.1.2\n", "feat: some feature"),
			want:  svcRelease("1.2.3", "3.1.2", "major")},
		{name: "Release-As on a chore commit releases [pr891]",
			build: since("svc/v1.2.3", "chore: release 1.3.0\n\nrelease-as: 1.3.0\n"),
			want:  svcRelease("1.2.3", "1.3.0", "minor")},
		{name: "Release-As without a previous release [base]",
			build: since("", "feat: first\n\nRelease-As: 1.0.0\n"),
			want:  svcRelease("", "1.0.0", "minor")},
		{name: "no previous release: initial version whatever the commits [base]", cfg: Config{InitialVersion: "0.1.0"},
			build: since("", "feat!: first", "fix: second"),
			want:  svcRelease("", "0.1.0", "major")},
		{
			name: "only hidden types: no release [base]",
			build: since("svc/v1.0.0", "chore: something", "docs: something", "style: something", "refactor: something",
				"test: something", "build: something", "ci: something"),
		},
		{name: "messages that are not conventional never release [commit]",
			build: since("svc/v1.0.0", "Update README", "WIP feat: not at the start\n\nBREAKING CHANGE: ignored, the header does not parse\nRelease-As: 9.9.9\n")},
		{
			name:  "prerelease tags are set aside (SPEC §7; release-please would start from the prerelease)",
			build: since("svc/v1.0.0", "feat: second", "tag svc/v1.1.0-rc.1", "fix: third"),
			want:  svcRelease("1.0.0", "1.1.0", "minor"),
		},
		{
			name: "the largest version wins, not the newest tag [manifest]",
			// a later tag with a smaller version
			build: since("svc/v1.10.0", "fix: backported", "tag svc/v1.9.1", "fix: third"),
			want:  svcRelease("1.10.0", "1.10.1", "patch"),
		},
		{
			name:  "tags not reachable from head are skipped [manifest]",
			build: offBranch("svc/v1.0.0", "svc/v5.0.0"),
			want:  svcRelease("1.0.0", "1.0.1", "patch"),
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
			want: svcRelease("2.0.0", "2.0.1", "patch"),
		},
		{
			name: "lightweight tags count like annotated ones",
			build: func(r *testRepo) {
				r.commit("feat: first", "svc/a")
				r.lightTag("svc/v1.0.0")
				r.commit("fix: second", "svc/a")
			},
			want: svcRelease("1.0.0", "1.0.1", "patch"),
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

// since is the history most cases need: a first commit tagged tag (no
// commit and no tag when tag is ""), then commits, each changing svc; a
// commit "tag NAME" is none, but tags the one before.
func since(tag string, commits ...string) func(*testRepo) {
	return func(r *testRepo) {
		if tag != "" {
			r.commit("chore: init", "svc/a")
			r.tag(tag)
		}
		for _, c := range commits {
			if name, ok := strings.CutPrefix(c, "tag "); ok {
				r.tag(name)
				continue
			}
			r.commit(c, "svc/a")
		}
	}
}

// svcRelease is the one release of svc, tagged by the default template.
func svcRelease(current, next, bump string) []want {
	return []want{{"svc", current, next, bump, "svc/v" + next}}
}

// offBranch is a history where svc was released as tag on main and as
// other on a branch never merged, then fixed on main.
func offBranch(tag, other string) func(*testRepo) {
	return func(r *testRepo) {
		r.commit("feat: first", "svc/a")
		r.tag(tag)
		r.checkout("-b", "elsewhere")
		r.commit("fix: elsewhere", "svc/b")
		r.tag(other)
		r.checkout("main")
		r.commit("fix: here", "svc/a")
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
