#!/usr/bin/env bash
# run.sh COMMAND: runs `ordo COMMAND` with the flags that the calling
# action's inputs ask for. Each input arrives as an environment variable
# ORDO_INPUT_<NAME> (the action's `env:`), never as an expression inside a
# script, so no input value can become shell code:
# https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections
#
# ordo reports its own errors as annotations; this script checks what only
# the action knows, so that a wrong value fails the step with an annotation
# that names the input. An input the action does not set is simply absent.
#
# Other environment: ORDO (the binary; default `ordo` on PATH), ORDO_FORMATS
# (the formats the command takes, comma-separated).
set -euo pipefail

cmd=${1:?usage: run.sh COMMAND}
mode=$cmd # "command" for the root action, whose command is an input
ordo=${ORDO:-ordo}
args=()

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# fail INPUT MESSAGE: stop with an annotation naming the input. Exit code 2
# is ordo's "bad input".
fail() {
	local title="ordo $cmd"
	[ "$mode" = command ] && title=ordo
	printf '::error title=%s::input %s: %s\n' "$title" "$1" "$(escape "$2")"
	exit 2
}

# value FLAG VALUE: pass --FLAG VALUE when VALUE is not empty.
value() {
	if [ -n "$2" ]; then
		args+=("--$1" "$2")
	fi
}

# switch INPUT FLAG VALUE: pass --FLAG when VALUE is true.
switch() {
	case $3 in
	true) args+=("--$2") ;;
	false | '') ;;
	*) fail "$1" "\"$3\" is not a boolean: use true or false" ;;
	esac
}

# trim LINE: the line without surrounding blanks (nor a CR: Windows line ends).
trim() {
	local s=${1%$'\r'}
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# each FLAG PATTERN WHAT VALUE: pass --FLAG LINE for each non-empty line of
# VALUE (inputs for repeatable flags are newline-separated lists), each line
# trimmed and checked against the extended regular expression PATTERN (WHAT
# says what a line that fails it is not). The input has the flag's name.
each() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		line=$(trim "$line")
		[ -n "$line" ] || continue
		printf '%s\n' "$line" | grep -Eq -- "$2" || fail "$1" "\"$line\" $3"
		args+=("--$1" "$line")
	done <<<"$4"
}

# match INPUT VALUE PATTERN WHAT: check a single value.
match() {
	if [ -n "$2" ] && ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1" "\"$2\" $4"
	fi
}

if [ -n "${ORDO_INPUT_WORKING_DIRECTORY:-}" ]; then
	cd -- "$ORDO_INPUT_WORKING_DIRECTORY" 2>/dev/null ||
		fail working-directory "\"$ORDO_INPUT_WORKING_DIRECTORY\" is not a directory (relative to $PWD)"
fi

if [ "$mode" = command ]; then
	# The root action: any command, with args one per line.
	cmd=${ORDO_INPUT_COMMAND:-}
	case $cmd in
	validate | graph | affected | plan | gate | versions | notes | release | status | init | schema) ;;
	*) fail command "\"$cmd\" is not an ordo command: use validate, graph, affected, plan, gate, versions, notes, release, status, init or schema" ;;
	esac
	while IFS= read -r line || [ -n "$line" ]; do
		line=$(trim "$line")
		if [ -n "$line" ]; then args+=("$line"); fi
	done <<<"${ORDO_INPUT_ARGS:-}"
