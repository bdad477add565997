// Settings → Labels: the organization's label catalog (name + colour). Conversations keep plain
// label names, so deleting a label here leaves tagged conversations as they are. A catalog
// (catalog.js): a "new" form on top (`label-new`) and one editable row per label (`label-row`).
import { h } from '../dom.js';
import { field, invalidField } from './kit.js';
import { renderCatalog } from './catalog.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').Label} Label
 */

const DEFAULT_COLOR = '#64748b';
const HEX = /^#[0-9a-f]{6}$/;

/** @type {import('./catalog.js').Catalog<Label>} */
const LABELS = {
  path: 'labels',
  testid: 'label',
  key: 'name',
  intro: 'Labels agents can put on conversations, with the colour their chips get.',
  newHeading: 'New label',
  listHeading: 'Catalog',
  listLabel: 'Labels',
  listClass: 'st-label-list',
  rowClass: 'st-list-row',
  empty: 'No labels yet.',
  what: 'the labels',
  form,
  saved: (label, created) => `Label “${label.name}” ${created ? 'added' : 'saved'}.`,
  deleted: (label) => `Label “${label.name}” deleted.`,
  deletePrompt: (label) => `Delete “${label.name}” from the catalog? Conversations keep it.`,
};

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderLabels(container, ctx) {
  return renderCatalog(container, ctx, LABELS);
}

/**
 * The name and colour of a label (a new one when `label` is null), with a chip showing both.
 * @param {Label | null} label
 * @returns {import('./catalog.js').CatalogForm}
 */
function form(label) {
  const name = h('input', { type: 'text', 'data-testid': 'label-name', maxlength: '50', autocomplete: 'off' });
  name.value = label ? label.name : '';
  // The value attribute too, so that form.reset() returns to it.
  const color = h('input', { type: 'color', 'data-testid': 'label-color' });
  color.setAttribute('value', label ? label.color : DEFAULT_COLOR);
  color.value = label ? label.color : DEFAULT_COLOR;
  const swatch = h('span', { class: 'st-swatch st-label-chip', 'aria-hidden': 'true' }, label ? label.name : 'label');
  const paint = () => {
    swatch.style.setProperty('--label-color', HEX.test(color.value) ? color.value : DEFAULT_COLOR);
    swatch.textContent = name.value.trim().toLowerCase() || 'label';
  };
  color.addEventListener('input', paint);
  name.addEventListener('input', paint);
  paint();
  const nameWrap = field('Name', name, { name: 'name' });
  const colorWrap = field('Colour', color, { name: 'color' });
  return {
    label: label ? `Label ${label.name}` : 'New label',
    className: 'st-label-form',
    parts: [nameWrap, colorWrap, swatch],
    read() {
      const values = { name: name.value.trim().toLowerCase(), color: color.value.toLowerCase() };
      if (!values.name) return invalidField(nameWrap, 'Give the label a name.');
      return values;
    },
    reset: paint,
  };
}
