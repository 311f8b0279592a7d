#!/usr/bin/env bash
# install.sh: the one installer behind every ordo action. It puts an `ordo`
# binary for this runner on PATH and writes the step outputs `version` and
# `path`.
#
# Where the binary comes from, in order:
#   1. ORDO_BIN, when an earlier step of the job installed ordo and no version
#      is asked for (actions/setup first, then any other action, reuses it).
#   2. The tool cache, $RUNNER_TOOL_CACHE/ordo/<version>/<arch>, which keeps
#      the release archive beside the binary: the archive is checked against
#      the release's checksums.txt and the binary against the archive every
#      time, so a binary planted in a shared cache never runs.
#   3. The release archive for the version, checked against the release's
#      checksums.txt (and, when `gh` is on PATH, against the release's build
#      provenance attestation) before anything in it runs.
#   4. The action's own source (this script's ../..), built with the `go` on
#      PATH into $RUNNER_TEMP, for refs that are not releases (a branch, a
#      commit), with ORDO_FROM_SOURCE=true, and when the action's own release
#      cannot be downloaded. An explicit input version that cannot be
#      downloaded fails instead: the source is not that version.
#
# Inputs arrive in the environment (the actions' env:, never ${{ }} in the
# script, see
# https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections):
#   ORDO_INPUT_VERSION        a release (v1.2.3, v1.2, v1, latest); empty: the action's ref
#   ORDO_INPUT_FROM_SOURCE    true: build from source, never download
#   ORDO_INPUT_DOWNLOAD_URL   where releases are (a mirror)
#   ORDO_INPUT_TOKEN          token for the GitHub API (resolving v1 and latest)
#   ORDO_ACTION_REF           ${{ github.action_ref }}, and
#   ORDO_ACTION_REPOSITORY    ${{ github.action_repository }}: inside a composite
#                             action that wraps ordo's (my-org/ci@v3) both name the
#                             outer action, so the ref is read from this script's
#                             own path first (.../_actions/<owner>/<repo>/<ref>), and
#                             ORDO_ACTION_REF is trusted only when
#                             ORDO_ACTION_REPOSITORY is ordo-ci/ordo.
#                             https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#github-context
# The job's env (or the runner's) may set defaults for every ordo action of
# the job: ORDO_FROM_SOURCE, ORDO_DOWNLOAD_URL, ORDO_VERIFY_ATTESTATION=false
# (skip the provenance check). ORDO_API_URL is where the releases are listed
# (default https://api.github.com, where ordo's are, also for runners of
# GitHub Enterprise); the token goes only to the API of the runner's own
# GitHub (GITHUB_API_URL), which issued it, and never on a command line.
#
# Written for bash 3.2 (macOS runners) and Git Bash (Windows runners).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
repo=ordo-ci/ordo
download_url=${ORDO_INPUT_DOWNLOAD_URL:-${ORDO_DOWNLOAD_URL:-https://github.com/$repo/releases/download}}
api_url=${ORDO_API_URL:-https://api.github.com}
ldflags_pkg=github.com/ordo-ci/ordo/internal/cli.version

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
die() {
	printf '::error title=ordo setup::%s\n' "$(escape "$*")"
	exit 1
}
note() { printf 'ordo setup: %s\n' "$*" >&2; }

if command -v sha256sum >/dev/null 2>&1; then
	sha256=(sha256sum)
else
	sha256=(shasum -a 256)
fi

# The runner's OS and architecture as Go spells them; empty when there is no
# release build for them.
case ${RUNNER_OS:-$(uname -s)} in
Linux) goos=linux ;;
macOS | Darwin) goos=darwin ;;
Windows | MINGW* | MSYS* | CYGWIN*) goos=windows ;;
*) goos= ;;
esac
case ${RUNNER_ARCH:-$(uname -m)} in
X64 | x86_64 | amd64) goarch=amd64 ;;
ARM64 | arm64 | aarch64) goarch=arm64 ;;
*) goarch= ;;
esac
exe=
[ "$goos" = windows ] && exe=.exe
# The tool cache's arch directory, as actions/tool-cache names it (x64, arm64).
cache_arch=$(printf '%s' "${RUNNER_ARCH:-$(uname -m)}" | tr '[:upper:]' '[:lower:]')
tool_cache=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tool-cache}
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ordo-setup.XXXXXX")
trap 'rm -rf "$work"' EXIT

