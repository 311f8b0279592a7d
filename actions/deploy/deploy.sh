#!/usr/bin/env bash
# deploy.sh: the step of actions/deploy. Reads the job (a matrix entry of an
# environment's plan), records in_progress, runs the user's deploy command
# with the job in ORDO_* variables, and records success or failure; a
# cancelled run records failure. Every input arrives as an environment
# variable ORDO_INPUT_<NAME>, never inside the script (see run.sh).
#
# The record goes in through `ordo env record --service S --wave N --sha SHA
# --version V`: the matrix entry carries all of it, so the plan file need not
# travel from the plan job to every deploy job as an artifact.
set -euo pipefail

ordo=${ORDO:-ordo}
# shellcheck source-path=SCRIPTDIR source=../setup/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../setup/lib.sh"
fail() {
	printf '::error title=ordo deploy::input %s: %s\n' "$1" "$(escape "$2")"
	exit 2
}

command -v jq >/dev/null || fail job "jq is not on PATH; the action reads the job with it (GitHub's runners have it)"
job=${ORDO_INPUT_JOB:-}
jq -e 'type == "object"' >/dev/null 2>&1 <<<"$job" || fail job "is not a matrix entry as JSON: pass toJSON(matrix) inside an expression"
field() { jq -r --arg k "$1" '.[$k] // "" | tostring' <<<"$job"; }
service=$(field service) wave=$(field wave) sha=$(field sha) version=$(field version)
[[ $service =~ ^[a-z0-9][a-z0-9._-]*$ ]] || fail job "has no service (\"$service\"): pass toJSON(matrix) of the plan's waves"
[[ $wave =~ ^[0-9]+$ ]] || fail job "has no wave (\"$wave\")"
[[ $sha =~ ^[0-9a-f]{40}$ && -n $version ]] ||
	fail job "has no sha and version: plan with the plan action's environment input, whose jobs carry the commit and version they deploy"
env=${ORDO_INPUT_ENVIRONMENT:-}
[[ $env =~ ^[a-z0-9][a-z0-9._-]*$ ]] || fail environment "\"$env\" is not an environment name: use one of the catalog's environments"
case ${ORDO_INPUT_MIRROR:-true} in
true | false) mirror=${ORDO_INPUT_MIRROR:-true} ;;
*) fail mirror "\"$ORDO_INPUT_MIRROR\" is not a boolean: use true or false" ;;
esac
[ -n "${ORDO_INPUT_RUN:-}" ] || fail run "is empty: give the deploy command"
if [ -n "${ORDO_INPUT_WORKING_DIRECTORY:-}" ]; then
	cd -- "$ORDO_INPUT_WORKING_DIRECTORY" 2>/dev/null ||
		fail working-directory "\"$ORDO_INPUT_WORKING_DIRECTORY\" is not a directory (relative to $PWD)"
fi
token=${ORDO_INPUT_TOKEN:-}
run=$ORDO_INPUT_RUN
unset ORDO_INPUT_TOKEN ORDO_INPUT_RUN ORDO_INPUT_JOB

# ORDO_<KEY> for each with: key, named as in GitLab's child pipelines (plan.VariableName):
# ASCII letters upper-cased, anything but a letter or digit turned into _.
while IFS= read -r -d '' name && IFS= read -r -d '' value; do
	export "$name=$value"
done < <(jq -j '(.with // {}) | to_entries[] | "ORDO_" + (.key | ascii_upcase | gsub("[^A-Z0-9]"; "_")), "\u0000", (.value | tostring), "\u0000"' <<<"$job")
# ordo's own come last: a with: key of the same name does not replace them.
export ORDO_ENV=$env ORDO_SERVICE=$service ORDO_WAVE=$wave ORDO_SHA=$sha ORDO_VERSION=$version ORDO_RELEASE=${ORDO_INPUT_RELEASE:-}

# record STATE: one entry for this job. The token reaches ordo alone, as
# GITHUB_TOKEN; the deploy command does not get it from here.
record() {
	local args=(env record --env "$ORDO_ENV" --service "$ORDO_SERVICE" --wave "$ORDO_WAVE" --sha "$ORDO_SHA"
		--version "$ORDO_VERSION" --state "$1" --mirror="$mirror")
	if [ -n "${ORDO_INPUT_CONFIG:-}" ]; then args+=(--config "$ORDO_INPUT_CONFIG"); fi
	if [ -n "$ORDO_RELEASE" ]; then args+=(--release "$ORDO_RELEASE"); fi
	GITHUB_TOKEN=$token "$ordo" "${args[@]}"
}

record in_progress
trap 'record failure; exit 130' INT TERM
status=0
bash -eo pipefail -c "$run" || status=$?
trap - INT TERM
if [ "$status" -ne 0 ]; then
	record failure
	printf '::error title=ordo deploy::%s\n' "$(escape "deploying $ORDO_SERVICE to $ORDO_ENV failed (exit $status); recorded as failure")"
	exit "$status"
fi
record success
