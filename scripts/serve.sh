#!/bin/sh
# The README's first command runs this: `islet serve` with the example configuration (two apps,
# one shard per core) on http://127.0.0.1:8080 until Ctrl-C. PORT=N picks another port.
cd "$(dirname "$0")/.."
cat >&2 <<MSG
islet serve --config examples/islet.config.json
  curl 'http://127.0.0.1:${PORT:-8080}/?name=Ada'                                   (app "hello")
  curl -X POST http://127.0.0.1:${PORT:-8080}/api/notes -d '{"text":"hi"}'          (app "notes")
  curl http://127.0.0.1:${PORT:-8080}/api/notes
Logs are JSON lines below. Ctrl-C drains and stops.
MSG
exec node bin/islet.js serve --config examples/islet.config.json --port "${PORT:-8080}"
