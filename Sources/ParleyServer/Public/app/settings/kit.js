// Small building blocks shared by the settings sections and the visitor panel: labelled fields with
// an error slot, problems shown next to the field they name, the fields an edit changed, a failed
// load in a status line, inline confirmation, copy to clipboard.
// Everything is built with h() (text nodes only); nothing is parsed as HTML.
import { h } from '../dom.js';
import { ApiError } from '../api.js';

/** @typedef {import('./types').Ctx} Ctx */

let counter = 0;
/**
 * A document-unique element id.
 * @param {string} stem
 */
export function uid(stem) {
  counter += 1;
  return `st-${stem}-${counter}`;
}

/**
 * Adds `<link rel="stylesheet" href>` to the document once (style-src 'self' allows it).
 * @param {string} href
 */
export function ensureStyles(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}

/**
 * What to tell the user about a failed request.
 * @param {unknown} error
 */
export function problemText(error) {
  if (error instanceof ApiError) {
    if (error.status === 403) return error.detail || 'Your role does not allow this.';
    if (error.status === 404) return error.detail || 'Not found: it may have been deleted.';
    return error.detail || error.message || `The server answered ${error.status}.`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The `field` a 422 names (e.g. `allowed_origins[1]`, `widget.theme_color`), or ''.
 * @param {unknown} error
 */
function problemField(error) {
  if (!(error instanceof ApiError)) return '';
  if (error.field) return error.field;
  const body = /** @type {any} */ (error).body;
  return body && typeof body.field === 'string' ? body.field : '';
}

/**
 * A labelled control with a hint and an error slot (`data-testid="field-error"`, aria-live).
 * @param {string} label
 * @param {HTMLElement} control gets an id (if it has none) for `<label for>` and aria-describedby
 * @param {{hint?: string, inline?: boolean, name?: string}} [options] name: the problem field(s) this
 *   one shows (`data-field`), inline: label after the control (checkboxes)
 */
export function field(label, control, options = {}) {
  if (!control.id) control.id = uid('f');
  const error = h('p', { class: 'st-error', 'data-testid': 'field-error', 'aria-live': 'polite', hidden: true });
  error.id = control.id + '-error';
  const describedBy = [error.id];
  let hint = null;
  if (options.hint) {
    hint = h('p', { class: 'st-hint' }, options.hint);
    hint.id = control.id + '-hint';
    describedBy.unshift(hint.id);
  }
  control.setAttribute('aria-describedby', describedBy.join(' '));
  const labelEl = h('label', { for: control.id }, label);
  const wrap = options.inline
    ? h('div', { class: 'st-field st-field-inline' }, control, labelEl, hint, error)
    : h('div', { class: 'st-field' }, labelEl, control, hint, error);
  if (options.name) wrap.dataset.field = options.name;
  return wrap;
}

/**
 * Shows (or with '' hides) the error of a field() wrapper.
 * @param {Element} wrap
 * @param {string} text
 */
export function setFieldError(wrap, text) {
  const error = /** @type {HTMLElement | null} */ (wrap.querySelector(':scope > .st-error'));
  const control = wrap.querySelector('input, select, textarea');
  if (error) {
    error.textContent = text;
    error.hidden = !text;
  }
  if (control) {
    if (text) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
}

/**
 * Clears the errors of every field() inside `scope`.
 * @param {Element} scope
 */
export function clearErrors(scope) {
  for (const wrap of scope.querySelectorAll('.st-field')) setFieldError(wrap, '');
  for (const el of scope.querySelectorAll('.st-form-error')) {
    el.textContent = '';
    /** @type {HTMLElement} */ (el).hidden = true;
  }
}

/**
 * A check before sending failed: shows `text` as the error of a field() wrapper and focuses its
 * control. Returns null, so that `return invalidField(…)` also says "nothing to send".
 * @param {Element} wrap
 * @param {string} text
 * @returns {null}
 */
export function invalidField(wrap, text) {
  setFieldError(wrap, text);
  const control = /** @type {HTMLElement | null} */ (wrap.querySelector('input, select, textarea'));
  if (control) control.focus();
  return null;
}

/**
 * What an edit changes: the entries of `values` that differ from the same keys of `original`
 * (compared as JSON; a missing key counts as null), or all of them for a new item (no original).
 * @template {object} V
 * @param {V} values
 * @param {object | null} original
 * @returns {Partial<V>}
 */
export function changedFields(values, original) {
  const before = /** @type {Record<string, unknown> | null} */ (original);
  /** @type {Record<string, unknown>} */
  const changed = {};
  for (const [key, value] of Object.entries(values)) {
    if (!before || JSON.stringify(value) !== JSON.stringify(before[key] ?? null)) changed[key] = value;
  }
  return /** @type {Partial<V>} */ (changed);
}

/** A form-level error line (aria-live) for problems that name no field. */
export function formError() {
  return h('p', { class: 'st-error st-form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
}

/**
 * @param {HTMLElement} el from formError()
 * @param {string} text
 */
export function setFormError(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

/**
 * Shows a failed request's problem next to the field it names (the wrapper whose `data-field` is a
 * prefix of the problem's field), else in `fallback`, else as an error toast. Focuses the control.
 * @param {unknown} error
 * @param {Element} scope
 * @param {HTMLElement | null} fallback from formError()
 * @param {Ctx} ctx
 * @param {(field: string, detail: string) => string} [describe] rewrites the message (e.g. "line 2: …")
 */
export function showProblem(error, scope, fallback, ctx, describe) {
  const name = problemField(error);
  let text = problemText(error);
  if (name) {
    const wraps = /** @type {HTMLElement[]} */ ([...scope.querySelectorAll('.st-field[data-field]')]);
    const match = wraps
      .filter((w) => (w.dataset.field || '').split(' ').some((f) => name === f || name.startsWith(f + '.') || name.startsWith(f + '[')))
      .pop();
    if (match) {
      if (describe) text = describe(name, text);
      setFieldError(match, text);
      const control = /** @type {HTMLElement | null} */ (match.querySelector('input, select, textarea'));
      if (control) control.focus();
      return;
    }
  }
  if (fallback) setFormError(fallback, text);
  else ctx.toast(text, 'error');
}

/**
 * Turns a section's status line into the error of its failed first load.
 * @param {HTMLElement} status
 * @param {string} what e.g. `the sites`
 * @param {unknown} error
 */
export function showLoadError(status, what, error) {
  status.textContent = `Could not load ${what}: ${problemText(error)}`;
  status.classList.add('st-error');
}

/**
 * A button that asks first: clicking it shows "prompt [confirm] [cancel]" in its place
 * (`confirm-yes` / `confirm-no`). `action` may return a Promise; the buttons are disabled meanwhile.
 * @param {{label: string, prompt: string, confirmLabel?: string, testid: string, danger?: boolean,
 *   action: () => unknown}} options
 */
export function confirmButton({ label, prompt, confirmLabel, testid, danger = true, action }) {
  const wrap = h('span', { class: 'st-confirm' });
  const button = h('button', { type: 'button', class: danger ? 'st-btn st-danger' : 'st-btn', 'data-testid': testid }, label);
  const yes = h('button', { type: 'button', class: 'st-btn st-danger', 'data-testid': 'confirm-yes' }, confirmLabel || label);
  const no = h('button', { type: 'button', class: 'st-btn', 'data-testid': 'confirm-no' }, 'Cancel');
  const question = h('span', { class: 'st-confirm-ask', role: 'group', 'aria-label': prompt, hidden: true },
    h('span', { class: 'st-confirm-text' }, prompt), yes, no);
  button.addEventListener('click', () => {
    button.hidden = true;
    question.hidden = false;
    no.focus();
  });
  no.addEventListener('click', () => {
    question.hidden = true;
    button.hidden = false;
    button.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = no.disabled = true;
    try {
      await action();
    } finally {
      yes.disabled = no.disabled = false;
      if (wrap.isConnected) {
        question.hidden = true;
        button.hidden = false;
      }
    }
  });
  wrap.append(button, question);
  return wrap;
}

/**
 * A copy button for a readonly input/textarea: navigator.clipboard when allowed, else the text is
 * selected (and execCommand('copy') tried) so the user can press Ctrl+C. A status says which.
 * @param {HTMLInputElement | HTMLTextAreaElement} source
 * @param {string} testid
 */
export function copyButton(source, testid) {
  const status = h('span', { class: 'st-copy-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'st-btn', 'data-testid': testid }, 'Copy');
  button.addEventListener('click', async () => {
    const text = source.value;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      status.textContent = 'Copied';
    } catch {
      source.focus();
      source.select();
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      status.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C (⌘C) to copy';
    }
    status.dataset.state = status.textContent === 'Copied' ? 'copied' : 'selected';
  });
  return h('span', { class: 'st-copy' }, button, status);
}

/** `<select>` with the given [value, text] options and `value` selected.
 * @param {Array<[string, string]>} options @param {string} value @param {Record<string, string>} [attrs] */
export function select(options, value, attrs = {}) {
  const el = h('select', attrs, options.map(([v, text]) => h('option', { value: v }, text)));
  el.value = value;
  return el;
}

/**
 * A short local date-time.
 * @param {string | null | undefined} iso
 */
export function shortDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const now = new Date();
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric', month: 'short', day: 'numeric' });
}

/**
 * Items of a list answer: a bare array or `{items: [...]}`.
 * @template T
 * @param {any} body
 * @returns {T[]}
 */
export function items(body) {
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.items)) return body.items;
  return [];
}
