/**
 * Keyboard focus for modal dialogs: focus moves into the dialog when it opens, Tab and Shift-Tab
 * cycle inside it, Escape closes it, and the element that had the focus gets it back on close.
 * Dialogs stack (a prompt over a wizard): only the topmost one acts.
 */

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
const FIELD = 'input:not([disabled]):not([type=hidden]):not([type=radio]):not([type=checkbox]), input[type=radio]:checked:not([disabled]), select:not([disabled]), textarea:not([disabled])';

const open: HTMLElement[] = [];

/** What Tab can reach inside `root`, in order; hidden elements (a folded section's fields) are left out. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0 && !el.closest('[inert]'));
}

/** Where focus lands on open: an [autofocus] field, the first form field, the first footer button, else the dialog. */
function firstTarget(dialog: HTMLElement): HTMLElement {
  const visible = (el: HTMLElement | null) => (el && el.getClientRects().length > 0 ? el : null);
  return (
    visible(dialog.querySelector<HTMLElement>('[autofocus]')) ??
    [...(dialog.querySelector('.body') ?? dialog).querySelectorAll<HTMLElement>(FIELD)].find((el) => visible(el)) ??
    focusables(dialog.querySelector('footer') ?? dialog)[0] ??
    dialog
  );
}

/** Svelte action for the dialog element; `onclose` is what Escape does. */
export function dialogFocus(dialog: HTMLElement, onclose: () => void): { update(next: () => void): void; destroy(): void } {
  let close = onclose;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  open.push(dialog);
  const top = () => open[open.length - 1] === dialog;

  function onkeydown(e: KeyboardEvent) {
    if (!top()) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'Tab') {
      const items = focusables(dialog);
      if (items.length === 0) {
        e.preventDefault();
        dialog.focus();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const at = document.activeElement;
      const inside = at instanceof Node && dialog.contains(at);
      if (e.shiftKey && (at === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (at === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    }
  }
  // Focus that leaves the dialog some other way (a click on the page behind) is brought back.
  function onfocusin(e: FocusEvent) {
    if (top() && e.target instanceof Node && !dialog.contains(e.target)) firstTarget(dialog).focus();
  }
  // A focused button that goes away (the dialog's next step replaced it) leaves the focus on the body.
  const lost = new MutationObserver(() => {
    if (top() && !dialog.contains(document.activeElement)) firstTarget(dialog).focus();
  });
  lost.observe(dialog, { childList: true, subtree: true });
  document.addEventListener('keydown', onkeydown, true);
  document.addEventListener('focusin', onfocusin);
  // After the dialog's content has rendered (its fields may be filled in the same tick).
  queueMicrotask(() => {
    if (top() && !dialog.contains(document.activeElement)) firstTarget(dialog).focus();
  });

  return {
    update(next) {
      close = next;
    },
    destroy() {
      lost.disconnect();
      document.removeEventListener('keydown', onkeydown, true);
      document.removeEventListener('focusin', onfocusin);
      open.splice(open.indexOf(dialog), 1);
      // Back to the opener when it is still on the page; under another dialog, to that one.
      const below = open[open.length - 1];
      if (opener?.isConnected && (!below || below.contains(opener))) opener.focus();
      else if (below) firstTarget(below).focus();
    },
  };
}
