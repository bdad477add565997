// A catalog editor for an organization's list of named items (canned responses, labels): a "new"
// form on top (`{testid}-new`), then one editable row per item (`{testid}-row`, with `data-id` and
// `data-{key}`), each with Save (`{testid}-save`) and Delete… (`{testid}-delete`). Every form has the
// same field test ids, scoped by its container; an existing item's form sends only what changed.
import { h, clear, append } from '../dom.js';
import { api } from '../api.js';
import { field, clearErrors, formError, showProblem, showLoadError, confirmButton, problemText, items, changedFields } from './kit.js';

/** @typedef {import('./types').Ctx} Ctx */

/**
 * One item's fields, from `Catalog.form`. label: the form's aria-label; parts: what stands before its
 * Save button; read: the checked values (null when a field shows why not); reset: called after
 * form.reset().
 * @typedef {{
 *   label: string,
 *   className: string,
 *   parts: Node[],
 *   read(): Record<string, string> | null,
 *   reset?: () => void,
 * }} CatalogForm
 */

/**
 * What sets one catalog apart. path: under /orgs/{org}/; testid: the stem of the test ids; key: the
 * name items are sorted and shown by; empty: the status while there are none; what: the catalog in
 * "Could not load …"; saved, deleted: the toasts; filter: a filter field above the list.
 * @template {{id: string}} T
 * @typedef {{
 *   path: string,
 *   testid: string,
 *   key: keyof T & string,
 *   intro: string,
 *   newHeading: string,
 *   listHeading: string,
 *   listLabel: string,
 *   listClass: string,
 *   rowClass: string,
 *   empty: string,
 *   what: string,
 *   filter?: {placeholder: string, matches(item: T, needle: string): boolean},
 *   form(item: T | null): CatalogForm,
 *   saved(item: T, created: boolean): string,
 *   deleted(item: T): string,
 *   deletePrompt(item: T): string,
 * }} Catalog
 */

/**
 * Renders a catalog into `container`; returns its cleanup.
 * @template {{id: string}} T
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 * @param {Catalog<T>} catalog
 */
export function renderCatalog(container, ctx, catalog) {
  let alive = true;
  const base = `/orgs/${encodeURIComponent(ctx.org.id)}/${catalog.path}`;
  const name = (/** @type {T} */ item) => String(item[catalog.key]);
  const sorted = (/** @type {T[]} */ entries) => entries.sort((a, b) => name(a).localeCompare(name(b)));
  /** @type {T[]} */
  let all = [];

  const list = h('ul', { class: `st-list ${catalog.listClass}`, 'data-testid': `${catalog.testid}-list`, 'aria-label': catalog.listLabel });
  const status = h('p', { class: 'st-hint', role: 'status' }, 'Loading…');
  const matches = catalog.filter ? catalog.filter.matches : null;
  const filter = catalog.filter
    ? h('input', { type: 'search', 'data-testid': `${catalog.testid}-filter`, placeholder: catalog.filter.placeholder, autocomplete: 'off' })
    : null;
  if (filter) filter.addEventListener('input', () => draw());

  const create = editor(catalog, null, async (values, form, error) => {
    try {
      /** @type {T} */
      const item = await api('POST', base, values);
      if (!alive) return;
      all = sorted([...all.filter((x) => x.id !== item.id), item]);
      form.reset();
      draw();
      ctx.toast(catalog.saved(item, true));
      /** @type {HTMLElement} */ (form.querySelector('input, textarea')).focus();
    } catch (e) {
      showProblem(e, form, error, ctx);
    }
  });
  create.setAttribute('data-testid', `${catalog.testid}-new`);

  append(container, [
    h('p', { class: 'st-intro' }, catalog.intro),
    h('h2', { class: 'st-subheading' }, catalog.newHeading),
    create,
    h('h2', { class: 'st-subheading' }, catalog.listHeading),
    filter && field('Filter', filter),
    status,
    list]);

  /** The rows on screen by item id, so that a save updates its row in place (other rows keep
   *  their unsaved edits and focus). @type {Map<string, HTMLElement>} */
  const rows = new Map();

  function draw() {
    clear(list);
    rows.clear();
    const needle = filter ? filter.value.trim().toLowerCase() : '';
    const shown = matches && needle ? all.filter((item) => matches(item, needle)) : all;
    status.textContent = all.length ? (shown.length ? '' : 'Nothing matches the filter.') : catalog.empty;
    status.hidden = !status.textContent;
    for (const item of shown) {
      const form = editor(catalog, item, async (values, f, error) => {
        try {
          /** @type {T} */
          const updated = await api('PATCH', `${base}/${encodeURIComponent(item.id)}`, values);
          if (!alive) return;
          Object.assign(item, updated);  // the form compares its next edit with what is saved now
          rows.get(item.id)?.setAttribute(`data-${catalog.key}`, name(item));
          for (const x of sorted(all)) {
            const row = rows.get(x.id);
            if (row) list.append(row);  // moves the row to its place in the new order
          }
          ctx.toast(catalog.saved(item, false));
        } catch (e) {
          showProblem(e, f, error, ctx);
        }
      });
      const remove = confirmButton({
        label: 'Delete…', confirmLabel: 'Delete', testid: `${catalog.testid}-delete`, prompt: catalog.deletePrompt(item),
        async action() {
          try {
            await api('DELETE', `${base}/${encodeURIComponent(item.id)}`);
            if (!alive) return;
            all = all.filter((x) => x.id !== item.id);
            draw();
            ctx.toast(catalog.deleted(item));
          } catch (e) {
            ctx.toast(`Could not delete: ${problemText(e)}`, 'error');
          }
        },
      });
      /** @type {HTMLElement} */ (form.querySelector('.st-actions')).append(remove);
      const row = h('li', {
        'data-testid': `${catalog.testid}-row`, 'data-id': item.id, [`data-${catalog.key}`]: name(item), class: catalog.rowClass,
      }, form);
      rows.set(item.id, row);
      list.append(row);
    }
  }

  api('GET', base).then((body) => {
    if (!alive) return;
    all = sorted(items(body));
    draw();
  }, (error) => {
    if (alive) showLoadError(status, catalog.what, error);
  });

  return () => { alive = false; };
}

/**
 * An item's form (a new one's when `item` is null): the catalog's fields, Save, an error line;
 * `submit` gets the values to send (only what changed for an existing item) and runs with Save disabled.
 * @template {{id: string}} T
 * @param {Catalog<T>} catalog
 * @param {T | null} item
 * @param {(values: Record<string, string>, form: HTMLFormElement, error: HTMLElement) => Promise<void>} submit
 */
function editor(catalog, item, submit) {
  const fields = catalog.form(item);
  const save = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': `${catalog.testid}-save` }, item ? 'Save' : 'Add');
  const error = formError();
  const form = h('form', { class: fields.className, novalidate: true, 'aria-label': fields.label },
    fields.parts, h('div', { class: 'st-actions' }, save), error);
  const { reset } = fields;
  if (reset) form.addEventListener('reset', () => queueMicrotask(reset));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = fields.read();
    if (!values) return;
    const send = /** @type {Record<string, string>} */ (changedFields(values, item));
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
