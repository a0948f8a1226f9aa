/** Why a pull stopped; each message says what to do and what was kept. */
import { TesseraError } from '../../common/errors.ts';

export type PullRefusal =
  | 'bad-name'
  | 'not-found'
  | 'unreachable'
  | 'hub-failed'
  | 'unsupported'
  | 'no-dtype'
  | 'checksum'
  | 'interrupted'
  | 'disk-full'
  | 'cancelled'
  | 'busy';

export class PullError extends TesseraError<PullRefusal> {
  override readonly name = 'PullError';
}
