/**
 * The one error type Tessera throws on purpose, and the one map from anything thrown to what a
 * surface shows: the studio's Result envelope, a failed job, the command line's one line.
 *
 * An error the user can act on carries a code callers can react to, whether trying the same
 * thing again may help, and a message written for the user that says what to do. Anything
 * else is a bug and is shown as `internal`; a surface never invents codes of its own.
 */
import { ZodError } from 'zod';

export interface ErrorOptions {
  /** Trying the same thing again may work (a busy file, a crashed process), not a bad input. */
  retryable?: boolean;
  cause?: unknown;
}

export class TesseraError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;
  constructor(code: Code, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export interface DescribedError {
  code: string;
  message: string;
  retryable: boolean;
}

/** The code of anything that is not a TesseraError: a bug, worth reporting. */
export const INTERNAL = 'internal';

const errnoCode = (err: unknown): unknown =>
  typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;

/** What every surface shows for `err`. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof TesseraError)
    return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof ZodError)
    return {
      code: 'bad-request',
      message: err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '),
      retryable: false,
    };
  const code = errnoCode(err);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL')
    return {
      code: 'disk-full',
      message: 'the disk is full: free some space and try again (nothing was saved)',
      retryable: true,
    };
  // SQLite's own words name tables and constraints, not what the user did: a value that slipped
  // past validation is refused in general terms (and the missing check is a bug to fix).
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'))
    return {
      code: 'invalid',
      message:
        'the library refused this value (it breaks one of its rules, such as a name with control characters or a duplicate): change it and try again',
      retryable: false,
    };
  return {
    code: INTERNAL,
    message: err instanceof Error ? err.message : String(err),
    retryable: false,
  };
}
