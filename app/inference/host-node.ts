/** Entry point of the inference process when it is a Node child process (CLI, tests, web mode). */
import type { HostOutbound } from '../common/inference-contract.ts';
import { supportedProviders } from './engine/ort.ts';
import { startHost } from './host.ts';

if (process.send === undefined) {
  console.error('host-node.ts runs as a child process started by InferenceClient');
  process.exit(2);
}
startHost({
  send: (message: HostOutbound) => process.send!(message),
  onMessage: (handler) => process.on('message', handler),
});
process.send({ type: 'providers', providers: supportedProviders() } satisfies HostOutbound);
process.on('disconnect', () => process.exit(0));
