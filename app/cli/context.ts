/** What every CLI command gets: the data folder, output mode, the library and inference. */
import type { Gallery } from '../gallery/index.ts';
import type { InferenceClient } from '../inference/client.ts';

export interface CommandContext {
  home: string;
  json: boolean;
  client: InferenceClient;
  /** The library in <home>/library, opened (and migrated) on first use. */
  library(): Gallery;
  print: (line: string) => void;
  warn: (line: string) => void;
}
