/**
 * setTimeout / setInterval / clearTimeout / clearInterval, driven by host timers
 * (https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers). Callbacks run in
 * entries the host makes, so their CPU counts against the run. Timers belong to the run that set
 * them: the host drops what is still pending when the run ends.
 */
import type { GuestOps } from '../bridge/protocol.ts';
import { MapPrototypeDelete, MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, NumberCtor, RangeErrorCtor, ReflectApply, SafeMap, TypeErrorCtor } from './00-primordials.ts';

interface Timer { callback: (...args: unknown[]) => unknown; args: unknown[]; delay: number; repeat: boolean }

/** The timer functions for one context, plus `fire` for the host's dispatcher. */
export function createTimers(ops: GuestOps) {
  const timers = new SafeMap<number, Timer>();
  let nextId = 0;

  function start(callback: unknown, timeout: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== 'function') {
      throw new TypeErrorCtor(`${repeat ? 'setInterval' : 'setTimeout'}: the callback must be a function (code strings are not evaluated)`);
    }
    let delay = NumberCtor(timeout);
    if (!(delay >= 0)) delay = 0; // NaN and negatives clamp to 0
    if (delay > 2_147_483_647) delay = 0; // as in browsers and Node: an overflowing delay fires at once
    const id = ++nextId;
    const started = ops.op_timer_start(id, delay);
    if (started[0] !== true) throw new RangeErrorCtor(`${repeat ? 'setInterval' : 'setTimeout'}: ${started[1]}`);
    MapPrototypeSet(timers, id, { callback: callback as Timer['callback'], args, delay, repeat });
    return id;
  }

  function clear(id: unknown): void {
    const key = NumberCtor(id);
    if (!MapPrototypeHas(timers, key)) return;
    MapPrototypeDelete(timers, key);
    ops.op_timer_cancel(key);
  }

  return {
    setTimeout(callback: unknown, timeout?: unknown, ...args: unknown[]): number { return start(callback, timeout, args, false); },
    setInterval(callback: unknown, timeout?: unknown, ...args: unknown[]): number { return start(callback, timeout, args, true); },
    clearTimeout(id?: unknown): void { clear(id); },
    clearInterval(id?: unknown): void { clear(id); },
    /** Runs a due timer; the host calls this through the dispatcher. Exceptions propagate (uncaught). */
    fire(id: number): void {
      const timer = MapPrototypeGet(timers, id) as Timer | undefined;
      if (timer === undefined) return;
      if (timer.repeat) {
        const again = ops.op_timer_start(id, timer.delay);
        if (again[0] !== true) MapPrototypeDelete(timers, id);
      } else {
        MapPrototypeDelete(timers, id);
      }
      ReflectApply(timer.callback, undefined, timer.args);
    },
  };
}
