package forge

import (
	"strconv"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
)

// FromEnv builds a Config from the CI environment env; getenv reads the
// token, and nothing else, by its name.
//
// GitHub Actions (GITHUB_ACTIONS=true): the repository from
// GITHUB_REPOSITORY, the API from GITHUB_API_URL, the token from
// GITHUB_TOKEN, which a workflow must pass in itself
// (`env: {GITHUB_TOKEN: ${{ github.token }}}`).
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#default-environment-variables
//
// GitLab CI (GITLAB_CI=true): the project from CI_PROJECT_ID, the API from
// CI_API_V4_URL, the token from GITLAB_TOKEN or, when that is unset, from
// CI_JOB_TOKEN, which GitLab accepts for releases only.
// https://docs.gitlab.com/ci/variables/predefined_variables/
// https://docs.gitlab.com/ci/jobs/ci_job_token/
//
// tokenEnv, when not empty, names the variable to read the token from
// instead (--token-env); the CI_JOB_TOKEN fallback is then off. A missing
// token or repository is an exit.BadInput error naming the variable to set.
func FromEnv(env ci.Env, getenv func(string) string, tokenEnv string) (Config, error) {
	var cfg Config
	switch {
	case env.GitHub.Actions:
		cfg = Config{
			Platform:   GitHub,
			BaseURL:    env.GitHub.APIURL,
			Repository: env.GitHub.Repository,
			TokenEnv:   "GITHUB_TOKEN",
		}
		if cfg.Repository == "" {
			return Config{}, exit.BadInputf("GITHUB_REPOSITORY is not set: GitHub Actions sets it to owner/name; set it when running elsewhere")
		}
	case env.GitLab.CI:
		cfg = Config{
			Platform:   GitLab,
			BaseURL:    env.GitLab.APIURL,
			Repository: env.GitLab.ProjectID,
			TokenEnv:   "GITLAB_TOKEN",
		}
		if cfg.Repository == "" {
			return Config{}, exit.BadInputf("CI_PROJECT_ID is not set: GitLab CI sets it; set it to the project's ID or path when running elsewhere")
		}
		if id := env.GitLab.PipelineID; id != "" {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil || n <= 0 {
				return Config{}, exit.BadInputf("CI_PIPELINE_ID %q is not a pipeline ID: GitLab CI sets it to a positive number", id)
			}
			cfg.PipelineID = n
		}
	default:
		return Config{}, exit.BadInputf("no CI platform found: ordo posts to GitHub inside GitHub Actions (GITHUB_ACTIONS=true) and to GitLab inside GitLab CI (GITLAB_CI=true)")
	}
	if tokenEnv != "" {
		cfg.TokenEnv = tokenEnv
	}
	cfg.Token = getenv(cfg.TokenEnv)
	if cfg.Token == "" && cfg.Platform == GitLab && tokenEnv == "" {
		if jt := getenv("CI_JOB_TOKEN"); jt != "" {
			cfg.Token, cfg.TokenEnv, cfg.JobToken = jt, "CI_JOB_TOKEN", true
		}
	}
	if cfg.Token != "" {
		return cfg, nil
	}
	if cfg.Platform == GitHub {
		return Config{}, exit.BadInputf("%s is not set: pass the token to the step (env: {%s: ${{ github.token }}}), or name another variable with --token-env", cfg.TokenEnv, cfg.TokenEnv)
	}
	return Config{}, exit.BadInputf("%s is not set: set it to an access token with %s (a masked CI/CD variable), or name another variable with --token-env", cfg.TokenEnv, glNeeds)
}