# finish BINARY: put the binary's directory on PATH for the job's later steps
# and write the outputs.
finish() {
	local bin=$1 dir version
	dir=$(dirname "$bin")
	version=$("$bin" --version) || die "$bin does not run on this runner"
	version=${version#ordo }
	if [ -n "${GITHUB_PATH:-}" ]; then
		if command -v cygpath >/dev/null 2>&1; then
			cygpath -w "$dir" >>"$GITHUB_PATH"
		else
			printf '%s\n' "$dir" >>"$GITHUB_PATH"
		fi
	fi
	[ -n "${GITHUB_ENV:-}" ] && printf 'ORDO_BIN=%s\n' "$bin" >>"$GITHUB_ENV"
	[ -n "${GITHUB_OUTPUT:-}" ] && printf 'version=%s\npath=%s\n' "$version" "$bin" >>"$GITHUB_OUTPUT"
	note "ordo $version at $bin"
	exit 0
}

# extract ARCHIVE DIR: unpack a release archive.
extract() {
	mkdir -p "$2"
	case $1 in
	*.zip)
		if command -v unzip >/dev/null 2>&1; then
			unzip -q -o "$1" -d "$2"
		else
			7z x -y -o"$2" "$1" >/dev/null
		fi
		;;
	*) tar -xzf "$1" -C "$2" ;;
	esac
}

# cached VERSION ASSET WANT: the cached binary's path, when the cache holds
# the release archive ASSET with the SHA-256 WANT (from checksums.txt) and a
# binary identical to the one in that archive. Anything else in the cache
# is not run.
cached() {
	local dir=$tool_cache/ordo/$1/$cache_arch got
	[ -f "$dir.complete" ] && [ -f "$dir/ordo$exe" ] || return 0
	got=
	[ -f "$dir/$2" ] && got=$("${sha256[@]}" "$dir/$2" | awk '{print $1}')
	rm -rf "$work/cached"
	if [ "$got" = "$3" ] && extract "$dir/$2" "$work/cached" 2>/dev/null && cmp -s "$work/cached/ordo$exe" "$dir/ordo$exe"; then
		printf '%s\n' "$dir/ordo$exe"
		return 0
	fi
	printf '::warning title=ordo setup::%s\n' >&2 "$(escape "the tool cache's ordo $1 at $dir does not match $2 of the release's checksums.txt: not running it, installing the release again")"
}

# store VERSION ARCHIVE BINARY: move a verified archive and the binary from
# it into the cache and mark it complete (the marker last, so a
# half-written entry is never used).
store() {
	local dir=$tool_cache/ordo/$1/$cache_arch
	rm -rf "$dir" "$dir.complete"
	mkdir -p "$dir"
	mv -f "$2" "$dir/"
	mv -f "$3" "$dir/ordo$exe"
	chmod +x "$dir/ordo$exe"
	: >"$dir.complete"
	printf '%s\n' "$dir/ordo$exe"
}

# fetch URL FILE [HEADERS]: download; the exit status says whether it
# worked. The token travels in a header file, never as an argument that `ps`
# would show; HEADERS, when given, receives the response headers.
fetch() {
	local auth=()
	if [ -n "${ORDO_INPUT_TOKEN:-}" ] && [ "$api_url" = "${GITHUB_API_URL:-https://api.github.com}" ] && [ "${1#"$api_url"}" != "$1" ]; then
		if [ ! -f "$work/auth" ]; then
			(umask 077 && printf 'Authorization: Bearer %s\n' "$ORDO_INPUT_TOKEN" >"$work/auth")
		fi
		auth=(-H "@$work/auth")
	fi
	curl -fsSL --retry 3 --connect-timeout 10 --max-time 300 ${auth[@]+"${auth[@]}"} -D "${3:-/dev/null}" -o "$2" "$1"
}

