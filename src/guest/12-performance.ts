/**
 * performance.now() and performance.timeOrigin, coarsened to whole milliseconds so guests get no
 * sub-millisecond clock for timing side channels (https://w3c.github.io/hr-time/).
 */
import { DateNow, MathFloor, ObjectDefineProperty, TypeErrorCtor } from './00-primordials.ts';
import { EventTarget } from './04-event.ts';
import { timeOrigin } from './02-clock.ts';

const CONSTRUCT = {};

/** https://w3c.github.io/hr-time/#the-performance-interface */
export class Performance extends EventTarget {
  constructor(token?: unknown) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor('Illegal constructor');
    super();
  }
  get timeOrigin(): number { return timeOrigin(); }
  now(): number { return MathFloor(DateNow() - timeOrigin()); }
  toJSON(): { timeOrigin: number } { return { timeOrigin: timeOrigin() }; }
}
ObjectDefineProperty(Performance.prototype, Symbol.toStringTag, { value: 'Performance', configurable: true });

/** The one Performance instance of a context. */
export function createPerformance(): Performance { return new Performance(CONSTRUCT); }
