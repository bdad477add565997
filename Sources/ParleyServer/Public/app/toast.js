// Short messages at the bottom of the screen, announced to screen readers.
import { h } from './dom.js';

/** @type {HTMLElement | null} */
let region = null;

/**
 * Shows a toast for a few seconds (errors longer).
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function toast(text, kind = 'info') {
  if (!region || !region.isConnected) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const el = h('div', { class: 'toast toast-' + kind, 'data-testid': 'toast', 'data-kind': kind, role: kind === 'error' ? 'alert' : null },
    h('span', {}, text), close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  region.append(el);
  while (region.childElementCount > 4) /** @type {Element} */ (region.firstElementChild).remove();
  setTimeout(remove, kind === 'error' ? 8000 : 4500);
}