else
	# Every wrapped command reads the catalog.
	if [ -n "${ORDO_INPUT_CONFIG:-}" ]; then
		[ -f "$ORDO_INPUT_CONFIG" ] || fail config "\"$ORDO_INPUT_CONFIG\" does not exist (relative to $PWD)"
		args+=(--config "$ORDO_INPUT_CONFIG")
	elif [ ! -f ordo.yaml ]; then
		fail config "there is no ordo.yaml in $PWD: set config to the catalog's path, or working-directory to the directory that has it"
	fi
	if [ -n "${ORDO_INPUT_FORMAT:-}" ]; then
		case ",${ORDO_FORMATS:-}," in
		*,"$ORDO_INPUT_FORMAT",*) args+=(--format "$ORDO_INPUT_FORMAT") ;;
		*) fail format "unknown format \"$ORDO_INPUT_FORMAT\": use ${ORDO_FORMATS//,/, }" ;;
		esac
	fi
	value base "${ORDO_INPUT_BASE:-}"
	value head "${ORDO_INPUT_HEAD:-}"
	if [ -n "${ORDO_INPUT_FILES:-}" ]; then
		[ -z "${ORDO_INPUT_FILES_FROM:-}" ] || fail files-from "is set together with files: give the list in one of them"
		list=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ordo-files.XXXXXX")
		printf '%s\n' "$ORDO_INPUT_FILES" >"$list"
		args+=(--files "$list")
	fi
	# An input travels as one environment variable (at most 128 KiB on
	# Linux, MAX_ARG_STRLEN): a long list comes as a file instead.
	if [ -n "${ORDO_INPUT_FILES_FROM:-}" ]; then
		[ -f "$ORDO_INPUT_FILES_FROM" ] || fail files-from "\"$ORDO_INPUT_FILES_FROM\" is not a file (relative to $PWD)"
		args+=(--files "$ORDO_INPUT_FILES_FROM")
	fi
	switch all all "${ORDO_INPUT_ALL:-}"
	output=${ORDO_INPUT_OUTPUT:-}
	if [ "$cmd" = notes ] && [ -z "$output" ]; then
		# The notes always go to a file, for the output notes-file.
		output=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ordo-notes.md
		[ "${ORDO_INPUT_FORMAT:-}" = json ] && output=${output%.md}.json
	fi
	case $output in
	*$'\n'* | *$'\r'*) fail output "has a line break" ;;
	esac
	value output "$output"
	value plan-file "${ORDO_INPUT_PLAN_FILE:-}"
	match environment "${ORDO_INPUT_ENVIRONMENT:-}" '^[a-z0-9][a-z0-9._-]*$' "is not an environment name: use one of the catalog's environments"
	value env "${ORDO_INPUT_ENVIRONMENT:-}"
	match now "${ORDO_INPUT_NOW:-}" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' \
		"is not an RFC 3339 time: use e.g. 2026-12-24T09:00:00Z"
	value now "${ORDO_INPUT_NOW:-}"
	each override '^[a-z][a-z0-9_.]*=.*[^[:space:]]' 'is not RULE=REASON: write one override a line, e.g. policy.freeze=hotfix INC-42' "${ORDO_INPUT_OVERRIDE:-}"
	each service '^[a-z0-9][a-z0-9._-]*$' 'is not a service name: write one name a line' "${ORDO_INPUT_SERVICE:-}"
	value tag "${ORDO_INPUT_TAG:-}"
	switch aggregate aggregate "${ORDO_INPUT_AGGREGATE:-}"
	switch dry-run dry-run "${ORDO_INPUT_DRY_RUN:-}"
	switch strict strict "${ORDO_INPUT_STRICT:-}"
	case ${ORDO_INPUT_STATE:-} in
	'' | pending | success | failure) value state "${ORDO_INPUT_STATE:-}" ;;
	*) fail state "unknown state \"$ORDO_INPUT_STATE\": use pending, success or failure" ;;
	esac
	match sha "${ORDO_INPUT_SHA:-}" '^([0-9a-f]{40}|[0-9a-f]{64})$' "is not a full commit SHA"
	value sha "${ORDO_INPUT_SHA:-}"
	switch checks checks "${ORDO_INPUT_CHECKS:-}"
	switch comment comment "${ORDO_INPUT_COMMENT:-}"
	match pr "${ORDO_INPUT_PR:-}" '^[1-9][0-9]*$' "is not a pull request number"
	value pr "${ORDO_INPUT_PR:-}"
fi

# ordo reads the token from GITHUB_TOKEN and never prints it.
if [ -n "${ORDO_INPUT_TOKEN:-}" ]; then
	export GITHUB_TOKEN=$ORDO_INPUT_TOKEN
fi

if [ "$mode" != notes ]; then
	exec "$ordo" "$cmd" ${args[@]+"${args[@]}"}
fi
"$ordo" notes ${args[@]+"${args[@]}"}
# The notes come from commit messages: show them in a ::stop-commands::
# frame with a random token, so that the runner executes no workflow command
# a message holds.
token=ordo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '::stop-commands::%s\n' "$token"
cat -- "$output"
printf '\n::%s::\n' "$token"
case $output in
/* | [A-Za-z]:*) ;;
*) output=$PWD/$output ;;
esac
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	printf 'notes-file=%s\n' "$output" >>"$GITHUB_OUTPUT"
fi
# ordo itself adds the notes to the step summary.
