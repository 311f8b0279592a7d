// Package release turns conventional commits into per-service versions and
// release notes.
//
// It exists because a monorepo releases many services from one history: each
// service needs its own current version (from its own tags, not a sibling's
// with a common prefix), its own commits (by path), and its own next version,
// and a service whose dependency is released may need a release too. The
// versioning follows release-please's default strategy so that a team moving
// from release-please gets the versions it expects.
//
// The package reads git through internal/git and knows nothing of flags,
// terminals or forges: the CLI passes plain values in and renders the Result.
package release
