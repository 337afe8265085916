/** `islet deploy`: builds an app (or takes a built plan) and deploys it through the admin API. */
import { parseCommandArgs } from './args.ts';
import { buildApp, loadPlan, type BuildPlan } from '../build/plan.ts';
import { parseRoute } from '../server/router.ts';
import { ADMIN_FLAGS_HELP, AdminFailure, adminJson, adminTarget, type AdminTarget } from './admin-client.ts';
import { readAppDefinition, type AppDefinition } from './app-config.ts';
import { UsageError, buildOptionsFrom, reportError } from './build.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet deploy`. */
export const DEPLOY_HELP = `Usage:
  islet deploy <entry.ts | app.plan.json> [options]
  islet deploy --config islet.config.json --app NAME [<entry.ts | app.plan.json>] [options]

Deploys an app to a running "islet serve" through its admin API. A source entry is built first
(as "islet build" does, into dist/ beside it); a plan is checked against its artifacts' sha256.
The plan and its artifacts are sent; the command waits until the server serves the new version,
then prints the routes it serves at.

Options:
${ADMIN_FLAGS_HELP}
  --name NAME        the app's name (default: the config's app, else the plan's name)
  --routes R1,R2     routes, as host[/path-prefix] (default: the config's, else the plan's)
  --config FILE --app NAME
                     take entry, routes, limits, fetch, bindings, env values and secret
                     references ({ "fromEnv": "VAR" }, read by the server) from that app
  --env KEY=VALUE    an env value (a string), repeatable; over the config's value of KEY
  --secret NAME[=VAR]
                     a secret, repeatable: its value is read here from the environment
                     variable VAR (default: NAME) and sent to the server, which stores it with
                     the app (never printed or logged); over the config's secret NAME
  --if-version N     deploy only if the app's current version is N (else 409 VERSION_CONFLICT)
  --out DIR          where a source entry is built (default: dist/ beside it)
  --wait-ms N        how long to wait for the new version to serve (default 30000)
  -h, --help         show this help

Exit codes: 0 deployed and serving, 1 the app does not build, parse or start, 2 bad usage, an
invalid plan, a wrong token, an unreachable admin API or a refused deploy (the problems are listed
with their JSON paths), 3 a limit stopped the app while it loaded, 4 the server failed.
`;

interface AppStatus { name: string; version: number; routes?: unknown; status?: unknown }

/** Runs `islet deploy` and resolves with the exit code. */
export async function deployCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('deploy', argv, {
        admin: { type: 'string' }, token: { type: 'string' }, name: { type: 'string' },
        routes: { type: 'string', multiple: true }, config: { type: 'string' }, app: { type: 'string' },
        'if-version': { type: 'string' }, out: { type: 'string' }, 'wait-ms': { type: 'string' },
        env: { type: 'string', multiple: true }, secret: { type: 'string', multiple: true },
        'compatibility-date': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(DEPLOY_HELP); return EXIT.OK; }
  try {
    const target = adminTarget(values);
    const waitMs = values['wait-ms'] === undefined ? 30_000 : Number(values['wait-ms']);
    if (!Number.isInteger(waitMs) || waitMs < 0) throw new UsageError('islet deploy: --wait-ms expects a whole number of milliseconds.');
    const ifVersion = values['if-version'];
    if (ifVersion !== undefined && !/^\d+$/.test(ifVersion)) throw new UsageError(`islet deploy: --if-version expects a version number, got "${ifVersion}".`);

    const extra = envAndSecretFlags(values.env ?? [], values.secret ?? [], process.env);
    const { name, body, warnings } = await deployment(values, positionals, io, extra);
    for (const warning of warnings) io.err(`islet deploy: note: ${warning}\n`);
    const { body: answer } = await adminJson<AppStatus>(target, 'PUT', `apps/${encodeURIComponent(name)}`, {
      body, ...(ifVersion === undefined ? {} : { headers: { 'if-match': `"${ifVersion}"` } }),
    });
    const version = typeof answer.version === 'number' ? answer.version : Number.NaN;
    const serving = await waitServing(target, name, version, waitMs);
    const routes = Array.isArray(serving.routes) ? serving.routes.map(String) : body.routes;
    io.out(`islet: deployed "${name}" version ${serving.version}; serving at:\n${routes.map((r) => `  ${r}\n`).join('')}`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof AdminFailure) { io.err(`islet deploy: ${error.message}\n`); return error.exitCode; }
    return reportError('islet deploy', error, io);
  }
}

/** The deploy body: what PUT /apps/:name takes. */
interface DeployBody {
  entry: string;
  modules: Record<string, string>;
  routes: string[];
  env: Record<string, unknown>;
  secrets: Record<string, unknown>;
  limits: Record<string, number>;
  fetch?: Record<string, unknown>;
  bindings: Record<string, { kv: string }>;
  plan: BuildPlan;
}

type DeployFlags = Parameters<typeof buildOptionsFrom>[0];

