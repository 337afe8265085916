/** Turns what isolated-vm throws into one of a few engine fault kinds, and those into IsletErrors. */
import { IsletError, type GuestErrorInfo } from '../errors.ts';

/** Why an entry into an isolate ended abnormally. */
export type FaultKind =
  | 'timeout' // the entry's timeout fired (the caller decides whether that is CPU or wall time)
  | 'memory' // the isolate passed its heap limit and was disposed
  | 'disposed' // the isolate was disposed (by us) while or before running
  | 'crashed' // isolated-vm reported a catastrophic error
  | 'syntax' // the source did not parse
  | 'uncloneable' // a value could not be copied across the boundary
  | 'guest'; // the guest threw, or left a rejection unhandled, during the entry

/** An abnormal end of an entry into an isolate. */
export class EngineFault extends Error {
  readonly kind: FaultKind;
  readonly guest: GuestErrorInfo | undefined;

  constructor(kind: FaultKind, message: string, guest?: GuestErrorInfo) {
    super(message);
    this.name = 'EngineFault';
    this.kind = kind;
    this.guest = guest;
  }

  /** The IsletError for this fault when nothing more specific is known. */
  toIsletError(): IsletError {
    switch (this.kind) {
      case 'timeout': return new IsletError('CPU_LIMIT', 'The guest ran past its CPU budget.');
      case 'memory': return new IsletError('MEMORY_LIMIT', 'The guest passed its memory limit and its isolate was disposed.');
      case 'disposed': return new IsletError('DISPOSED', 'The isolate was disposed.');
      case 'crashed': return new IsletError('ISOLATE_CRASHED', `The isolate crashed: ${this.message}`);
      case 'syntax': return new IsletError('SYNTAX_ERROR', this.message, guestOpt(this.guest));
      case 'uncloneable': return new IsletError('UNCLONEABLE_VALUE', this.message);
      case 'guest': return new IsletError('GUEST_EXCEPTION', `Uncaught ${this.guest?.name ?? 'Error'}: ${this.guest?.message ?? this.message}`, guestOpt(this.guest));
    }
  }
}

function guestOpt(guest: GuestErrorInfo | undefined): { guest?: GuestErrorInfo } {
  return guest === undefined ? {} : { guest };
}

const BOUNDARY = '(<isolated-vm boundary>)';

/** Keeps the guest's own stack frames: everything before isolated-vm's boundary marker. */
export function guestStack(stack: string): string {
  const lines = stack.split('\n');
  const cut = lines.findIndex((line) => line.includes(BOUNDARY));
  return (cut === -1 ? lines : lines.slice(0, cut)).join('\n');
}

/** Classifies an error thrown by an isolated-vm call. */
export function faultFrom(error: unknown, isolate: { isDisposed: boolean; crashed: string | undefined }): EngineFault {
  if (error instanceof EngineFault) return error;
  if (error instanceof IsletError) return new EngineFault('guest', error.message);
  if (isolate.crashed !== undefined) return new EngineFault('crashed', isolate.crashed);
  const message = error instanceof Error ? error.message : String(error);
  if (/disposed during execution due to memory limit/i.test(message)) return new EngineFault('memory', message);
  if (message === 'Script execution timed out.') return new EngineFault('timeout', message);
  if (/^Isolate (is|was) disposed/i.test(message) || (isolate.isDisposed && /disposed/i.test(message))) {
    return new EngineFault('disposed', message);
  }
  if (/could not be cloned|is not transferable|#<.*> could not be cloned/i.test(message)) {
    return new EngineFault('uncloneable', message);
  }
  if (error instanceof Error) {
    const info: GuestErrorInfo = { name: error.name, message: error.message, stack: guestStack(error.stack ?? '') };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') info.code = code;
    if (error.name === 'SyntaxError') {
      // isolated-vm appends "[file:line:col]" to compile errors.
      return new EngineFault('syntax', `SyntaxError: ${error.message}`, info);
    }
    return new EngineFault('guest', message, info);
  }
  return new EngineFault('guest', message, { name: 'Error', message });
}
