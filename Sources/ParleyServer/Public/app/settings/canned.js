// Settings → Canned responses: saved replies agents insert by typing `/shortcut` in the composer.
// A catalog (catalog.js): a "new" form on top (`canned-new`), one editable row per response
// (`canned-row`), and a filter by shortcut or text.
import { h } from '../dom.js';
import { field, invalidField } from './kit.js';
import { renderCatalog } from './catalog.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').CannedResponse} CannedResponse
 */

const SHORTCUT = /^[a-z0-9_-]{1,32}$/;

/** @type {import('./catalog.js').Catalog<CannedResponse>} */
const CANNED = {
  path: 'canned-responses',
  testid: 'canned',
  key: 'shortcut',
  intro: 'Agents type / and a shortcut in the composer to insert one of these.',
  newHeading: 'New canned response',
  listHeading: 'Saved responses',
  listLabel: 'Canned responses',
  listClass: 'st-canned-list',
  rowClass: 'st-card',
  empty: 'No canned responses yet.',
  what: 'the canned responses',
  filter: {
    placeholder: 'Filter by shortcut or text',
    matches: (r, needle) => r.shortcut.includes(needle) || r.body.toLowerCase().includes(needle),
  },
  form,
  saved: (r) => `Saved /${r.shortcut}.`,
  deleted: (r) => `Deleted /${r.shortcut}.`,
  deletePrompt: (r) => `Delete /${r.shortcut}?`,
};

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderCanned(container, ctx) {
  return renderCatalog(container, ctx, CANNED);
}

/**
 * The shortcut and text of a response (a new one when `response` is null).
 * @param {CannedResponse | null} response
 * @returns {import('./catalog.js').CatalogForm}
 */
function form(response) {
  const shortcut = h('input', { type: 'text', 'data-testid': 'canned-shortcut', maxlength: '32', autocomplete: 'off', spellcheck: 'false', class: 'st-code' });
  const body = h('textarea', { 'data-testid': 'canned-body', rows: response ? '3' : '4', maxlength: '5000' });
  shortcut.value = response ? response.shortcut : '';
  body.value = response ? response.body : '';
  const shortcutWrap = field('Shortcut', shortcut, { name: 'shortcut', hint: '1–32 of a-z, 0-9, _ and -' });
  const bodyWrap = field('Text', body, { name: 'body' });
  return {
    label: response ? `Canned response /${response.shortcut}` : 'New canned response',
    className: 'st-canned-form',
    parts: [h('div', { class: 'st-canned-fields' }, shortcutWrap, bodyWrap)],
    read() {
      const values = { shortcut: shortcut.value.trim().toLowerCase().replace(/^\//, ''), body: body.value };
      if (!SHORTCUT.test(values.shortcut)) return invalidField(shortcutWrap, 'Use 1–32 of a-z, 0-9, _ and - (no spaces).');
      if (!values.body.trim()) return invalidField(bodyWrap, 'Write the text to insert.');
      return values;
    },
  };
}
