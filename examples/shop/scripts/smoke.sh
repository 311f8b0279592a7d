#!/bin/sh
# Smoke test of one deployed service. The catalog's `smoke` check runs it
# from the repository root as `scripts/smoke.sh SERVICE ENV`; exit 0 passes.
set -eu
service=$1
env=$2
# SHOP_URL, when set, stands for the public address (make demo points it at
# a local stand-in, examples/healthd).
url="https://${service}.${env}.shop.example.com/smoke"
if [ -n "${SHOP_URL:-}" ]; then url="$SHOP_URL/$service/smoke"; fi
echo "smoke: $service in $env: $url"
exec curl -fsS --max-time 5 -o /dev/null "$url"