/** Builds (or loads) the plan and assembles the deploy body, config values taking precedence over the plan's. */
async function deployment(values: DeployFlags, positionals: readonly string[], io: CliIo, extra: FlagValues): Promise<{ name: string; body: DeployBody; warnings: string[] }> {
  let plan: BuildPlan;
  let modules: Record<string, string>;
  let def: AppDefinition | undefined;
  const given = positionals[0];
  if (given !== undefined && given.endsWith('.json')) {
    if (positionals.length > 1) throw new UsageError(`islet deploy: unexpected argument "${positionals[1] ?? ''}"; name one entry or plan.`);
    if ((values.config === undefined) !== (values.app === undefined)) throw new UsageError('islet deploy: --config and --app go together (the file, and the app in it).');
    if (values.config !== undefined && values.app !== undefined) def = await readAppDefinition(values.config, values.app);
    ({ plan, modules } = await loadPlan(given));
  } else {
    const { entry, options, def: fromConfig } = await buildOptionsFrom(values, positionals, 'islet deploy');
    def = fromConfig;
    const built = await buildApp(entry, options);
    io.err(`islet: built "${built.plan.name}" -> ${built.planPath}\n`);
    plan = built.plan;
    modules = { [plan.entry]: built.code, [`${plan.entry}.map`]: built.map };
  }
  const routes = values.routes !== undefined
    ? values.routes.flatMap((r) => r.split(',')).map((r) => r.trim()).filter((r) => r !== '')
    : def?.routes ?? plan.routes;
  if (routes.length === 0) throw new UsageError('islet deploy: the app has no routes; pass --routes host[/prefix],... or --config FILE --app NAME.');
  for (const route of routes) {
    const parsed = parseRoute(route);
    if (typeof parsed === 'string') throw new UsageError(`islet deploy: invalid route: ${parsed}.`);
  }
  const name = values.name ?? def?.name ?? plan.name;
  const env = { ...def?.env, ...extra.env };
  const secrets = { ...def?.secrets, ...extra.secrets };
  const warnings: string[] = [];
  const missingEnv = plan.capabilities.env.filter((k) => !Object.hasOwn(env, k));
  const missingSecrets = plan.capabilities.secrets.filter((k) => !Object.hasOwn(secrets, k));
  if (missingEnv.length > 0) warnings.push(`the plan reads env ${missingEnv.join(', ')} but no value is deployed for it; pass --env KEY=VALUE or --config FILE --app NAME`);
  if (missingSecrets.length > 0) warnings.push(`the plan reads secrets ${missingSecrets.join(', ')} but none is deployed for it; pass --secret NAME or --config FILE --app NAME`);
  const fetch = def?.fetch ?? plan.capabilities.fetch;
  const body: DeployBody = {
    entry: plan.entry, modules, routes, env, secrets,
    limits: def?.limits ?? plan.limits,
    ...(fetch === undefined ? {} : { fetch: { ...fetch } }),
    bindings: def?.bindings ?? plan.capabilities.bindings,
    plan,
  };
  return { name, body, warnings };
}

/** Env values and secrets given as flags. */
interface FlagValues {
  env: Record<string, string>;
  secrets: Record<string, { value: string }>;
}

const FLAG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads --env KEY=VALUE and --secret NAME[=VAR] (the value from the environment variable VAR,
 * default NAME). A secret's value never appears in an error: only the names do.
 */
export function envAndSecretFlags(envFlags: readonly string[], secretFlags: readonly string[], environment: Record<string, string | undefined>): FlagValues {
  const out: FlagValues = { env: {}, secrets: {} };
  for (const flag of envFlags) {
    const eq = flag.indexOf('=');
    const key = eq === -1 ? flag : flag.slice(0, eq);
    if (eq === -1 || !FLAG_NAME.test(key)) throw new UsageError(`islet deploy: --env expects KEY=VALUE with KEY made of letters, digits and _ (not starting with a digit), got "${eq === -1 ? flag : key}".`);
    out.env[key] = flag.slice(eq + 1);
  }
  for (const flag of secretFlags) {
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag : flag.slice(0, eq);
    const variable = eq === -1 ? flag : flag.slice(eq + 1);
    if (!FLAG_NAME.test(name) || !FLAG_NAME.test(variable)) throw new UsageError(`islet deploy: --secret expects NAME or NAME=VAR (letters, digits and _, not starting with a digit), got "${flag}".`);
    const value = environment[variable];
    if (value === undefined || value === '') throw new UsageError(`islet deploy: --secret ${flag}: the environment variable ${variable} is not set here; set it in the shell that runs islet deploy (its value is sent to the server, never printed).`);
    out.secrets[name] = { value };
  }
  return out;
}

/** Polls GET /apps/:name until it serves `version` (or a later one); AdminFailure after `waitMs`. */
async function waitServing(target: AdminTarget, name: string, version: number, waitMs: number): Promise<AppStatus> {
  const deadline = Date.now() + waitMs;
  let last: AppStatus | undefined;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    const { body } = await adminJson<AppStatus>(target, 'GET', `apps/${encodeURIComponent(name)}`);
    last = body;
    const current = typeof body.version === 'number' ? body.version : -1;
    if (body.status === 'serving' && (Number.isNaN(version) || current >= version)) return body;
    if (body.status === 'failed') throw new AdminFailure(`the server took version ${version} of "${name}" but it failed to start; "islet logs ${name}" shows why.`, EXIT.GUEST);
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new AdminFailure(`the server took version ${version} of "${name}" but it was not serving after ${waitMs} ms (status "${String(last.status)}", version ${String(last.version)}); "islet apps" shows its state.`, EXIT.INTERNAL);
}
