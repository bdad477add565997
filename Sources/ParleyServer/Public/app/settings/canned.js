// Settings → Canned responses: saved replies agents insert by typing `/shortcut` in the composer.
// A "new" form on top (`canned-new`) and one editable row per response (`canned-row`); both use
// the same field test ids, scoped by their container.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { field, setFieldError, clearErrors, formError, showProblem, confirmButton, problemText, items } from './kit.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').CannedResponse} CannedResponse
 */

const SHORTCUT = /^[a-z0-9_-]{1,32}$/;

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderCanned(container, ctx) {
  let alive = true;
  const base = `/orgs/${encodeURIComponent(ctx.org.id)}/canned-responses`;
  /** @type {CannedResponse[]} */
  let responses = [];

  const list = h('ul', { class: 'st-list st-canned-list', 'data-testid': 'canned-list', 'aria-label': 'Canned responses' });
  const status = h('p', { class: 'st-hint', role: 'status' }, 'Loading…');
  const filter = h('input', { type: 'search', 'data-testid': 'canned-filter', placeholder: 'Filter by shortcut or text', autocomplete: 'off' });
  filter.addEventListener('input', () => draw());

  const create = editor(null, async (values, form, error) => {
    try {
      /** @type {CannedResponse} */
      const item = await api('POST', base, values);
      if (!alive) return;
      responses = [...responses.filter((r) => r.id !== item.id), item].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      form.reset();
      draw();
      ctx.toast(`Saved /${item.shortcut}.`);
      /** @type {HTMLElement} */ (form.querySelector('[data-testid="canned-shortcut"]')).focus();
    } catch (e) {
      showProblem(e, form, error, ctx);
    }
  });
  create.setAttribute('data-testid', 'canned-new');

  container.append(
    h('p', { class: 'st-intro' }, 'Agents type / and a shortcut in the composer to insert one of these.'),
    h('h2', { class: 'st-subheading' }, 'New canned response'),
    create,
    h('h2', { class: 'st-subheading' }, 'Saved responses'),
    field('Filter', filter),
    status,
    list);

  function draw() {
    clear(list);
    const needle = filter.value.trim().toLowerCase();
    const shown = responses.filter((r) => !needle || r.shortcut.includes(needle) || r.body.toLowerCase().includes(needle));
    status.textContent = responses.length ? (shown.length ? '' : 'Nothing matches the filter.') : 'No canned responses yet.';
    status.hidden = !status.textContent;
    for (const response of shown) {
      const form = editor(response, async (values, f, error) => {
        try {
          /** @type {CannedResponse} */
          const item = await api('PATCH', `${base}/${encodeURIComponent(response.id)}`, values);
          if (!alive) return;
          responses = responses.map((r) => (r.id === item.id ? item : r)).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
          draw();
          ctx.toast(`Saved /${item.shortcut}.`);
        } catch (e) {
          showProblem(e, f, error, ctx);
        }
      });
      const remove = confirmButton({
        label: 'Delete…', confirmLabel: 'Delete', testid: 'canned-delete', prompt: `Delete /${response.shortcut}?`,
        async action() {
          try {
            await api('DELETE', `${base}/${encodeURIComponent(response.id)}`);
            if (!alive) return;
            responses = responses.filter((r) => r.id !== response.id);
            draw();
            ctx.toast(`Deleted /${response.shortcut}.`);
          } catch (e) {
            ctx.toast(`Could not delete: ${problemText(e)}`, 'error');
          }
        },
      });
      /** @type {HTMLElement} */ (form.querySelector('.st-actions')).append(remove);
      list.append(h('li', { 'data-testid': 'canned-row', 'data-id': response.id, 'data-shortcut': response.shortcut, class: 'st-card' }, form));
    }
  }

  api('GET', base).then((body) => {
    if (!alive) return;
    responses = items(body);
    draw();
  }, (error) => {
    if (!alive) return;
    status.textContent = `Could not load the canned responses: ${problemText(error)}`;
    status.classList.add('st-error');
  });

  return () => { alive = false; };
}

/**
 * A shortcut + body form; `submit` gets the values to send (only what changed for an existing one).
 * @param {CannedResponse | null} response
 * @param {(values: Record<string, string>, form: HTMLFormElement, error: HTMLElement) => Promise<void>} submit
 */
function editor(response, submit) {
  const shortcut = h('input', { type: 'text', 'data-testid': 'canned-shortcut', maxlength: '32', autocomplete: 'off', spellcheck: 'false', class: 'st-code' });
  const body = h('textarea', { 'data-testid': 'canned-body', rows: response ? '3' : '4', maxlength: '5000' });
  shortcut.value = response ? response.shortcut : '';
  body.value = response ? response.body : '';
  const shortcutWrap = field('Shortcut', shortcut, { name: 'shortcut', hint: '1–32 of a-z, 0-9, _ and -' });
  const bodyWrap = field('Text', body, { name: 'body' });
  const save = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'canned-save' }, response ? 'Save' : 'Add');
  const error = formError();
  const form = h('form', { class: 'st-canned-form', novalidate: true, 'aria-label': response ? `Canned response /${response.shortcut}` : 'New canned response' },
    h('div', { class: 'st-canned-fields' }, shortcutWrap, bodyWrap),
    h('div', { class: 'st-actions' }, save),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { shortcut: shortcut.value.trim().toLowerCase().replace(/^\//, ''), body: body.value };
    if (!SHORTCUT.test(values.shortcut)) {
      setFieldError(shortcutWrap, 'Use 1–32 of a-z, 0-9, _ and - (no spaces).');
      shortcut.focus();
      return;
    }
    if (!values.body.trim()) {
      setFieldError(bodyWrap, 'Write the text to insert.');
      body.focus();
      return;
    }
    /** @type {Record<string, string>} */
    const send = {};
    if (!response || values.shortcut !== response.shortcut) send.shortcut = values.shortcut;
    if (!response || values.body !== response.body) send.body = values.body;
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
