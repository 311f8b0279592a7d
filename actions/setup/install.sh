#!/usr/bin/env bash
# install.sh: the one installer behind every ordo action. It puts an `ordo`
# binary for this runner on PATH and writes the step outputs `version` and
# `path`.
#
# Where the binary comes from, in order:
#   1. ORDO_BIN, when an earlier step of the job installed ordo and no version
#      is asked for (actions/setup first, then any other action, reuses it).
#   2. The tool cache, $RUNNER_TOOL_CACHE/ordo/<version>/<arch>.
#   3. The release archive for the version, checked against the release's
#      checksums.txt before anything in it runs. A missing release or a failed
#      download falls back to 4; a checksum that does not match stops here.
#   4. The action's own source (this script's ../..), built with the `go` on
#      PATH: for refs that are not releases (a branch, a commit) and with
#      ORDO_FROM_SOURCE=true.
#
# Inputs arrive in the environment (the actions' env:, never ${{ }} in the
# script, see
# https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections):
#   ORDO_INPUT_VERSION        a release (v1.2.3, v1.2, v1, latest); empty: the action's ref
#   ORDO_INPUT_FROM_SOURCE    true: build from source, never download
#   ORDO_INPUT_DOWNLOAD_URL   where releases are (a mirror)
#   ORDO_INPUT_TOKEN          token for the GitHub API (resolving v1 and latest)
#   ORDO_ACTION_REF           the action's ref (${{ github.action_ref }}); when empty,
#                             the ref is read from the action's path, .../_actions/<owner>/<repo>/<ref>
# The job's env (or the runner's) may set defaults for every ordo action of
# the job: ORDO_FROM_SOURCE, ORDO_DOWNLOAD_URL. ORDO_API_URL is where the
# releases are listed (default https://api.github.com, where ordo's are, also
# for runners of GitHub Enterprise); the token goes only to the API of the
# runner's own GitHub (GITHUB_API_URL), which issued it.
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
note() { printf 'ordo setup: %s\n' "$*"; }

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

# cached VERSION: the cached binary's path, when the cache has it complete.
cached() {
	local dir=$tool_cache/ordo/$1/$cache_arch
	if [ -f "$dir.complete" ] && [ -x "$dir/ordo$exe" ]; then
		printf '%s\n' "$dir/ordo$exe"
	fi
}

# store VERSION FILE: move a verified or freshly built binary into the cache
# and mark it complete (the marker last, so a half-written entry is never used).
store() {
	local dir=$tool_cache/ordo/$1/$cache_arch
	rm -rf "$dir" "$dir.complete"
	mkdir -p "$dir"
	mv -f "$2" "$dir/ordo$exe"
	chmod +x "$dir/ordo$exe"
	: >"$dir.complete"
	printf '%s\n' "$dir/ordo$exe"
}

# fetch URL FILE: download; the exit status says whether it worked.
fetch() {
	local auth=()
	if [ -n "${ORDO_INPUT_TOKEN:-}" ] && [ "$api_url" = "${GITHUB_API_URL:-https://api.github.com}" ] && [ "${1#"$api_url"}" != "$1" ]; then
		auth=(-H "Authorization: Bearer $ORDO_INPUT_TOKEN")
	fi
	curl -fsSL --retry 3 --connect-timeout 10 --max-time 300 ${auth[@]+"${auth[@]}"} -o "$2" "$1"
}

