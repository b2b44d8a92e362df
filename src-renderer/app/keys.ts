// One rule for every single-key shortcut (j, k, Enter, /, Esc): a shortcut works whenever
// focus is not in a text field. A checkbox or a button that was just clicked keeps focus, so
// "not an INPUT" would silence j/k after a facet click; only controls that take typed text
// (or, for Enter and Space, controls that Enter activates) keep the key.
import { useEffect, useRef } from 'react';

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number', 'date', 'datetime-local', 'time', 'month', 'week']);

/** Focus is somewhere the user types: letters belong to it. */
export function isTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  // A select takes typed letters to jump between its options.
  if (el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && TEXT_INPUT_TYPES.has((el as HTMLInputElement).type);
}

/** Enter and Space activate a focused button, link, summary or option: they are the control's. */
function activatesOnEnter(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  return el.closest('button, a[href], summary, [role="option"], [role="tab"], [role="button"]') !== null;
}

/** The key belongs to the focused control (or carries a modifier), not to the screen's shortcuts. */
export function keyBelongsToControl(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  if (e.key === 'Escape') return false;
  if (isTextField(e.target)) return true;
  return (e.key === 'Enter' || e.key === ' ') && activatesOnEnter(e.target);
}

export type Shortcuts = Partial<Record<'j' | 'k' | 'Enter' | '/' | 'Escape', () => boolean | void>>;

/**
 * Binds single-key shortcuts for the screen that calls it. A handler that returns false did
 * not use the key (its default then happens); otherwise the default is prevented, so the
 * Enter that opens a drawer cannot also press a button the drawer puts focus on.
 */
export function useShortcuts(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  // The latest handlers, for the one listener below (set after each render, never during it).
  useEffect(() => {
    current.current = shortcuts;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keyBelongsToControl(e)) return;
      const handler = current.current[e.key as keyof Shortcuts];
      if (!handler) return;
      if (handler() !== false) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
