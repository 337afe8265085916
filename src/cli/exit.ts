/** The CLI's exit codes, documented in `islet --help` and docs/cli.md. */
import type { ErrorCode } from '../errors.ts';

export const EXIT = { OK: 0, GUEST: 1, USAGE: 2, LIMIT: 3, INTERNAL: 4 } as const;

/** The exit code for a failed run's error code. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'GUEST_EXCEPTION': case 'SYNTAX_ERROR': case 'MODULE_NOT_FOUND': case 'HOST_SERVICE_ERROR': case 'UNCLONEABLE_VALUE': case 'HANDLE_INVALID': case 'EGRESS_DENIED':
      return EXIT.GUEST;
    case 'CPU_LIMIT': case 'WALL_TIMEOUT': case 'MEMORY_LIMIT':
      return EXIT.LIMIT;
    case 'INVALID_OPTIONS': case 'PLAN_INVALID':
      return EXIT.USAGE;
    default:
      return EXIT.INTERNAL;
  }
}
