// Keyboard shortcuts and their help dialog. Shortcuts never fire while focus is in a text field
// (there, Esc leaves the field).
import { h, isTyping } from './dom.js';

/**
 * What the shortcuts drive (the inbox + conversation screen).
 * @typedef {{
 *   move(delta: number): void,
 *   openSelected(): boolean,
 *   focusComposer(): boolean,
 *   focusSearch(): void,
 *   view(name: 'mine' | 'unassigned' | 'all'): void,
 *   claim(): void,
 *   resolve(): void,
 *   close(): void,
 * }} ShortcutTarget
 */

const SHORTCUTS = [
  ['j', 'Next conversation'],
  ['k', 'Previous conversation'],
  ['Enter / o', 'Open the selected conversation'],
  ['r / c', 'Reply: focus the composer'],
  ['Esc', 'Leave the composer / close the conversation'],
  ['Enter', 'Send (in the composer)'],
  ['Shift+Enter', 'New line (in the composer)'],
  ['Ctrl+Enter / ⌘+Enter', 'Send (in the composer)'],
  ['/shortcut', 'Insert a canned response (in the composer)'],
  ['s', 'Search conversations'],
  ['1 / 2 / 3', 'Mine / Unassigned / All'],
  ['a', 'Claim the open conversation'],
  ['e', 'Resolve the open conversation'],
  ['?', 'Show this list'],
];

/** @type {HTMLDialogElement | null} */
let dialog = null;

export function showHelp() {
  if (!dialog || !dialog.isConnected) {
    const close = h('button', { type: 'button', class: 'btn', 'data-testid': 'shortcuts-close' }, 'Close');
    dialog = h('dialog', { class: 'help', 'data-testid': 'shortcuts-help', 'aria-labelledby': 'help-title' },
      h('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
      h('table', { class: 'keys' }, h('tbody', {}, SHORTCUTS.map(([k, what]) =>
        h('tr', {}, h('th', { scope: 'row' }, k.split(' / ').flatMap((part, i) => [i ? ' / ' : null, h('kbd', {}, part)])), h('td', {}, what))))),
      h('div', { class: 'dialog-actions' }, close));
    close.addEventListener('click', () => /** @type {HTMLDialogElement} */ (dialog).close());
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog) /** @type {HTMLDialogElement} */ (dialog).close();
    });
    document.body.append(dialog);
  }
  if (!dialog.open) dialog.showModal();
}

/**
 * @param {() => ShortcutTarget | null} target the current screen's handlers (none outside the inbox)
 * @returns {() => void} uninstalls
 */
export function installShortcuts(target) {
  /**
   * @param {KeyboardEvent} e
   */
  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    if (dialog && dialog.open) return;
    const t = target();
    if (isTyping(e.target)) {
      if (e.key === 'Escape' && e.target instanceof HTMLElement) {
        e.target.blur();
        e.preventDefault();
      }
      return;
    }
    if (e.key === '?') {
      e.preventDefault();
      showHelp();
      return;
    }
    if (!t) return;
    // Enter on a focused control is its own action, except on a conversation row: there the keyboard
    // selection (j / k) decides what opens.
    const onLink = e.target instanceof HTMLElement && /^(A|BUTTON|SUMMARY)$/.test(e.target.tagName)
      && !e.target.classList.contains('row-link');
    switch (e.key) {
      case 'j': t.move(1); break;
      case 'k': t.move(-1); break;
      case 'o': t.openSelected(); break;
      case 'Enter':
        if (onLink) return; // the focused control's own action
        if (!t.openSelected()) return; // nothing selected: a focused row opens itself
        break;
      case 'r': case 'c':
        if (!t.focusComposer()) return;
        break;
      case 's': t.focusSearch(); break;
      case '1': t.view('mine'); break;
      case '2': t.view('unassigned'); break;
      case '3': t.view('all'); break;
      case 'a': t.claim(); break;
      case 'e': t.resolve(); break;
      case 'Escape': t.close(); break;
      default: return;
    }
    e.preventDefault();
  }
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