# resolve PREFIX: the highest release vX.Y.Z under PREFIX (v1 -> v1.4.2,
# v1.2 -> v1.2.7); an empty PREFIX is the highest of all. Prereleases are
# skipped. https://docs.github.com/en/rest/releases/releases#list-releases
resolve() {
	local pattern='^v[0-9]+\.[0-9]+\.[0-9]+$' best
	[ -n "$1" ] && pattern="^${1//./\\.}\\.[0-9]+(\\.[0-9]+)?$"
	fetch "$api_url/repos/$repo/releases?per_page=100" "$work/releases.json" || return 1
	best=$(tr ',{}' '\n' <"$work/releases.json" | sed -n 's/.*"tag_name"[[:space:]]*:[[:space:]]*"\(v[0-9][0-9.]*\)".*/\1/p' |
		grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | grep -E "$pattern" |
		sed 's/^v//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1) || true
	[ -n "$best" ] && printf 'v%s\n' "$best"
}

# tag_of SHA: the release tag vX.Y.Z that points at commit SHA, for an
# action pinned by commit. The tags API lists name, then commit.sha:
# https://docs.github.com/en/rest/repos/repos#list-repository-tags
tag_of() {
	fetch "$api_url/repos/$repo/tags?per_page=100" "$work/tags.json" || return 1
	tr ',{}' '\n' <"$work/tags.json" | awk -v sha="$1" '
		/"name"[[:space:]]*:/ { sub(/.*"name"[[:space:]]*:[[:space:]]*"/, ""); sub(/".*/, ""); name = $0 }
		/"sha"[[:space:]]*:/ {
			sub(/.*"sha"[[:space:]]*:[[:space:]]*"/, ""); sub(/".*/, "")
			if ($0 == sha && name ~ /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/) { print name; found = 1; exit }
		}
		END { exit !found }'
}

# download TAG: install the release archive for TAG. Returns 1 when the
# release or the archive is not there (the caller builds from source) and
# stops the step when the archive does not match checksums.txt.
download() {
	local tag=$1 version=${1#v} ext=tar.gz asset want got bin
	[ "$goos" = windows ] && ext=zip
	asset=ordo_${version}_${goos}_${goarch}.$ext
	bin=$(cached "$version")
	if [ -n "$bin" ]; then
		note "using the cached ordo $version"
		finish "$bin"
	fi
	note "downloading $download_url/$tag/$asset"
	if ! fetch "$download_url/$tag/checksums.txt" "$work/checksums.txt" || ! fetch "$download_url/$tag/$asset" "$work/$asset"; then
		note "no release archive for $tag at $download_url"
		return 1
	fi
	# sha256sum lines: "<hex>  <name>", or "<hex> *<name>" in binary mode.
	want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$work/checksums.txt")
	[ -n "$want" ] || die "checksums.txt of release $tag has no entry for $asset: refusing to install an unverified binary"
	got=$("${sha256[@]}" "$work/$asset" | awk '{print $1}')
	if [ "$got" != "$want" ]; then
		die "checksum mismatch for $asset of release $tag: checksums.txt says $want, the download is $got; refusing to install it"
	fi
	note "sha256 $got matches checksums.txt"
	mkdir -p "$work/x"
	if [ "$ext" = zip ]; then
		if command -v unzip >/dev/null 2>&1; then
			unzip -q "$work/$asset" -d "$work/x"
		else
			7z x -y -o"$work/x" "$work/$asset" >/dev/null
		fi
	else
		tar -xzf "$work/$asset" -C "$work/x"
	fi
	[ -f "$work/x/ordo$exe" ] || die "$asset of release $tag has no ordo$exe at its top"
	finish "$(store "$version" "$work/x/ordo$exe")"
}

# build REF: build the action's own source with the runner's Go. The cache
# key is a hash of the sources, so a branch that moved is built again.
build() {
	local ref=$1 key stamp bin
	command -v go >/dev/null 2>&1 ||
		die "ordo has no release for ref \"${ref:-unknown}\" and there is no go on PATH to build it from source: set input version to a release (v1.2.3), or install Go before this step (actions/setup-go)"
	if [ ! -f "$src/go.mod" ] || [ ! -d "$src/cmd/ordo" ]; then
		die "no ordo source at $src to build from"
	fi
	key=$(
		cd "$src"
		{
			printf '%s\n' go.mod go.sum
			find cmd internal -type f ! -name '*_test.go' ! -path '*/testdata/*'
		} | LC_ALL=C sort | tr '\n' '\0' | xargs -0 "${sha256[@]}" | "${sha256[@]}" | cut -c1-16
	)
	bin=$(cached "0.0.0-source.$key")
	if [ -n "$bin" ]; then
		note "using the cached build of this source ($key)"
		finish "$bin"
	fi
	stamp=${ref:-dev}+source
	note "building ordo $stamp from $src with $(go version)"
	# A plain build (no -trimpath, the runner's cgo setting), so that packages
	# already in the runner's Go build cache are not compiled again.
	(cd "$src" && go build -ldflags "-s -w -X $ldflags_pkg=$stamp" -o "$work/ordo$exe" ./cmd/ordo) ||
		die "go build of ordo failed (see the log above)"
	finish "$(store "0.0.0-source.$key" "$work/ordo$exe")"
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

ref=${version:-${ORDO_ACTION_REF:-}}
if [ -z "$ref" ]; then
	case $src in
	*/_actions/*/*/*) ref=$(basename "$src") ;;
	esac
fi

if [ "$from_source" = true ]; then
	[ -n "$version" ] && note "from-source is set: building the action's source, not release $version"
	build "${ORDO_ACTION_REF:-$ref}"
fi
if [ -z "$goos" ] || [ -z "$goarch" ]; then
	note "no release build for runner ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}"
	build "$ref"
fi
if printf '%s' "$ref" | grep -Eq '^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then
	download "v${ref#v}" || build "$ref"
elif printf '%s' "$ref" | grep -Eq '^(latest|v?[0-9]+(\.[0-9]+)?)$'; then
	# A moving tag (v1, v1.2) or latest: the newest release it stands for.
	prefix=
	[ "$ref" = latest ] || prefix=v${ref#v}
	if tag=$(resolve "$prefix"); then
		note "$ref is release $tag"
		download "$tag" || build "$ref"
	else
		note "could not find a release for $ref at $api_url"
		build "$ref"
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
