/**
 * When Escape closes the Library's details panel: not while a dialog is open (Escape closes the
 * dialog first), not while typing in a field (Escape leaves the field alone), and not when
 * something else already handled the key. Pure.
 */
import { isTyping } from './infill.ts';

export function escapeClosesDetails(e: {
  key: string;
  defaultPrevented: boolean;
  target: { tagName: string; type?: string } | null;
  dialogOpen: boolean;
}): boolean {
  return e.key === 'Escape' && !e.defaultPrevented && !e.dialogOpen && !isTyping(e.target);
}
