/** The receipt of a run: what it returned or threw, what it printed, what it used. */
import { IsletError, type ErrorCode, type GuestErrorInfo } from '../errors.ts';
import type { RunOutcome, Usage } from './core.ts';
import type { OutputCapture } from './output.ts';

/** The error part of a failed run's receipt. */
export interface ReceiptError {
  code: ErrorCode;
  /** The guest's error class name for guest errors; "IsletError" otherwise. */
  name: string;
  message: string;
  /** The guest's stack (guest file names and lines only), for guest errors. */
  stack?: string;
}

/** What every run produces, success or failure. */
export interface Receipt {
  ok: boolean;
  /** The run's result (structured-cloned), when ok. */
  value?: unknown;
  error?: ReceiptError;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  usage: Usage;
}

/** Builds the receipt of a finished run. */
export function makeReceipt(outcome: RunOutcome, stdout: OutputCapture, stderr: OutputCapture): Receipt {
  const receipt: Receipt = {
    ok: outcome.ok,
    stdout: stdout.text,
    stderr: stderr.text,
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    usage: outcome.usage,
  };
  if (outcome.ok) receipt.value = outcome.value;
  if (outcome.error !== undefined) {
    const guest = outcome.error.guest;
    const error: ReceiptError = {
      code: outcome.error.code,
      name: guest?.name ?? 'IsletError',
      message: guest?.message ?? outcome.error.message,
    };
    if (guest?.stack !== undefined) error.stack = guest.stack;
    receipt.error = error;
  }
  return receipt;
}

/** The IsletError a failed run rejects with, its receipt attached. */
export function errorFromReceipt(outcome: RunOutcome, receipt: Receipt): IsletError<Receipt> {
  const e = outcome.error ?? { code: 'INTERNAL' as const, message: 'The run failed without a reason.' };
  const options: { receipt: Receipt; guest?: GuestErrorInfo } = { receipt };
  if (e.guest !== undefined) options.guest = e.guest;
  return new IsletError<Receipt>(e.code, e.message, options);
}
