#!/usr/bin/env node
// The islet command. Needs Node 24+ (TypeScript sources run directly); see README.md.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`islet needs Node 24 or newer (this is ${process.version}); run "sh scripts/bootstrap.sh" to install it into .toolchain/.\n`);
  process.exit(4);
}
// `serve` runs isolates in this process, and isolated-vm needs --no-node-snapshot: start again with it.
if (process.argv[2] === 'serve' && !process.execArgv.includes('--no-node-snapshot')) {
  const { spawn } = await import('node:child_process');
  // The child gets its own process group: a terminal's Ctrl-C reaches only this process, which
  // passes it on once (two SIGINTs would make the server exit at once instead of draining).
  const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', ...process.execArgv, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit', detached: true });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  process.on('exit', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  child.on('exit', (code, signal) => { process.exitCode = code ?? (signal === null ? 4 : 1); });
} else {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
