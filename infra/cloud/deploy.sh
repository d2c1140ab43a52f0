#!/usr/bin/env bash
# `make deploy`: sam build, sam deploy, then publish the site.
# The first deploy from a machine without samconfig.toml is guided (questions,
# answers saved to samconfig.toml); later ones reuse samconfig.toml. Without
# a terminal (CI) it deploys non-interactively with the flags below.
# Every deploy passes a fresh DeployId so the migration custom resource runs.
# Environment: STACK (default veglens), SAM (sam binary), LAMBDA_ARCH
# (x86_64|arm64), PARAMETERS (extra Key=Value template parameters),
# SKIP_PUBLISH=1 (do not build and upload the site).
set -euo pipefail
cd "$(dirname "$0")/../.."
sam=${SAM:-sam}
stack=${STACK:-veglens}
deploy_id="$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date -u +%Y%m%dT%H%M%SZ)"
export SAM_CLI_TELEMETRY=0

params=("Architecture=${LAMBDA_ARCH:-x86_64}")
# shellcheck disable=SC2206 # PARAMETERS is a space-separated Key=Value list
[ -n "${PARAMETERS:-}" ] && params+=(${PARAMETERS})

"$sam" build --build-in-source

# A cgo binary linked on a machine with a newer glibc than Lambda's
# (Amazon Linux 2023: 2.34) would not start there: refuse to deploy it.
for bin in .aws-sam/build/*/bootstrap; do
  need=$({ objdump -T "$bin" 2>/dev/null || true; } | { grep -o 'GLIBC_[0-9][0-9.]*' || true; } | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  if [ -n "$need" ] && [ "$(printf '%s\n2.34\n' "$need" | sort -V | tail -n 1)" != 2.34 ]; then
    echo "$bin needs glibc $need; Lambda's provided.al2023 has 2.34. Build on an older system (Debian 12)." >&2
    exit 1
  fi
done

if [ -f samconfig.toml ]; then
  # A --parameter-overrides on the command line replaces samconfig.toml's
  # list, so repeat the saved ones first (later values win).
  mapfile -d '' saved < <(python3 - <<'PY'
import shlex, sys, tomllib
with open("samconfig.toml", "rb") as f:
    cfg = tomllib.load(f)
v = cfg.get("default", {}).get("deploy", {}).get("parameters", {}).get("parameter_overrides", [])
items = shlex.split(v) if isinstance(v, str) else list(v)
for item in items:
    key, _, value = item.partition("=")
    # Quoted, so that an empty value (Key="") still parses.
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    sys.stdout.write(f'{key}="{value}"\0')
PY
  )
  "$sam" deploy --parameter-overrides "${saved[@]}" "${params[@]}" "DeployId=$deploy_id"
elif [ -t 0 ]; then
  echo "No samconfig.toml: guided deploy (stack name: use lower case, e.g. $stack)."
  "$sam" deploy --guided --stack-name "$stack" --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --parameter-overrides "${params[@]}" "DeployId=$deploy_id"
else
  "$sam" deploy --stack-name "$stack" --resolve-s3 --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --no-confirm-changeset --no-fail-on-empty-changeset \
    --parameter-overrides "${params[@]}" "DeployId=$deploy_id"
fi

# SKIP_PUBLISH=1 leaves the site to the caller (the deploy workflow).
[ "${SKIP_PUBLISH:-}" = 1 ] || STACK=$stack infra/cloud/publish-site.sh
echo "site: $(STACK=$stack infra/cloud/stack-output.sh SiteUrl)"
