/**
 * The caption a person already wrote for an image, and keeping it as the item's caption. Both
 * `library import` and folder captioning go through here, so an owner's words are found in the
 * same places and stored the same way whichever way the image came in: as the item's current
 * caption (searchable, shown first, its title), with any model caption a suggestion beside it.
 */
import type { Gallery } from '../gallery/index.ts';
import type { PhotoMetadata } from '../media/photo-metadata.ts';
import { readSidecar } from '../media/xmp.ts';

export interface OwnerCaption {
  text: string;
  /** Where it was found, in words: "its XMP sidecar", "its embedded IPTC", … */
  where: string;
}

/**
 * The owner's caption: a person's caption in the XMP sidecar (`photo.jpg.xmp`, `photo.xmp`)
 * outranks one embedded in the file; Tessera's own captions are never an owner's. `imagePath`
 * is null for bytes that have no file beside them (dropped onto the studio), which have no
 * sidecar.
 */
export async function readOwnerCaption(
  imagePath: string | null,
  photo: PhotoMetadata,
): Promise<OwnerCaption | null> {
  const sidecar = imagePath === null ? null : await readSidecar(imagePath);
  if (sidecar !== null && sidecar.description !== null && !sidecar.writtenByTessera)
    return { text: sidecar.description, where: 'its XMP sidecar' };
  const embedded = photo.embeddedCaption;
  if (embedded !== null && !embedded.writtenByTessera)
    return {
      text: embedded.text,
      where:
        embedded.from === 'png'
          ? 'its PNG Description text'
          : `its embedded ${embedded.from.toUpperCase()}`,
    };
  return null;
}

/** Stores the owner's caption as the item's own: current unless the user typed one in Tessera. */
export function keepOwnerCaption(gallery: Gallery, assetId: number, caption: OwnerCaption): void {
  gallery.addFileCaption(assetId, caption.text);
}
