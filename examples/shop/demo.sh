#!/usr/bin/env bash
# demo.sh: make a throwaway git repository from this example, commit a sample
# change, and ask ordo about it; then carry two releases of the shop through
# staging with a local record file, verifying each wave against a local
# stand-in for the shop's endpoints (examples/healthd): the first passes, the
# second trips the breaker and is rolled back. No network is used.
# Run it with `make demo` from the repository root.
set -euo pipefail

ordo=$(cd "$(dirname "${ORDO:-bin/ordo}")" && pwd)/$(basename "${ORDO:-bin/ordo}")
healthd=$(cd "$(dirname "${HEALTHD:-bin/healthd}")" && pwd)/$(basename "${HEALTHD:-bin/healthd}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(mktemp -d)
# What the demo writes besides the repository: the record, plans, the flags
# file and the board. Kept when ORDO_DEMO_OUT names a directory.
out=${ORDO_DEMO_OUT:-$(mktemp -d)}
mkdir -p "$out"
cleanup() {
	[ -z "${hd_pid:-}" ] || kill "$hd_pid" 2>/dev/null || true
	rm -rf "$repo"
	[ -n "${ORDO_DEMO_OUT:-}" ] || rm -rf "$out"
}
trap cleanup EXIT

cp -R "$here/." "$repo"
rm -f "$repo/demo.sh" "$repo/board.png"
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

# ---- Part 2: the record, verification, rollback, drills, flags, the board.
printf '\n# Part 2: two releases of the shop through staging (record: a local file)\n'
export ORDO_RECORD="$out/record.jsonl"
rm -f "$ORDO_RECORD"

# A stand-in for the shop's endpoints on 127.0.0.1; services listed in
# $out/down answer 503. The catalog's checks point at it, and measure
# quickly: the shop's own numbers (6 measurements 10 s apart, then 2 minutes
# of bake) are for real deploys.
"$healthd" -down "$out/down" -for 10m >"$out/healthd.url" &
hd_pid=$!
for _ in $(seq 50); do [ -s "$out/healthd.url" ] && break; sleep 0.1; done
SHOP_URL=$(head -n 1 "$out/healthd.url")
export SHOP_URL
sed -i.bak -e "s|https://{service}.{env}.shop.example.com/healthz|$SHOP_URL/{service}/healthz|" \
	-e 's|^    interval: 10s$|    interval: 100ms|' -e 's|^  bake: 2m |  bake: 0s |' ordo.yaml
rm -f ordo.yaml.bak
# What staging already runs is tagged: payments 3.9.0 and checkout-web 2.1.0.
git commit -qam "chore: point the checks at the local stand-in"
git tag payments/v3.9.0
git tag checkout-web/v2.1.0

# deploy PLAN: what the deploy jobs do around the user's deploy step (the
# actions and components do it for you), wave after wave until the plan has
# no more: record in_progress, deploy, record success, verify the wave.
deploy() {
	local w=0
	while "$ordo" env record --wave "$w" --plan-file "$1" --state in_progress 2>/dev/null; do
		: # ... the real deploy command runs here ...
		"$ordo" env record --wave "$w" --plan-file "$1" --state success 2>/dev/null
		"$ordo" verify --wave "$w" --plan-file "$1" --output "$out/verify-$w.txt" 2>/dev/null || return 1
		w=$((w + 1))
	done
	printf '\n(%d waves deployed and verified; wave 0 was verified like this:)\n' "$w"
	cat "$out/verify-0.txt"
}
release_of() { sed -n 's/^  "release": "\(.*\)",$/\1/p' "$1"; }

# Release 1: nothing runs in staging yet, so every service deploys.
run plan --env staging --plan-file "$out/plan-1.json"
deploy "$out/plan-1.json"
run env show staging
run flags --env staging --output "$out/flags.json"

# Release 2: a breaking change to payments. Rehearse its failure first.
printf '\n// Amounts are in minor units.\n' >>services/payments/main.go
git commit -qam "feat(payments)!: charge in minor units"
# The release step tags what versions computes (ordo release does it in CI).
run versions --service payments
git tag payments/v4.0.0
run plan --env staging --plan-file "$out/plan-2.json"
run drill --plan-file "$out/plan-2.json"
# It deploys, and payments comes up unhealthy: the flag turns on, then the
# verification trips the breaker.
echo payments >"$out/down"
"$ordo" env record --wave 0 --plan-file "$out/plan-2.json" --state success 2>/dev/null
run flags --env staging --output "$out/flags.json"
run verify --wave 0 --plan-file "$out/plan-2.json" || true
run rollback --plan-file "$out/plan-2.json"
# The rollback job redeploys what ran before and records it: the commit it
# undid, then the one that runs again.
release=$(release_of "$out/plan-2.json")
"$ordo" env record --env staging --service payments --phase rollback --state rolled_back --sha "$(git rev-parse HEAD)" --release "$release" 2>/dev/null
"$ordo" env record --env staging --service payments --phase rollback --state success --sha "$(git rev-parse HEAD~1)" --release "$release" 2>/dev/null
run env show staging
run flags --env staging --output "$out/flags.json"
run board --plan-file "$out/plan-2.json" --output "$out/board.html"
printf '\nThe flags file for flagd: %s; the release board: %s\n' "$out/flags.json" "$out/board.html"
