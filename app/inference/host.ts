/**
 * The inference process. onnxruntime-node's session.run blocks its thread, so inference lives
 * here, apart from the app's event loop: the app sends job requests, this process answers with
 * job events, one job at a time, and reads cancel/pause messages between decoder runs.
 *
 * Started by InferenceClient (a Node child process here; an Electron utilityProcess in the app).
 */
import { ZodError } from 'zod';
import {
  hostInboundSchema,
  type HostOutbound,
  type JobEvent,
  type JobRequest,
} from '../common/inference-contract.ts';
import { TesseraError } from '../common/errors.ts';
import { loadFamilyModel } from './families/registry.ts';
import type { FamilyModel, JobControl } from './families/types.ts';

export interface Transport {
  send(message: HostOutbound): void;
  onMessage(handler: (message: unknown) => void): void;
}

function errorEvent(err: unknown): Extract<JobEvent, { type: 'failed' }> {
  if (err instanceof RangeError)
    return { type: 'failed', code: 'bad-input', message: err.message, retryable: false };
  // ModelLoadError, InfillMaskError, CapabilityError... carry their own code; anything else is
  // the engine failing, which a fresh process may not.
  if (err instanceof TesseraError)
    return { type: 'failed', code: err.code, message: err.message, retryable: err.retryable };
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'failed', code: 'inference-error', message, retryable: true };
}

/** Read through a call: a message may have set it while the job ran (TS would narrow it). */
const stopReason = (control: JobControl): JobControl['stop'] => control.stop;

export function startHost(transport: Transport): void {
  const models = new Map<string, FamilyModel>();
  const controls = new Map<string, JobControl>();
  const queue: { jobId: string; request: JobRequest }[] = [];
  let busy = false;

  const loadModel = async (request: JobRequest): Promise<FamilyModel> => {
    const key = `${request.modelDir}\u0000${request.provider}\u0000${request.threads}`;
    const cached = models.get(key);
    if (cached !== undefined) return cached;
    for (const [k, m] of models) {
      await m.release(); // one model resident at a time: these are the user's RAM
      models.delete(k);
    }
    const model = await loadFamilyModel(request.modelDir, {
      provider: request.provider,
      threads: request.threads,
    });
    models.set(key, model);
    return model;
  };

  const runOne = async (jobId: string, request: JobRequest): Promise<void> => {
    const control: JobControl = { stop: controls.get(jobId)?.stop ?? null };
    controls.set(jobId, control);
    const emit = (event: JobEvent) => transport.send({ type: 'event', jobId, event });
    const started = Date.now();
    try {
      if (control.stop === 'cancel') {
        emit({ type: 'cancelled' });
        return;
      }
      const model = await loadModel(request);
      const provider = model.provider;
      emit({ type: 'started', modelId: model.manifest.id, provider, notice: model.providerNotice });
      let result;
      if (request.task === 'generate') result = await model.generate(request, control, emit);
      else if (request.task === 'infill') result = await model.infill(request, control, emit);
      else if (request.task === 'caption') result = await model.caption(request);
      else result = await model.score(request.imageRgb, request.texts);
      if (result === 'stopped') {
        if (stopReason(control) === 'cancel') emit({ type: 'cancelled' });
        return;
      }
      emit({ type: 'completed', result, provider, seconds: (Date.now() - started) / 1000 });
    } catch (err) {
      emit(errorEvent(err));
    } finally {
      controls.delete(jobId);
    }
  };

  const pump = async () => {
    if (busy) return;
    busy = true;
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      await runOne(next.jobId, next.request);
    busy = false;
  };

  transport.onMessage((raw) => {
    let message;
    try {
      message = hostInboundSchema.parse(raw);
    } catch (err) {
      const jobId =
        typeof raw === 'object' && raw !== null && 'jobId' in raw ? String(raw.jobId) : 'unknown';
      const detail =
        err instanceof ZodError
          ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
          : String(err);
      transport.send({
        type: 'event',
        jobId,
        event: { type: 'failed', code: 'bad-request', message: detail, retryable: false },
      });
      return;
    }
    if (message.type === 'run') {
      queue.push({ jobId: message.jobId, request: message.request });
      void pump();
    } else {
      const stop = message.type === 'cancel' ? 'cancel' : 'pause';
      const queued = queue.findIndex((q) => q.jobId === message.jobId);
      if (queued >= 0 && stop === 'cancel') {
        queue.splice(queued, 1);
        transport.send({ type: 'event', jobId: message.jobId, event: { type: 'cancelled' } });
      } else {
        const control = controls.get(message.jobId);
        if (control !== undefined) control.stop = stop;
      }
    }
  });
  transport.send({ type: 'ready' });
}
