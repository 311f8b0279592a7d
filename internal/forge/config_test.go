package forge

import (
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := Config{Platform: GitHub, Repository: "acme/mono", Token: "ghs_0123456789abcdef", TokenEnv: "GITHUB_TOKEN"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown platform", func(c *Config) { c.Platform = "bitbucket" }, `unknown platform "bitbucket"`},
		{"repository without owner", func(c *Config) { c.Repository = "mono" }, "not owner/name"},
		{"repository with a path", func(c *Config) { c.Repository = "acme/mono/x" }, "not owner/name"},
		{"no token", func(c *Config) { c.Token = "" }, "set GITHUB_TOKEN"},
		{"not an http URL", func(c *Config) { c.BaseURL = "ftp://example.com" }, "not an http(s) URL"},
		{"no GitLab project", func(c *Config) { c.Platform, c.Repository = GitLab, "" }, "CI_PROJECT_ID"},
	}
	for _, tt := range tests {
		cfg := good
		tt.edit(&cfg)
		_, err := New(cfg)
		if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want exit 2 with %q", tt.name, err, tt.want)
		}
	}
}
