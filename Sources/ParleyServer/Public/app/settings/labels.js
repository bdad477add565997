// Settings → Labels: the organization's label catalog (name + colour). Conversations keep plain
// label names, so deleting a label here leaves tagged conversations as they are.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { field, setFieldError, clearErrors, formError, showProblem, confirmButton, problemText, items } from './kit.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').Label} Label
 */

const DEFAULT_COLOR = '#64748b';
const HEX = /^#[0-9a-f]{6}$/;

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderLabels(container, ctx) {
  let alive = true;
  const base = `/orgs/${encodeURIComponent(ctx.org.id)}/labels`;
  /** @type {Label[]} */
  let labels = [];
  const byName = (/** @type {Label} */ a, /** @type {Label} */ b) => a.name.localeCompare(b.name);

  const list = h('ul', { class: 'st-list st-label-list', 'data-testid': 'label-list', 'aria-label': 'Labels' });
  const status = h('p', { class: 'st-hint', role: 'status' }, 'Loading…');

  const create = editor(null, async (values, form, error) => {
    try {
      /** @type {Label} */
      const label = await api('POST', base, values);
      if (!alive) return;
      labels = [...labels.filter((l) => l.id !== label.id), label].sort(byName);
      form.reset();
      draw();
      ctx.toast(`Label “${label.name}” added.`);
      /** @type {HTMLElement} */ (form.querySelector('[data-testid="label-name"]')).focus();
    } catch (e) {
      showProblem(e, form, error, ctx);
    }
  });
  create.setAttribute('data-testid', 'label-new');

  container.append(
    h('p', { class: 'st-intro' }, 'Labels agents can put on conversations, with the colour their chips get.'),
    h('h2', { class: 'st-subheading' }, 'New label'),
    create,
    h('h2', { class: 'st-subheading' }, 'Catalog'),
    status,
    list);

  function draw() {
    clear(list);
    status.textContent = labels.length ? '' : 'No labels yet.';
    status.hidden = labels.length > 0;
    for (const label of labels) {
      const form = editor(label, async (values, f, error) => {
        try {
          /** @type {Label} */
          const updated = await api('PATCH', `${base}/${encodeURIComponent(label.id)}`, values);
          if (!alive) return;
          labels = labels.map((l) => (l.id === updated.id ? updated : l)).sort(byName);
          draw();
          ctx.toast(`Label “${updated.name}” saved.`);
        } catch (e) {
          showProblem(e, f, error, ctx);
        }
      });
      const remove = confirmButton({
        label: 'Delete…', confirmLabel: 'Delete', testid: 'label-delete',
        prompt: `Delete “${label.name}” from the catalog? Conversations keep it.`,
        async action() {
          try {
            await api('DELETE', `${base}/${encodeURIComponent(label.id)}`);
            if (!alive) return;
            labels = labels.filter((l) => l.id !== label.id);
            draw();
            ctx.toast(`Label “${label.name}” deleted.`);
          } catch (e) {
            ctx.toast(`Could not delete: ${problemText(e)}`, 'error');
          }
        },
      });
      /** @type {HTMLElement} */ (form.querySelector('.st-actions')).append(remove);
      list.append(h('li', { 'data-testid': 'label-row', 'data-id': label.id, 'data-name': label.name, class: 'st-list-row' }, form));
    }
  }

  api('GET', base).then((body) => {
    if (!alive) return;
    labels = items(body);
    labels.sort(byName);
    draw();
  }, (error) => {
    if (!alive) return;
    status.textContent = `Could not load the labels: ${problemText(error)}`;
    status.classList.add('st-error');
  });

  return () => { alive = false; };
}

/**
 * @param {Label | null} label
 * @param {(values: Record<string, string>, form: HTMLFormElement, error: HTMLElement) => Promise<void>} submit
 */
function editor(label, submit) {
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
  const save = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'label-save' }, label ? 'Save' : 'Add');
  const error = formError();
  const form = h('form', { class: 'st-label-form', novalidate: true, 'aria-label': label ? `Label ${label.name}` : 'New label' },
    nameWrap, colorWrap, swatch, h('div', { class: 'st-actions' }, save), error);
  form.addEventListener('reset', () => queueMicrotask(paint));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { name: name.value.trim().toLowerCase(), color: color.value.toLowerCase() };
    if (!values.name) {
      setFieldError(nameWrap, 'Give the label a name.');
      name.focus();
      return;
    }
    /** @type {Record<string, string>} */
    const send = {};
    if (!label || values.name !== label.name) send.name = values.name;
    if (!label || values.color !== label.color) send.color = values.color;
    if (!Object.keys(send).length) return;
    save.disabled = true;
    try {
      await submit(send, form, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
