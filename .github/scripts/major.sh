#!/usr/bin/env bash
# major.sh TAG: which moving tags the release TAG (vX.Y.Z) may take, as
# step outputs on stdout:
#   major=vX     when TAG is the highest release of major X among the
#                repository's tags (empty otherwise), for `uses: ...@vX`
#                and the image tag :X;
#   latest=true  when TAG is the highest release of all (else false), for
#                the image tag :latest.
# A backport (v1.4.9 released after v1.5.0) or a prerelease moves nothing:
# moving tags only go forward. Run it in a clone with the tags.
set -euo pipefail

tag=${1:?usage: major.sh TAG}
release='^v[0-9]+\.[0-9]+\.[0-9]+$'
if ! printf '%s\n' "$tag" | grep -Eq "$release"; then
	printf 'major=\nlatest=false\n'
	exit 0
fi
major=${tag%%.*}
# highest PATTERN: the highest release tag matching the git pattern, TAG
# included even when it is not fetched yet.
highest() {
	{
		git tag -l "$1"
		printf '%s\n' "$tag"
	} | grep -E "$release" | sed 's/^v//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1 | sed 's/^/v/'
}
if [ "$(highest "$major.*")" = "$tag" ]; then
	printf 'major=%s\n' "$major"
else
	printf 'major=\n'
fi
if [ "$(highest 'v*')" = "$tag" ]; then
	printf 'latest=true\n'
else
	printf 'latest=false\n'
fi
