/** The context's time origin, set when the context boots (never baked into a snapshot). */
import { DateNow } from './00-primordials.ts';

let origin = 0;

/** Milliseconds since the epoch at which this context booted. */
export function timeOrigin(): number { return origin; }

/** Sets the time origin to now (called by boot). */
export function resetClock(): void { origin = DateNow(); }
