/**
 * The gallery: Tessera's library of generated images and photos in SQLite, with their files.
 * The only module that talks to SQLite (docs/architecture.md §The library, §Layering); everything
 * else uses this API.
 */
export { GalleryError, type GalleryErrorCode } from './errors.ts';
export { openGallery, LIBRARY_FILE } from './gallery.ts';
export { changedPhotoMessage, type AssetFile } from './asset-file.ts';
export { LATEST_SCHEMA_VERSION as GALLERY_SCHEMA_VERSION } from './migrations/index.ts';
export { EMBEDDING_VERSION } from './image-embedding.ts';
export type {
  CaptionInfo,
  CaptionResult,
  ForeignTool,
  Gallery,
  ItemDetail,
  ItemKind,
  ItemQuery,
  ItemSummary,
  LibraryFileRow,
  LineageNode,
  NewForeignGeneration,
  NewGeneration,
  NewPhoto,
  QueryPage,
} from './types.ts';
export type {
  JobError,
  JobFile,
  JobFilePage,
  JobFileStatus,
  JobKind,
  JobRow,
  JobStatus,
  JobStore,
} from './job-types.ts';
