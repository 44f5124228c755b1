import type { SectionId } from './sections.ts';

/**
 * The keyboard shortcuts, for the shortcut list and the window's key handler. Ctrl (Cmd on macOS)
 * with 1..7 opens the sidebar's sections in order; the menu shows the same keys.
 */
export const SECTION_KEYS: ReadonlyArray<{ key: string; section: SectionId }> = [
  { key: '1', section: 'ca' },
  { key: '2', section: 'nodes' },
  { key: '3', section: 'csr' },
  { key: '4', section: 'truststore' },
  { key: '5', section: 'push' },
  { key: '6', section: 'lifecycle' },
  { key: '7', section: 'rotation' },
];

export const OTHER_SHORTCUTS: ReadonlyArray<{ keys: string; what: string }> = [
  { keys: 'Ctrl+N', what: 'Add a node' },
  { keys: 'Ctrl+Shift+N', what: 'Add nodes from a list' },
  { keys: 'Ctrl+Shift+S', what: 'Sign a CSR' },
  { keys: 'Ctrl+/ or ?', what: 'This list of shortcuts' },
  { keys: 'Arrow keys, Page Up/Down, Home, End', what: 'Move through the node table' },
  { keys: 'Enter', what: 'Open the focused node' },
  { keys: 'Escape', what: 'Close the dialog' },
];

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
export const MOD = isMac ? 'Cmd' : 'Ctrl';

/** What a key press asks for, or null: a section, or the shortcut list. Typing in a field never asks for the list. */
export function shortcutOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>, typing: boolean): { section: SectionId } | { list: true } | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (mod && !e.altKey && !e.shiftKey) {
    const hit = SECTION_KEYS.find((s) => s.key === e.key);
    if (hit) return { section: hit.section };
    if (e.key === '/') return { list: true };
  }
  if (e.key === '?' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) return { list: true };
  return null;
}
