#!/usr/bin/env bash
# dist.sh VERSION [OS/ARCH ...]: the release archives of ordo in dist/, the
# way actions/setup/install.sh expects them:
#   ordo_<version>_<os>_<arch>.tar.gz (.zip for windows), each holding
#   ordo (ordo.exe), LICENSE and README.md at its top, and
#   checksums.txt, their SHA-256 sums in sha256sum's format.
# <version> is VERSION without its leading v. The default platforms are
# linux, darwin and windows on amd64 and arm64. DIST names another output
# directory (it is emptied first).
set -euo pipefail
cd "$(dirname "$0")/../.."

tag=${1:?usage: dist.sh VERSION [OS/ARCH ...]}
shift
version=${tag#v}
platforms=("$@")
if [ ${#platforms[@]} -eq 0 ]; then
	platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
fi

out=${DIST:-dist}
rm -rf "$out"
mkdir -p "$out"
for p in "${platforms[@]}"; do
	goos=${p%/*}
	goarch=${p#*/}
	exe=
	[ "$goos" = windows ] && exe=.exe
	name=ordo_${version}_${goos}_${goarch}
	stage=$out/$name
	mkdir -p "$stage"
	echo "== $name"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
		-ldflags "-s -w -X github.com/ordo-ci/ordo/internal/cli.version=$tag" \
		-o "$stage/ordo$exe" ./cmd/ordo
	cp LICENSE README.md "$stage/"
	if [ "$goos" = windows ]; then
		(cd "$stage" && zip -q -X "../$name.zip" "ordo$exe" LICENSE README.md)
	else
		# Fixed owner and mode, so the archive depends only on its files.
		tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "ordo$exe" LICENSE README.md
	fi
	rm -rf "$stage"
done
(cd "$out" && sha256sum ordo_* >checksums.txt)
cat "$out/checksums.txt"
