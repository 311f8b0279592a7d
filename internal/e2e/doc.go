// Package e2e tests ordo where its users meet it: the GitHub actions under
// actions/ run by nektos/act on this machine, the GitLab CI/CD components
// under templates/ run by gitlab-ci-local, the installer of actions/setup
// against a release server on 127.0.0.1, and the inputs of both kept in step
// with the command line's flags. It has no code of its own, only tests.
//
// The tests drive external tools, found through ORDO_ACT, ORDO_ACTIONLINT,
// ORDO_SHELLCHECK and ORDO_GITLAB_CI_LOCAL (paths) or on PATH; without one,
// the tests that need it are skipped, unless ORDO_REQUIRE_TOOLS=1, as in
// .ci/run, which installs them.
package e2e
