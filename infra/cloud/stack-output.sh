#!/usr/bin/env bash
# Prints one output of the deployed stack. usage: stack-output.sh OUTPUT_KEY
# (STACK names the stack, default veglens; the AWS CLI's usual credentials.)
set -euo pipefail
key=${1:?usage: stack-output.sh OUTPUT_KEY}
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed: https://docs.aws.amazon.com/cli/" >&2; exit 1; }
value=$(aws cloudformation describe-stacks --stack-name "${STACK:-veglens}" \
  --query "Stacks[0].Outputs[?OutputKey=='$key'].OutputValue" --output text)
if [ -z "$value" ] || [ "$value" = None ]; then
  echo "stack ${STACK:-veglens} has no output $key (deployed yet? make deploy)" >&2
  exit 1
fi
echo "$value"
