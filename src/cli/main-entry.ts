// Runs the CLI directly (for processes already started with --no-node-snapshot, such as benchmarks).
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