# fetch_all URL FILE: every page of a list from the GitHub API, one page
# after the other in FILE, following the Link header's rel="next" (at most
# 50 pages of 100).
# https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
fetch_all() {
	local page=1
	: >"$2"
	while [ "$page" -le 50 ]; do
		fetch "$1?per_page=100&page=$page" "$work/page.json" "$work/page.headers" || return 1
		cat "$work/page.json" >>"$2"
		printf '\n' >>"$2"
		grep -i '^link:' "$work/page.headers" | grep -q 'rel="next"' || return 0
		page=$((page + 1))
	done
}

# resolve PREFIX: the highest release vX.Y.Z under PREFIX (v1.2 -> v1.2.7);
# an empty PREFIX is the highest of all. Prereleases are skipped.
# https://docs.github.com/en/rest/releases/releases#list-releases
resolve() {
	local pattern='^v[0-9]+\.[0-9]+\.[0-9]+$' best
	[ -n "$1" ] && pattern="^${1//./\\.}\\.[0-9]+(\\.[0-9]+)?$"
	fetch_all "$api_url/repos/$repo/releases" "$work/releases.json" || return 1
	best=$(tr ',{}' '\n' <"$work/releases.json" | sed -n 's/.*"tag_name"[[:space:]]*:[[:space:]]*"\(v[0-9][0-9.]*\)".*/\1/p' |
		grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | grep -E "$pattern" |
		sed 's/^v//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1) || true
	[ -n "$best" ] && printf 'v%s\n' "$best"
}

# tags: name and commit of every tag, "<name> <sha>" a line.
# https://docs.github.com/en/rest/repos/repos#list-repository-tags
tags() {
	if [ ! -f "$work/tags.txt" ]; then
		fetch_all "$api_url/repos/$repo/tags" "$work/tags.json" || return 1
		tr ',{}' '\n' <"$work/tags.json" | awk '
			/"name"[[:space:]]*:/ { sub(/.*"name"[[:space:]]*:[[:space:]]*"/, ""); sub(/".*/, ""); name = $0 }
			/"sha"[[:space:]]*:/ { sub(/.*"sha"[[:space:]]*:[[:space:]]*"/, ""); sub(/".*/, ""); if (name != "") print name, $0; name = "" }
		' >"$work/tags.txt"
	fi
	cat "$work/tags.txt"
}

# tag_of SHA: the release tag vX.Y.Z that points at commit SHA, for an
# action pinned by commit and for moving tags (v1 is the commit it names).
tag_of() {
	tags | awk -v sha="$1" '$2 == sha && $1 ~ /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/ { print $1; found = 1; exit } END { exit !found }'
}

# moving TAG: the release a moving tag (v1, v1.2) stands for: the release
# tagged at the commit TAG points to, as `uses: ...@v1` runs that commit;
# the newest release of the line when there is no such tag.
moving() {
	local sha
	sha=
	if tags >"$work/moving.txt"; then
		sha=$(awk -v t="$1" '$1 == t { print $2; exit }' "$work/moving.txt")
	fi
	if [ -n "$sha" ]; then
		tag_of "$sha" && return 0
		note "tag $1 points to $sha, which no release vX.Y.Z is tagged at"
		return 1
	fi
	resolve "$1"
}

# verify_attestation FILE TAG: check FILE against the build provenance that
# ordo's release workflow attests, when the GitHub CLI can.
# https://docs.github.com/en/actions/security-for-github-actions/using-artifact-attestations/using-artifact-attestations-to-establish-provenance-for-builds#verifying-artifact-attestations-with-the-github-cli
verify_attestation() {
	if [ "${ORDO_VERIFY_ATTESTATION:-true}" = false ]; then
		note "ORDO_VERIFY_ATTESTATION=false: not checking the build provenance"
		return 0
	fi
	if ! command -v gh >/dev/null 2>&1 || ! gh attestation verify --help >/dev/null 2>&1; then
		note "no gh with \`gh attestation\` on PATH: the build provenance is not checked (the checksum is)"
		return 0
	fi
	# gh reads the token from GH_TOKEN (not an argument); a GitHub
	# Enterprise runner's token is not valid on github.com.
	if [ -z "${ORDO_INPUT_TOKEN:-}" ] || [ "${GITHUB_API_URL:-https://api.github.com}" != https://api.github.com ]; then
		note "no github.com token for gh: the build provenance is not checked (the checksum is)"
		return 0
	fi
	if ! GH_TOKEN=$ORDO_INPUT_TOKEN gh attestation verify "$1" --repo "$repo" --signer-workflow "$repo/.github/workflows/release.yml" >"$work/attestation.log" 2>&1; then
		cat "$work/attestation.log" >&2
		die "$(basename "$1") of release $2 has no valid build provenance from $repo's release workflow (gh attestation verify failed, see the log): refusing to install it; set ORDO_VERIFY_ATTESTATION=false only for a mirror you trust"
	fi
	note "build provenance of $(basename "$1") verified (gh attestation verify)"
}

# download TAG: install the release archive for TAG. Returns 1 when the
# release or the archive is not there and stops the step when the archive
# does not match checksums.txt or its provenance.
download() {
	local tag=$1 version=${1#v} ext=tar.gz asset want got bin
	[ "$goos" = windows ] && ext=zip
	asset=ordo_${version}_${goos}_${goarch}.$ext
	# checksums.txt is read every time, the cached entry included: it is
	# what says which binary may run.
	if ! fetch "$download_url/$tag/checksums.txt" "$work/checksums.txt"; then
		note "no checksums.txt for $tag at $download_url"
		return 1
	fi
	# sha256sum lines: "<hex>  <name>", or "<hex> *<name>" in binary mode.
	want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$work/checksums.txt")
	[ -n "$want" ] || die "checksums.txt of release $tag has no entry for $asset: refusing to install an unverified binary"
	bin=$(cached "$version" "$asset" "$want")
	if [ -n "$bin" ]; then
		note "using the cached ordo $version (sha256 of $asset matches checksums.txt)"
		finish "$bin"
	fi
	note "downloading $download_url/$tag/$asset"
	if ! fetch "$download_url/$tag/$asset" "$work/$asset"; then
		note "no release archive $asset for $tag at $download_url"
		return 1
	fi
	got=$("${sha256[@]}" "$work/$asset" | awk '{print $1}')
	if [ "$got" != "$want" ]; then
		die "checksum mismatch for $asset of release $tag: checksums.txt says $want, the download is $got; refusing to install it"
	fi
	note "sha256 $got matches checksums.txt"
	verify_attestation "$work/$asset" "$tag"
	extract "$work/$asset" "$work/x"
	[ -f "$work/x/ordo$exe" ] || die "$asset of release $tag has no ordo$exe at its top"
	finish "$(store "$version" "$work/$asset" "$work/x/ordo$exe")"
}

# build REF: build the action's own source with the runner's Go into
# RUNNER_TEMP, which belongs to this job alone (the shared tool cache would
# let another job plant a binary under a source hash).
build() {
	local ref=$1 stamp out
	command -v go >/dev/null 2>&1 ||
		die "ordo has no release for ref \"${ref:-unknown}\" and there is no go on PATH to build it from source: set input version to a release (v1.2.3), or install Go before this step (actions/setup-go)"
	if [ ! -f "$src/go.mod" ] || [ ! -d "$src/cmd/ordo" ]; then
		die "no ordo source at $src to build from"
	fi
	stamp=${ref:-dev}+source
	out=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ordo-source.XXXXXX")
	note "building ordo $stamp from $src with $(go version)"
	# A plain build (no -trimpath, the runner's cgo setting), so that packages
	# already in the runner's Go build cache are not compiled again. GOWORK=off
	# and no GOFLAGS: the action's copy may sit inside the user's Go workspace
	# (a vendored action), whose go.work and flags (-mod=vendor) are not ordo's.
	(cd "$src" && unset GOFLAGS && GOWORK=off go build -ldflags "-s -w -X $ldflags_pkg=$stamp" -o "$out/ordo$exe" ./cmd/ordo) ||
		die "go build of ordo failed (see the log above)"
	finish "$out/ordo$exe"
}

version=${ORDO_INPUT_VERSION:-}
from_source=${ORDO_INPUT_FROM_SOURCE:-${ORDO_FROM_SOURCE:-false}}
case $from_source in
true | false) ;;
*) die "input from-source (or ORDO_FROM_SOURCE): \"$from_source\" is not a boolean: use true or false" ;;
esac
if [ -n "$version" ] && ! printf '%s' "$version" | grep -Eq '^(latest|v?[0-9]+(\.[0-9]+)?(\.[0-9]+(-[0-9A-Za-z.-]+)?)?)$'; then
	die "input version: \"$version\" is not a release version: use v1.2.3, v1.2, v1 or latest (leave it empty for the action's own version)"
fi

# No explicit choice: an ordo that an earlier step of the job installed
# (actions/setup with its inputs, or another ordo action) is the one to use.
if [ -z "$version${ORDO_INPUT_FROM_SOURCE:-}${ORDO_INPUT_DOWNLOAD_URL:-}" ] && [ -n "${ORDO_BIN:-}" ] && [ -x "$ORDO_BIN" ]; then
	note "reusing the ordo installed earlier in this job"
	finish "$ORDO_BIN"
fi

# The action's own ref: from its path on the runner, else from
# github.action_ref when that names ordo's repository.
action_ref=
case $src in
*/_actions/*/*/*) action_ref=$(basename "$src") ;;
esac
if [ -z "$action_ref" ] && [ "${ORDO_ACTION_REPOSITORY:-}" = "$repo" ]; then
	action_ref=${ORDO_ACTION_REF:-}
