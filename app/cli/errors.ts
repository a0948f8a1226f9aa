import { TesseraError } from '../common/errors.ts';

/** An error the CLI reports as one line that says what to do, with a non-zero exit. */
export class CliError extends TesseraError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super('bad-request', message);
  }
}
