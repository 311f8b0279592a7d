package forge

import (
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// The forge's tests talk to forgetest's fake GitHub, the one the command
// line's scripts use too: every request is checked against GitHub's OpenAPI
// description. These names keep the tests short.

const (
	ghToken = "ghs_fake0TOKEN0never0printed"
	ghOwner = "acme"
	ghRepo  = "mono"
	ghBase  = forgetest.Base
	ghLogin = forgetest.Login
	ghBot   = forgetest.Bot
)

// Route patterns of the fake GitHub, also used to count calls.
const (
	ghGetStatus     = forgetest.GetStatus
	ghPostStatus    = forgetest.PostStatus
	ghListComments  = forgetest.ListComments
	ghPostComment   = forgetest.PostComment
	ghPatchComment  = forgetest.PatchComment
	ghDeleteComment = forgetest.DeleteComment
	ghGetRelease    = forgetest.GetRelease
	ghPostRelease   = forgetest.PostRelease
	ghPatchRelease  = forgetest.PatchRelease
	ghListRuns      = forgetest.ListRuns
	ghPostRun       = forgetest.PostRun
	ghPatchRun      = forgetest.PatchRun
	ghGetUser       = forgetest.GetUser
	ghGraphQL       = forgetest.GraphQL
	ghListLabels    = forgetest.ListLabels
	ghCommitPulls   = forgetest.CommitPulls
	ghBranchRules   = forgetest.BranchRules
	ghGetBranch     = forgetest.GetBranch

	ghListDeployments  = forgetest.ListDeployments
	ghPostDeployment   = forgetest.PostDeployment
	ghPostDeployStatus = forgetest.PostDeployStatus
)

type (
	fakeGitHub = forgetest.GitHub
	ghUser     = forgetest.User
	ghStatus   = forgetest.Status
	ghComment  = forgetest.Comment
	ghRelease  = forgetest.Release
	fault      = forgetest.Fault
)

func newFakeGitHub(t testing.TB) *fakeGitHub {
	t.Helper()
	return forgetest.Start(t, ghOwner+"/"+ghRepo, ghToken)
}

// ghConfig is a Config for the fake that never really waits.
func ghConfig(f *fakeGitHub, s *sleeps) Config {
	return Config{
		Platform:       GitHub,
		BaseURL:        f.URL(),
		Repository:     ghOwner + "/" + ghRepo,
		Token:          ghToken,
		TokenEnv:       "GITHUB_TOKEN",
		RequestTimeout: 5 * time.Second,
		Sleep:          s.sleep,
	}
}
