#!/usr/bin/env node
// The islet command. Needs Node 24+ (TypeScript sources run directly); see README.md.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`islet needs Node 24 or newer (this is ${process.version}); run "sh scripts/bootstrap.sh" to install it into .toolchain/.\n`);
  process.exit(4);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
