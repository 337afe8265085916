/** islet's public library API. */
export { Sandbox } from './sandbox/sandbox.ts';
export type { RunOptions } from './sandbox/sandbox.ts';
export type { SandboxOptions, Services, ServiceFunction, Isolation } from './sandbox/options.ts';
export type { Receipt, ReceiptError } from './sandbox/receipt.ts';
export type { Usage } from './sandbox/core.ts';
export { DEFAULT_LIMITS, type Limits } from './sandbox/limits.ts';
export { IsletError, ERROR_CODES, type ErrorCode, type GuestErrorInfo } from './errors.ts';
export { Handle, handle } from './bridge/handles.ts';
