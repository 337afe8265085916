#!/bin/sh
# `npm run demo`: `islet run` on the examples, on embedded defaults.
cd "$(dirname "$0")/.."
show() {
  echo
  echo "\$ islet $*"
  node bin/islet.js "$@" 2>&1
  echo "(exit code $?)"
}
show run examples/hello.ts -- Ada
show run examples/primes.ts --json -- 100000
show run examples/web.ts
show run examples/runaway.js --cpu-ms 200
show run examples/escape.js
show run examples/hello.ts --memory-mb=-5
exit 0
