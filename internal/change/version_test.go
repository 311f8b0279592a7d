package change

import (
	"slices"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestTagVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  string
		want string // "" when the tag holds no version
	}{
		{tag: "v1.2.3", want: "1.2.3"},
		{tag: "1.2.3", want: "1.2.3"},
		{tag: "users-api/v1.2.3", want: "1.2.3"},
		{tag: "providers/flagd/v0.10.0", want: "0.10.0"},
		{tag: "api2-v1.0.0-rc.1+build.5", want: "1.0.0-rc.1"},
		{tag: "svc_2.0.0", want: "2.0.0"},
		{tag: "svc@3.1.4", want: "3.1.4"},
		{tag: "v1.2", want: ""},
		{tag: "v01.2.3", want: ""},
		{tag: "v1.2.3-01", want: ""},
		{tag: "v1.2.3-", want: ""},
		{tag: "v1.2.3-a..b", want: ""},
		{tag: "release-2024.01.15", want: ""},
		{tag: "nightly", want: ""},
		{tag: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			v, ok := tagVersion(tt.tag)
			if ok != (tt.want != "") {
				t.Fatalf("tagVersion(%q) ok = %v, want %v", tt.tag, ok, tt.want != "")
			}
			if !ok {
				return
			}
			if w := semver.MustParse(tt.want); !v.Equal(w) || v.Prerelease() != w.Prerelease() {
				t.Errorf("tagVersion(%q) = %s, want %s", tt.tag, v, tt.want)
			}
		})
	}
}

func TestPreviousTags(t *testing.T) {
	t.Parallel()
	users := func(tag string) bool { return len(tag) > 6 && tag[:6] == "users/" }
	tests := []struct {
		name string
		tag  string
		tags []string // newest first, as git.Tags returns them
		same func(string) bool
		want []string
	}{
		{
			name: "highest lower version of the service",
			tag:  "users/v1.3.0",
			tags: []string{"users/v1.3.0", "orders/v9.0.0", "users/v1.10.0", "users/v1.2.0", "users/v1.3.0-rc.1", "users/v1.2.10", "users/v0.9.0"},
			same: users,
			want: []string{"users/v1.2.10", "users/v1.2.0", "users/v0.9.0"},
		},
		{
			name: "a prerelease follows prereleases",
			tag:  "users/v1.3.0-rc.2",
			tags: []string{"users/v1.3.0-rc.2", "users/v1.3.0-rc.1", "users/v1.2.0"},
			same: users,
			want: []string{"users/v1.3.0-rc.1", "users/v1.2.0"},
		},
		{
			name: "no service: any tag, unversioned ones last",
			tag:  "v2.0.0",
			tags: []string{"v2.0.0", "nightly", "users/v1.2.0", "v1.9.0", "v3.0.0"},
			want: []string{"v1.9.0", "users/v1.2.0", "nightly"},
		},
		{
			name: "equal versions keep the newest first",
			tag:  "v2.0.0",
			tags: []string{"b/v1.0.0", "a/v1.0.0"},
			want: []string{"b/v1.0.0", "a/v1.0.0"},
		},
		{
			name: "unversioned tag: newest first",
			tag:  "deploy-42",
			tags: []string{"deploy-42", "deploy-41", "v1.0.0", "deploy-40"},
			want: []string{"deploy-41", "v1.0.0", "deploy-40"},
		},
		{
			name: "first tag",
			tag:  "users/v0.1.0",
			tags: []string{"users/v0.1.0", "orders/v0.1.0"},
			same: users,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := previousTags(tt.tag, tt.tags, tt.same); !slices.Equal(got, tt.want) {
				t.Errorf("previousTags(%q) = %q, want %q", tt.tag, got, tt.want)
			}
		})
	}
}
