/** Validation of op arguments, which are hostile input. */
import type { WireArg } from './protocol.ts';

/** Checks a service call's encoded arguments; returns them typed, or a reason they are bad. */
export function validateServiceArgs(args: unknown, maxArgs: number): WireArg[] | string {
  if (!Array.isArray(args)) return 'invalid arguments';
  if (args.length > maxArgs) return `too many arguments (at most ${maxArgs})`;
  const out: WireArg[] = [];
  for (const arg of args) {
    if (!Array.isArray(arg)) return 'invalid arguments';
    if (arg[0] === 0 && arg.length === 2) out.push([0, arg[1]]);
    else if (arg[0] === 1 && arg.length === 3 && Number.isSafeInteger(arg[1]) && Number.isSafeInteger(arg[2])) out.push([1, arg[1] as number, arg[2] as number]);
    else return 'invalid arguments';
  }
  return out;
}
