import type { ContractError } from '../../../app/common/contract.ts';

/** A call the app answered with `{ok: false}`: `code` is machine-readable, `message` says what to do. */
export class ContractCallError extends Error {
  readonly code: string;
  readonly channel: string;

  constructor(channel: string, error: ContractError) {
    super(error.message);
    this.name = 'ContractCallError';
    this.code = error.code;
    this.channel = channel;
  }
}

/** A readable message for anything thrown, for the error banner. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof ContractCallError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'error', message: err.message };
  return { code: 'error', message: String(err) };
}
