#!/usr/bin/env bash
# demo.sh: make a throwaway git repository from this example, commit a sample
# change, and ask ordo about it. Run it with `make demo` from the repository root.
set -euo pipefail

ordo=$(cd "$(dirname "${ORDO:-bin/ordo}")" && pwd)/$(basename "${ORDO:-bin/ordo}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT

cp -R "$here/." "$repo"
rm "$repo/demo.sh"
cd "$repo"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com
# Fixed dates, so the demo prints the same commit ids on every machine.
export GIT_AUTHOR_DATE=2026-11-02T10:00:00Z GIT_COMMITTER_DATE=2026-11-02T10:00:00Z GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main
git add -A
git commit -qm "feat: the shop"

# The sample change: a fix in the auth library, and a docs edit that ordo ignores.
printf '\n// Blank reports whether a token is empty.\nfunc Blank(token string) bool { return token == "" }\n' >>libs/auth/token.go
echo "Call the on-call engineer first." >>docs/runbook.md
git commit -qam "fix(auth): reject blank tokens"

run() {
	printf '\n$ ordo %s\n' "$*"
	"$ordo" "$@"
}
run validate
run affected --base HEAD~1
run plan --base HEAD~1
