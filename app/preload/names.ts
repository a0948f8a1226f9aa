/**
 * The contract's channel and event names as plain lists, for the preload: it checks every call
 * against them, and bundles only these strings (not zod, not the schemas). The type checks below
 * make a name missing here, or one the contract does not have, a compile error.
 */
import type { Channel, EventName } from '../common/contract.ts';

export const CHANNEL_NAMES = [
  'models:list',
  'models:providers',
  'models:setProvider',
  'models:import',
  'models:pull',
  'models:cancelPull',
  'models:promptCheck',
  'jobs:submitGenerate',
  'compare:run',
  'compare:measure',
  'jobs:submitCaptionFolder',
  'jobs:submitInfill',
  'jobs:list',
  'jobs:cancel',
  'jobs:pause',
  'jobs:resume',
  'jobs:retry',
  'jobs:move',
  'jobs:prune',
  'jobs:files',
  'gallery:query',
  'gallery:update',
  'gallery:get',
  'gallery:similar',
  'gallery:likelihood',
  'gallery:lineage',
  'gallery:import',
  'gallery:importUpload',
  'gallery:export',
  'gallery:replay',
  'gallery:delete',
  'gallery:restore',
  'captions:set',
  'captions:accept',
  'infill:openFile',
  'boards:list',
  'boards:create',
  'boards:add',
  'boards:remove',
  'dialog:openFiles',
  'dialog:openFolder',
  'dialog:saveZip',
] as const satisfies readonly Channel[];

export const EVENT_NAMES = [
  'jobs:event',
  'models:pull',
  'gallery:changed',
  'menu:command',
] as const satisfies readonly EventName[];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time: CHANNEL_NAMES lists exactly the contract's channels. */
export type ChannelNamesMatchContract = Assert<Same<(typeof CHANNEL_NAMES)[number], Channel>>;
/** Compile-time: EVENT_NAMES lists exactly the contract's events. */
export type EventNamesMatchContract = Assert<Same<(typeof EVENT_NAMES)[number], EventName>>;
