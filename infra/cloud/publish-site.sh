#!/usr/bin/env bash
# Builds the site (site/: npm ci && npm run build), uploads site/dist to the
# stack's site bucket and invalidates CloudFront so browsers get it at once.
# STACK names the stack (default veglens).
set -euo pipefail
cd "$(dirname "$0")/../.."
bucket=$(infra/cloud/stack-output.sh SiteBucketName)
distribution=$(infra/cloud/stack-output.sh DistributionId)
if [ "${SKIP_SITE_BUILD:-}" != 1 ]; then
  (cd site && npm ci --no-audit --no-fund && npm run build)
fi
[ -f site/dist/index.html ] || { echo "site/dist/index.html missing: the site build produced nothing" >&2; exit 1; }
# Hashed assets can be cached for a year; index.html must be revalidated.
# The .br and .gz copies are for `veglens run`; CloudFront compresses by itself (Compress: true).
aws s3 sync site/dist "s3://$bucket" --delete --exclude index.html --exclude "*.br" --exclude "*.gz" --cache-control "public, max-age=31536000, immutable"
aws s3 cp site/dist/index.html "s3://$bucket/index.html" --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" --query Invalidation.Id --output text
