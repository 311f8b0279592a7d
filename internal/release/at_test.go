package release

import (
	"context"
	"testing"
)

func TestVersionsAt(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	first := r.commit("chore: start", "api/main.go", "db/schema.sql")
	r.tag("api/v1.2.0")
	r.commit("fix(api): bug", "api/main.go", "web/main.go")
	r.tag("api/v1.2.1")
	r.tag("api/v1.3.0-rc.1")
	head := r.commit("feat(web): page", "web/main.go")
	services := []Service{
		{Name: "api", Paths: []string{"api/**"}},
		{Name: "db", Paths: []string{"db/**"}},
		{Name: "web", Paths: []string{"web/**"}},
	}
	tests := []struct {
		name, at string
		only     []string
		want     map[string]string
	}{
		{"head", head, nil, map[string]string{
			"api": "1.2.1",              // the highest release tag reachable; the prerelease does not count
			"db":  "0.1.0+" + head[:12], // no tag, nothing releasable since: initial_version
			"web": "0.1.0+" + head[:12], // no tag: the next version (a first release is initial_version)
		}},
		{"an older commit", first, []string{"api", "web"}, map[string]string{
			"api": "1.2.0",
			"web": "0.1.0+" + first[:12],
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VersionsAt(context.Background(), r.repo(), Config{}, services, Options{Head: tt.at, Services: tt.only})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("VersionsAt = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
