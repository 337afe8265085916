/** Run limits, their defaults, and validation of every option a Sandbox takes. */

/** The limits every run is held to. */
export interface Limits {
  /** Heap limit of the isolate, in MiB (ArrayBuffers are capped against it too). */
  memoryMb: number;
  /** CPU time the guest may use in one run, counting every microtask and callback. */
  cpuMs: number;
  /** Wall-clock deadline of one run. */
  wallMs: number;
  /** Captured stdout; output past it is dropped and flagged. */
  stdoutBytes: number;
  /** Captured stderr; output past it is dropped and flagged. */
  stderrBytes: number;
}

/** The defaults, documented in README.md. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  memoryMb: 128,
  cpuMs: 1000,
  wallMs: 10_000,
  stdoutBytes: 1_048_576,
  stderrBytes: 1_048_576,
});

/** Upper bounds that keep a typo from disabling a limit. */
export const MAX_LIMITS: Readonly<Limits> = Object.freeze({
  memoryMb: 16_384,
  cpuMs: 3_600_000,
  wallMs: 86_400_000,
  stdoutBytes: 1_073_741_824,
  stderrBytes: 1_073_741_824,
});

/** Lower bounds: below these an isolate cannot even start. */
export const MIN_LIMITS: Readonly<Limits> = Object.freeze({
  memoryMb: 8,
  cpuMs: 1,
  wallMs: 1,
  stdoutBytes: 0,
  stderrBytes: 0,
});
