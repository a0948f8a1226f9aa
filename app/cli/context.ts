/** What every CLI command gets: the data folder, output mode and the inference process. */
import type { InferenceClient } from '../inference/client.ts';

export interface CommandContext {
  home: string;
  json: boolean;
  client: InferenceClient;
  print: (line: string) => void;
  warn: (line: string) => void;
}
