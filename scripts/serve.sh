#!/bin/sh
# The README's first command runs this: `islet serve` with the example configuration (two apps,
# one shard per core) on http://127.0.0.1:8080, its admin API on 8081, until Ctrl-C. PORT=N and
# ADMIN_PORT=N pick other ports.
cd "$(dirname "$0")/.."
cat >&2 <<MSG
islet serve --config examples/islet.config.json
  curl 'http://127.0.0.1:${PORT:-8080}/?name=Ada'                                   (app "hello")
  curl -X POST http://127.0.0.1:${PORT:-8080}/api/notes -d '{"text":"hi"}'          (app "notes")
  curl http://127.0.0.1:${PORT:-8080}/api/notes                                     (kept in KV, examples/.islet)
Admin API on 127.0.0.1:${ADMIN_PORT:-8081}; its token is in examples/.islet/admin-token (or set ISLET_ADMIN_TOKEN):
  ISLET_ADMIN_TOKEN=\$(cat examples/.islet/admin-token) node bin/islet.js apps --admin http://127.0.0.1:${ADMIN_PORT:-8081}
Logs are JSON lines below. Ctrl-C drains and stops.
MSG
exec node bin/islet.js serve --config examples/islet.config.json --port "${PORT:-8080}" --admin-port "${ADMIN_PORT:-8081}"