fi
ref=${version:-$action_ref}

# unavailable WHAT: an explicit version that cannot be had fails; the
# action's own ref falls back to its source.
unavailable() {
	if [ -n "$version" ]; then
		die "input version: $1: set version to an existing release (v1.2.3), or leave it empty for the action's own version"
	fi
	note "$1: building the action's source instead"
	build "$ref"
}

if [ "$from_source" = true ]; then
	[ -n "$version" ] && note "from-source is set: building the action's source, not release $version"
	build "${action_ref:-$ref}"
fi
if [ -z "$goos" ] || [ -z "$goarch" ]; then
	note "no release build for runner ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}"
	build "$ref"
fi
if printf '%s' "$ref" | grep -Eq '^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then
	download "v${ref#v}" || unavailable "release v${ref#v} cannot be downloaded from $download_url"
elif [ "$ref" = latest ]; then
	if tag=$(resolve ""); then
		note "latest is release $tag"
		download "$tag" || unavailable "release $tag cannot be downloaded from $download_url"
	else
		unavailable "could not find the latest release at $api_url"
	fi
elif printf '%s' "$ref" | grep -Eq '^v?[0-9]+(\.[0-9]+)?$'; then
	# A moving tag (v1, v1.2): the release at the commit it points to.
	if tag=$(moving "v${ref#v}"); then
		note "$ref is release $tag"
		download "$tag" || unavailable "release $tag cannot be downloaded from $download_url"
	else
		unavailable "could not find the release $ref stands for at $api_url"
	fi
elif printf '%s' "$ref" | grep -Eq '^[0-9a-f]{40}$'; then
	# Pinned by commit: the release tagged there, if any.
	if tag=$(tag_of "$ref"); then
		note "commit $ref is release $tag"
		download "$tag" || build "$ref"
	else
		note "no release is tagged at commit $ref: building from source (set version to download a release)"
		build "$ref"
	fi
else
	# A branch or nothing known: no release can match.
	[ -n "$ref" ] && note "ref \"$ref\" is not a release: building from source"
	build "$ref"
fi
