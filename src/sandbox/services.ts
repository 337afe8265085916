/** Host-side dispatch of service calls: decode handles, call the service, encode the result. */
import { Handle, ResourceTable } from '../bridge/handles.ts';
import type { WireArg, WireResult } from '../bridge/protocol.ts';
import { toWireError } from './core.ts';
import type { ResolvedOptions } from './options.ts';

/** Calls services for one sandbox; owns its handle table. */
export class ServiceDispatcher {
  readonly #services: ResolvedOptions['services'];
  readonly handles = new ResourceTable();

  constructor(services: ResolvedOptions['services']) { this.#services = services; }

  /** The dotted names the guest may call. */
  get names(): string[] { return [...this.#services.keys()]; }

  /** Runs one call; never throws synchronously, rejects with a WireError. */
  async call(path: string, args: readonly WireArg[]): Promise<WireResult> {
    const entry = this.#services.get(path);
    if (entry === undefined) throw toWireError(new Error('no such host service'));
    let result: unknown;
    try {
      const decoded = args.map((arg) => (arg[0] === 1 ? this.handles.lookup(arg[1], arg[2]) : arg[1]));
      result = await Reflect.apply(entry.fn, entry.self, decoded);
    } catch (error) {
      throw toWireError(error);
    }
    if (result instanceof Handle) {
      try {
        const [slot, generation] = this.handles.issue(result);
        return [1, slot, generation, result.kind];
      } catch (error) {
        throw toWireError(error);
      }
    }
    return [0, result];
  }
}
