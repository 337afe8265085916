#!/bin/sh
# Type-checks, then runs every test with node:test (the README's second command runs this).
set -eu
cd "$(dirname "$0")/.."
echo "islet: type-checking with tsc"
node node_modules/typescript/bin/tsc -p tsconfig.json
echo "islet: running tests on Node $(node -v)"
exec node --no-node-snapshot --disable-warning=ExperimentalWarning --test --test-reporter=spec test/*.test.ts
