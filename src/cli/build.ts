/** `islet build`: bundles an app and writes its build plan. */
import { relative } from 'node:path';
import { parseCommandArgs } from './args.ts';
import { IsletError } from '../errors.ts';
import { buildApp, nameFromEntry, type BuildOptions, type BuildPlan } from '../build/plan.ts';
import { parseRoute } from '../server/router.ts';
import { allowList, readAppDefinition, type AppDefinition } from './app-config.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet build`. */
export const BUILD_HELP = `Usage:
  islet build <entry.ts> [options]
  islet build --config islet.config.json --app NAME [<entry.ts>] [options]

Bundles an app (TypeScript or JavaScript; relative imports inside the entry's folder only, no
packages or node: built-ins) into one ES module, and writes to the output folder:
  app.js          the bundle (ES module, for the V8 islet runs)
  app.js.map      its source map, with the original sources
  app.plan.json   the build plan: name, artifacts with sha256 and size, routes, limits and
                  capabilities (fetch hosts, KV bindings, env and secret names, never values)
Deploy it with "islet deploy <out>/app.plan.json", or run it with "islet run <out>/app.plan.json".

Options:
  --out DIR                  output folder (default: dist/ beside the entry)
  --name NAME                the app's name (default: from the entry's file name)
  --compatibility-date DATE  YYYY-MM-DD (default: today, UTC)
  --routes R1,R2             routes, as host[/path-prefix] (default: the config's, or none)
  --config FILE --app NAME   take entry, routes, limits, fetch, bindings, env and secret names
                             from that app of an islet serve configuration file
  --minify                   minify the bundle
  -h, --help                 show this help

Exit codes: 0 built, 1 the code does not parse or imports what it may not, 2 bad usage.
`;

/** Runs `islet build` and resolves with the exit code. */
export async function buildCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('build', argv, {
        out: { type: 'string' }, name: { type: 'string' }, 'compatibility-date': { type: 'string' },
        routes: { type: 'string', multiple: true }, config: { type: 'string' }, app: { type: 'string' },
        minify: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(BUILD_HELP); return EXIT.OK; }
  try {
    const { entry, options } = await buildOptionsFrom(values, positionals, 'islet build');
    const { plan, planPath } = await buildApp(entry, options);
    io.out(describePlan(plan, planPath));
    return EXIT.OK;
  } catch (error) {
    return reportError('islet build', error, io);
  }
}

/** The flags `islet build` and `islet deploy` share. */
export interface BuildFlags {
  out?: string | undefined;
  name?: string | undefined;
  'compatibility-date'?: string | undefined;
  routes?: string[] | undefined;
  config?: string | undefined;
  app?: string | undefined;
  minify?: boolean | undefined;
}

/** A usage problem in the flags (exit 2). */
export class UsageError extends Error {}

/** The entry and build options from the flags, and the config file's app when given. */
export async function buildOptionsFrom(values: BuildFlags, positionals: readonly string[], command: string): Promise<{ entry: string; options: BuildOptions; def: AppDefinition | undefined }> {
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument "${positionals[1] ?? ''}"; name one entry file.`);
  if ((values.config === undefined) !== (values.app === undefined)) throw new UsageError(`${command}: --config and --app go together (the file, and the app in it).`);
  const def = values.config !== undefined && values.app !== undefined ? await readAppDefinition(values.config, values.app) : undefined;
  const entry = positionals[0] ?? def?.entry;
  if (entry === undefined) throw new UsageError(`${command}: name the app's entry file${def === undefined ? '' : ` (the config's app "${def.name}" has no "entry")`}.`);
  const routes = values.routes === undefined ? def?.routes : values.routes.flatMap((r) => r.split(',')).map((r) => r.trim()).filter((r) => r !== '');
  for (const route of routes ?? []) {
    const parsed = parseRoute(route);
    if (typeof parsed === 'string') throw new UsageError(`${command}: invalid route: ${parsed}.`);
  }
  const name = values.name ?? def?.name ?? nameFromEntry(entry);
  const date = values['compatibility-date'];
  const allow = allowList(def?.fetch);
  const options: BuildOptions = {
    name,
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(date === undefined ? {} : { compatibilityDate: date }),
    ...(routes === undefined ? {} : { routes }),
    ...(def?.limits === undefined ? {} : { limits: def.limits }),
    ...(allow === undefined ? {} : { fetch: { allow } }),
    ...(def?.bindings === undefined ? {} : { bindings: def.bindings }),
    ...(def?.env === undefined ? {} : { env: Object.keys(def.env) }),
    ...(def?.secrets === undefined ? {} : { secrets: Object.keys(def.secrets) }),
    ...(values.minify === true ? { minify: true } : {}),
  };
  return { entry, options, def };
}

/** A short description of a built plan: where it is, its artifacts and routes. */
export function describePlan(plan: BuildPlan, planPath: string): string {
  const where = relative(process.cwd(), planPath) || planPath;
  const lines = [`islet: built "${plan.name}" -> ${where.startsWith('..') ? planPath : where}`];
  const width = Math.max(...Object.keys(plan.artifacts).map((n) => n.length));
  for (const [name, a] of Object.entries(plan.artifacts)) lines.push(`  ${name.padEnd(width)}  ${String(a.bytes).padStart(9)} bytes  sha256 ${a.sha256.slice(0, 16)}`);
  lines.push(`  routes: ${plan.routes.length === 0 ? '(none; give --routes when deploying)' : plan.routes.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Prints an error from building or reading a plan and returns its exit code. */
export function reportError(command: string, error: unknown, io: CliIo): number {
  if (error instanceof UsageError) { io.err(`${error.message}\nRun "${command} --help" for usage.\n`); return EXIT.USAGE; }
  if (IsletError.is(error)) {
    io.err(`${command}: ${error.code}: ${error.message}\n`);
    return error.code === 'INVALID_CONFIG' ? EXIT.USAGE : exitCodeFor(error.code);
  }
  throw error;
}
