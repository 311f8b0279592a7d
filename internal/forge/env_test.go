package forge

import (
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
)

func TestFromEnv(t *testing.T) {
	t.Parallel()
	gh := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/mono",
		"GITHUB_API_URL": "https://ghes.example.com/api/v3", "GITHUB_TOKEN": "ghs_secret",
	}
	gl := map[string]string{
		"GITLAB_CI": "true", "CI_PROJECT_ID": "42", "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
		"GITLAB_TOKEN": "glpat-secret", "CI_JOB_TOKEN": "glcbt-job",
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		tokenEnv string
		want     Config
		wantErr  string
	}{
		{"GitHub Actions", gh, "",
			Config{Platform: GitHub, BaseURL: "https://ghes.example.com/api/v3", Repository: "acme/mono", Token: "ghs_secret", TokenEnv: "GITHUB_TOKEN"}, ""},
		{"GitHub with --token-env", with(gh, "RELEASE_TOKEN", "ghp_other"), "RELEASE_TOKEN",
			Config{Platform: GitHub, BaseURL: "https://ghes.example.com/api/v3", Repository: "acme/mono", Token: "ghp_other", TokenEnv: "RELEASE_TOKEN"}, ""},
		{"GitHub without a token", with(gh, "GITHUB_TOKEN", ""), "", Config{}, "GITHUB_TOKEN is not set: pass the token to the step"},
		{"GitHub with an empty --token-env variable", gh, "RELEASE_TOKEN", Config{}, "RELEASE_TOKEN is not set"},
		{"GitHub without a repository", with(gh, "GITHUB_REPOSITORY", ""), "", Config{}, "GITHUB_REPOSITORY is not set"},
		{"GitLab CI", gl, "",
			Config{Platform: GitLab, BaseURL: "https://gitlab.example.com/api/v4", Repository: "42", Token: "glpat-secret", TokenEnv: "GITLAB_TOKEN"}, ""},
		{"GitLab falls back to CI_JOB_TOKEN", with(gl, "GITLAB_TOKEN", ""), "",
			Config{Platform: GitLab, BaseURL: "https://gitlab.example.com/api/v4", Repository: "42", Token: "glcbt-job", TokenEnv: "CI_JOB_TOKEN", JobToken: true}, ""},
		{"GitLab --token-env does not fall back", with(gl, "GITLAB_TOKEN", ""), "ORDO_TOKEN", Config{}, "ORDO_TOKEN is not set"},
		{"GitLab without any token", with(gl, "GITLAB_TOKEN", "", "CI_JOB_TOKEN", ""), "", Config{}, "GITLAB_TOKEN is not set: set it to an access token with the api scope"},
		{"GitLab without a project", with(gl, "CI_PROJECT_ID", ""), "", Config{}, "CI_PROJECT_ID is not set"},
		{"GitLab pipeline", with(gl, "CI_PIPELINE_ID", "987"), "",
			Config{Platform: GitLab, BaseURL: "https://gitlab.example.com/api/v4", Repository: "42", Token: "glpat-secret", TokenEnv: "GITLAB_TOKEN", PipelineID: 987}, ""},
		{"GitLab pipeline ID not a number", with(gl, "CI_PIPELINE_ID", "12a"), "", Config{}, `CI_PIPELINE_ID "12a" is not a pipeline ID`},
		{"no CI", map[string]string{"GITHUB_TOKEN": "x"}, "", Config{}, "no CI platform found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tt.env[k] }
			got, err := FromEnv(ci.ReadEnv(getenv), getenv, tt.tokenEnv)
			if tt.wantErr != "" {
				if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want exit 2 with %q", err, tt.wantErr)
				}
				for _, v := range tt.env {
					if strings.Contains(v, "secret") && strings.Contains(err.Error(), v) {
						t.Errorf("error shows a token: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Platform != tt.want.Platform || got.BaseURL != tt.want.BaseURL || got.Repository != tt.want.Repository ||
				got.Token != tt.want.Token || got.TokenEnv != tt.want.TokenEnv || got.JobToken != tt.want.JobToken || got.PipelineID != tt.want.PipelineID {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if _, err := New(got); err != nil {
				t.Errorf("New: %v", err)
			}
		})
	}
}
