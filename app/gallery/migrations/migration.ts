/** The shape of one schema step. A step is frozen once released: later changes get a new step. */
export interface Migration {
  /** Multiples of 10, increasing; becomes PRAGMA user_version once applied. */
  readonly version: number;
  readonly name: string;
  /** Plain SQL, run inside the migration transaction. */
  readonly sql: string;
}
