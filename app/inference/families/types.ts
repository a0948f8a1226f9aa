/**
 * What every model family provides to the inference host (docs/architecture.md §Family plug-ins).
 * The interface is shaped for all four families of docs/models.md: token grids (vq-ar), JPEG bytes
 * (jpeg-lm), continuous soft tokens with a GMM head (jetformer) and diffusion over patches
 * (transfusion). Their token state differs, so the host treats it as opaque; jobs report progress
 * in the family's own unit, and a capability the manifest does not declare is refused by name.
 */
import { TesseraError } from '../../common/errors.ts';
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobEvent,
  JobResult,
} from '../../common/inference-contract.ts';
import type { Family, ModelManifest } from '../../common/model-manifest.ts';
import type { Provider } from '../engine/ort.ts';

export interface JobControl {
  /** Set by the host when a cancel or pause message arrives; read between decoder runs. */
  stop: 'cancel' | 'pause' | null;
}

export type Emit = (event: JobEvent) => void;

export interface LoadOptions {
  provider: Provider;
  threads: number;
}

export interface FamilyModel {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** The execution provider that actually loaded, and why it differs from the request. */
  readonly provider: Provider;
  readonly providerNotice: string | null;
  generate(req: GenerateRequest, control: JobControl, emit: Emit): Promise<JobResult | 'stopped'>;
  /**
   * Progress and previews like a generation. An infill is deterministic and short, so it keeps
   * no token state: a pause stops it with empty state and resuming runs it again from the start.
   */
  infill(req: InfillRequest, control: JobControl, emit: Emit): Promise<JobResult | 'stopped'>;
  caption(req: CaptionRequest): Promise<JobResult>;
  /**
   * log p(text | image) of each text; a model whose likelihood is `exact` also returns the
   * image's bits per dimension (and with no texts, that alone).
   */
  score(imageRgb: string, texts: string[]): Promise<JobResult>;
  release(): Promise<void>;
}

export interface FamilyDescriptor {
  family: Family;
  progressUnit: 'token' | 'mcu' | 'step';
  load(dir: string, options: LoadOptions): Promise<FamilyModel>;
}

/** A model folder that cannot be used; the message says what to do. */
export class ModelLoadError extends TesseraError {
  constructor(message: string) {
    super('model-invalid', message);
  }
}

/** A task the model's manifest does not declare. */
export class CapabilityError extends TesseraError {
  constructor(message: string) {
    super('unsupported', message);
  }
}

/** An infill mask the model cannot use (empty, or beyond what it can fill); says what to do. */
export class InfillMaskError extends TesseraError {
  constructor(message: string) {
    super('bad-mask', message);
  }
}
