// Settings → Sites: the organization's websites, each with its embed snippet, allowed origins, widget
// settings (PATCH sites/{id} {"widget": {...}}, only the fields that changed), identity verification,
// key rotation and deletion. Problems the server names (`allowed_origins[1]`, `widget.theme_color`)
// are shown next to that field; a refused save changes nothing on the server.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import {
  field, setFieldError, invalidField, clearErrors, formError, showProblem, showLoadError, confirmButton, copyButton,
  select, problemText, items, uid, changedFields,
} from './kit.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').Site} Site
 * @typedef {import('./types').WidgetSettings} WidgetSettings
 * @typedef {import('./types').PrechatField} PrechatField
 */

const MIB = 1024 * 1024;
/** @type {Array<[string, string]>} */
const UPLOAD_TYPES = [
  ['image/png', 'PNG images'], ['image/jpeg', 'JPEG images'], ['image/gif', 'GIF images'], ['image/webp', 'WebP images'],
  ['application/pdf', 'PDF documents'], ['application/zip', 'ZIP archives'], ['text/plain', 'Plain text'],
];
/** @type {Array<[string, string]>} */
const FIELD_TYPES = [['text', 'Text'], ['email', 'Email'], ['tel', 'Phone'], ['textarea', 'Long text']];
const MAX_PRECHAT_FIELDS = 10;

/**
 * The embed code of a site.
 * @param {string} siteKey
 */
function snippet(siteKey) {
  return `<script src="${location.origin}/widget.js" data-site="${siteKey}" async></script>`;
}

/**
 * @param {Ctx} ctx
 * @param {string} [rest]
 */
const sitesPath = (ctx, rest = '') => `/orgs/${encodeURIComponent(ctx.org.id)}/sites${rest}`;

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderSites(container, ctx) {
  let alive = true;
  /** @type {Site[]} */
  let sites = [];
  /** @type {string | null} */
  let selected = new URLSearchParams(location.search).get('site');

  const list = h('ul', { class: 'st-list st-site-list', 'data-testid': 'site-list', 'aria-label': 'Sites' });
  const detail = h('div', { class: 'st-site-detail-wrap' });
  const status = h('p', { class: 'st-hint', role: 'status' }, 'Loading sites…');

  const createName = h('input', { type: 'text', 'data-testid': 'site-create-name', maxlength: '200', required: true, autocomplete: 'off' });
  const createError = formError();
  const createWrap = field('New site name', createName, { name: 'name' });
  const createButton = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'site-create' }, 'Create site');
  const createForm = h('form', { class: 'st-inline-form', 'aria-label': 'Create a site', novalidate: true },
    createWrap, createButton, createError);
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(createForm);
    const name = createName.value.trim();
    if (!name) return invalidField(createWrap, 'Give the site a name.');
    createButton.disabled = true;
    try {
      /** @type {Site} */
      const site = await api('POST', sitesPath(ctx), { name, allowed_origins: [] });
      if (!alive) return;
      sites.push(site);
      createName.value = '';
      selected = site.id;
      draw();
      ctx.toast(`Site “${site.name}” created. Add the origins it is embedded on.`);
      const origins = /** @type {HTMLElement | null} */ (detail.querySelector('[data-testid="site-origins"]'));
      if (origins) origins.focus();
    } catch (error) {
      showProblem(error, createForm, createError, ctx);
    } finally {
      createButton.disabled = false;
    }
  });

  container.append(
    h('p', { class: 'st-intro' }, 'Each site is one website with its own chat widget, inbox and settings.'),
    h('div', { class: 'st-sites' },
      h('div', { class: 'st-sites-side' }, status, list, createForm),
      detail));

  /** @param {{status?: string, secret?: string, focus?: string}} [flash] shown once in the redrawn editor */
  function draw(flash) {
    clear(list);
    status.textContent = sites.length ? '' : 'No sites yet: create the first one below.';
    status.hidden = !!sites.length;
    if (!sites.some((s) => s.id === selected)) selected = sites.length ? sites[0].id : null;
    for (const site of sites) {
      const choose = h('button', { type: 'button', class: 'st-site-choose', 'data-testid': 'site-select' },
        h('span', { class: 'st-site-name' }, site.name),
        h('span', { class: 'st-site-key' }, site.site_key));
      if (site.id === selected) choose.setAttribute('aria-current', 'true');
      choose.addEventListener('click', () => {
        selected = site.id;
        draw();
        const heading = /** @type {HTMLElement | null} */ (detail.querySelector('h2'));
        if (heading) heading.focus();
      });
      list.append(h('li', { 'data-testid': 'site-row', 'data-id': site.id, class: site.id === selected ? 'st-selected' : '' }, choose));
    }
    clear(detail);
    const site = sites.find((s) => s.id === selected);
    if (site) {
      const editor = siteEditor(site, ctx, {
        saved(updated, next) {
          sites = sites.map((s) => (s.id === updated.id ? updated : s));
          draw(next);
        },
        deleted(id) {
          sites = sites.filter((s) => s.id !== id);
          draw();
        },
      }, flash || {});
      detail.append(editor);
      if (flash && flash.focus) {
        const target = /** @type {HTMLElement | null} */ (editor.querySelector(`[data-testid="${flash.focus}"]`));
        if (target) target.focus();
      }
    }
  }

  api('GET', sitesPath(ctx)).then((body) => {
    if (!alive) return;
    sites = items(body);
    draw();
  }, (error) => {
    if (alive) showLoadError(status, 'the sites', error);
  });

  return () => { alive = false; };
}

/**
 * The editor of one site.
 * @param {Site} site
 * @param {Ctx} ctx
 * @param {{saved(site: Site, flash?: {status?: string, secret?: string, focus?: string}): void, deleted(id: string): void}} on
 * @param {{status?: string, secret?: string}} flash a status line and a just-rotated secret to show once
 */
function siteEditor(site, ctx, on, flash) {
  const w = site.widget;
  const headingId = uid('site');
  const form = h('form', { class: 'st-card st-site-detail', 'data-testid': 'site-detail', 'data-id': site.id, novalidate: true, 'aria-labelledby': headingId });
  const saveError = formError();
  const saveStatus = h('span', { class: 'st-saved', role: 'status', 'data-testid': 'site-status' }, flash.status || '');

  // Name
  const name = h('input', { type: 'text', 'data-testid': 'site-name', maxlength: '200', autocomplete: 'off' });
  name.value = site.name;

  // Embed snippet
  const code = h('textarea', { 'data-testid': 'site-snippet', readonly: true, rows: '3', class: 'st-code', spellcheck: 'false' });
  code.value = snippet(site.site_key);
  code.addEventListener('focus', () => code.select());

  // Allowed origins
  const origins = h('textarea', { 'data-testid': 'site-origins', rows: '4', class: 'st-code', spellcheck: 'false', autocomplete: 'off' });
  origins.value = site.allowed_origins.join('\n');
  const originsWrap = field('Allowed origins', origins, {
    name: 'allowed_origins', hint: 'One per line, e.g. https://www.example.com. The widget works only on these.',
  });

  // Appearance
  const color = h('input', { type: 'color', 'data-testid': 'site-color' });
  color.value = w.theme_color;
  const colorHex = h('input', { type: 'text', 'data-testid': 'site-color-hex', maxlength: '7', pattern: '#[0-9a-fA-F]{6}', class: 'st-hex', 'aria-label': 'Theme colour (hex)' });
  colorHex.value = w.theme_color;
  const colorWrap = field('Theme colour', color, { name: 'widget.theme_color' });
  colorWrap.insertBefore(colorHex, color.nextSibling);
  const position = select([['right', 'Bottom right'], ['left', 'Bottom left']], w.position, { 'data-testid': 'site-position' });
  const greeting = h('textarea', { 'data-testid': 'site-greeting', rows: '2', maxlength: '500' });
  greeting.value = w.greeting || '';
  const replyTime = select([['', 'Not shown'], ['minutes', 'In a few minutes'], ['hours', 'In a few hours'], ['day', 'Within a day']],
    w.reply_time || '', { 'data-testid': 'site-reply-time' });
  const locale = select([['', 'Follow the visitor’s page'], ['en', 'English'], ['de', 'Deutsch'], ['fr', 'Français'], ['es', 'Español']],
    w.locale || '', { 'data-testid': 'site-locale' });
  const csat = h('input', { type: 'checkbox', 'data-testid': 'site-csat' });
  csat.checked = w.csat_enabled;

  const preview = h('div', { class: 'st-preview', 'aria-hidden': 'true' },
    h('div', { class: 'st-preview-bubble' }, ''), h('div', { class: 'st-preview-launcher' }));
  const updatePreview = () => {
    preview.style.setProperty('--st-accent', /^#[0-9a-fA-F]{6}$/.test(color.value) ? color.value : '#4f46e5');
    preview.classList.toggle('st-preview-left', position.value === 'left');
    const bubble = /** @type {HTMLElement} */ (preview.firstChild);
    bubble.textContent = greeting.value.trim();
    bubble.hidden = !greeting.value.trim();
  };
  color.addEventListener('input', () => { colorHex.value = color.value; updatePreview(); });
  colorHex.addEventListener('input', () => {
    if (/^#[0-9a-fA-F]{6}$/.test(colorHex.value)) color.value = colorHex.value.toLowerCase();
    updatePreview();
  });
  position.addEventListener('change', updatePreview);
  greeting.addEventListener('input', updatePreview);
  updatePreview();

  // Pre-chat form
  const prechatEnabled = h('input', { type: 'checkbox', 'data-testid': 'site-prechat-enabled' });
  prechatEnabled.checked = w.prechat.enabled;
  const prechatRows = h('tbody', {});
  const prechatTable = h('table', { class: 'st-table st-prechat-table', 'data-testid': 'site-prechat-fields' },
    h('caption', { class: 'st-sr' }, 'Pre-chat form fields'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name (a-z, 0-9, _)'), h('th', { scope: 'col' }, 'Label'),
      h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Required'), h('th', { scope: 'col' }, h('span', { class: 'st-sr' }, 'Actions')))),
    prechatRows);
  const addField = h('button', { type: 'button', class: 'st-btn', 'data-testid': 'prechat-add' }, 'Add field');
  /** @param {PrechatField} f */
  const prechatRow = (f) => {
    const n = h('input', { type: 'text', 'data-testid': 'prechat-field-name', maxlength: '32', 'aria-label': 'Field name', class: 'st-code', autocomplete: 'off' });
    n.value = f.name;
    const l = h('input', { type: 'text', 'data-testid': 'prechat-field-label', maxlength: '100', 'aria-label': 'Field label', autocomplete: 'off' });
    l.value = f.label;
    const t = select(FIELD_TYPES, f.type, { 'data-testid': 'prechat-field-type', 'aria-label': 'Field type' });
    const r = h('input', { type: 'checkbox', 'data-testid': 'prechat-field-required', 'aria-label': 'Required' });
    r.checked = f.required;
    const remove = h('button', { type: 'button', class: 'st-btn st-small', 'data-testid': 'prechat-field-remove', 'aria-label': 'Remove field' }, 'Remove');
    const row = h('tr', { 'data-testid': 'prechat-field' }, h('td', {}, n), h('td', {}, l), h('td', {}, t), h('td', {}, r), h('td', {}, remove));
    remove.addEventListener('click', () => { row.remove(); addField.disabled = prechatRows.children.length >= MAX_PRECHAT_FIELDS; addField.focus(); });
    return row;
  };
  for (const f of w.prechat.fields) prechatRows.append(prechatRow(f));
  addField.disabled = prechatRows.children.length >= MAX_PRECHAT_FIELDS;
  addField.addEventListener('click', () => {
    const row = prechatRow({ name: '', label: '', type: 'text', required: false });
    prechatRows.append(row);
    addField.disabled = prechatRows.children.length >= MAX_PRECHAT_FIELDS;
    /** @type {HTMLInputElement} */ (row.querySelector('input')).focus();
  });
  const prechatError = h('p', { class: 'st-error', 'data-testid': 'field-error', 'aria-live': 'polite', hidden: true });
  const prechatFieldsWrap = h('div', { class: 'st-field', 'data-field': 'widget.prechat' }, prechatError, prechatTable, addField);
  // setFieldError looks for the direct .st-error child: keep it first so it sits above the table.
  /** @returns {PrechatField[]} */
  const prechatFields = () => [...prechatRows.children].map((row) => ({
    name: /** @type {HTMLInputElement} */ (row.querySelector('[data-testid="prechat-field-name"]')).value.trim(),
    label: /** @type {HTMLInputElement} */ (row.querySelector('[data-testid="prechat-field-label"]')).value.trim(),
    type: /** @type {PrechatField['type']} */ (/** @type {HTMLSelectElement} */ (row.querySelector('select')).value),
    required: /** @type {HTMLInputElement} */ (row.querySelector('[data-testid="prechat-field-required"]')).checked,
  }));

  // Uploads
  const shownMiB = String(Math.round((w.uploads.max_bytes / MIB) * 100) / 100);
  const uploadMax = h('input', { type: 'number', 'data-testid': 'site-upload-max', min: '0.01', step: 'any', inputmode: 'decimal', class: 'st-number' });
  uploadMax.value = shownMiB;
  const uploadMaxWrap = field('Largest file a visitor may send (MiB)', uploadMax, { name: 'widget.uploads.max_bytes' });
  const typeBoxes = UPLOAD_TYPES.map(([mime, text]) => {
    const box = h('input', { type: 'checkbox', 'data-testid': 'site-upload-type', value: mime });
    box.checked = w.uploads.allowed_types.includes(mime);
    return field(text, box, { inline: true });
  });
  const typesError = h('p', { class: 'st-error', 'data-testid': 'field-error', 'aria-live': 'polite', hidden: true });
  const typesWrap = h('fieldset', { class: 'st-field st-checks', 'data-field': 'widget.uploads.allowed_types' },
    typesError, h('legend', {}, 'File types visitors may send'), typeBoxes);

  // Identity verification
  const identityRequired = h('input', { type: 'checkbox', 'data-testid': 'site-identity-required' });
  identityRequired.checked = site.identity_required;
  const secretOut = h('code', { class: 'st-secret', 'data-testid': 'site-secret', hidden: true });
  const reveal = h('button', { type: 'button', class: 'st-btn', 'data-testid': 'site-secret-reveal', 'aria-expanded': 'false' }, 'Show secret');
  reveal.addEventListener('click', () => {
    const showing = secretOut.hidden;
    secretOut.textContent = showing ? (site.identity_secret || '(only owners and admins see it)') : '';
    secretOut.hidden = !showing;
    reveal.textContent = showing ? 'Hide secret' : 'Show secret';
    reveal.setAttribute('aria-expanded', String(showing));
  });
  const rotated = h('div', { class: 'st-rotated', 'data-testid': 'site-rotated', role: 'status', hidden: true });
  if (flash.secret) {
    const secret = h('input', { type: 'text', readonly: true, class: 'st-code', 'data-testid': 'site-new-secret', 'aria-label': 'New identity secret' });
    secret.value = flash.secret;
    rotated.append(
      h('p', {}, 'Keys rotated. Update the embed code on your pages and give your server the new identity secret; it is shown here once:'),
      h('div', { class: 'st-row' }, secret, copyButton(secret, 'site-new-secret-copy')));
    rotated.hidden = false;
  }
  const rotate = confirmButton({
    label: 'Rotate keys…', confirmLabel: 'Rotate now', testid: 'site-rotate',
    prompt: 'This replaces both the site key (the embed code changes: pages with the old one stop loading the widget) and the identity secret.',
    async action() {
      try {
        /** @type {Site} */
        const updated = await api('POST', sitesPath(ctx, `/${encodeURIComponent(site.id)}/rotate-keys`));
        on.saved(updated, { secret: updated.identity_secret || '', focus: 'site-new-secret' });
      } catch (error) {
        ctx.toast(`Could not rotate the keys: ${problemText(error)}`, 'error');
      }
    },
  });

  const remove = confirmButton({
    label: 'Delete site…', confirmLabel: 'Delete for good', testid: 'site-delete',
    prompt: `Delete “${site.name}”, its conversations and visitors? This cannot be undone.`,
    async action() {
      try {
        await api('DELETE', sitesPath(ctx, `/${encodeURIComponent(site.id)}`));
        ctx.toast(`Site “${site.name}” deleted.`);
        on.deleted(site.id);
      } catch (error) {
        ctx.toast(`Could not delete the site: ${problemText(error)}`, 'error');
      }
    },
  });

  const save = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'site-save' }, 'Save changes');

  form.append(
    h('h2', { id: headingId, tabindex: '-1' }, site.name),
    h('fieldset', { class: 'st-group' }, h('legend', {}, 'Install'),
      field('Site name', name, { name: 'name' }),
      h('div', { class: 'st-field' },
        h('label', { for: (code.id = uid('snippet')) }, 'Embed code'),
        code,
        h('p', { class: 'st-hint' }, 'Paste it before </body> on every page of the site.'),
        copyButton(code, 'site-copy')),
      originsWrap),
    h('fieldset', { class: 'st-group' }, h('legend', {}, 'Appearance'),
      h('div', { class: 'st-appearance' },
        h('div', {},
          colorWrap,
          field('Position', position, { name: 'widget.position' }),
          field('Greeting', greeting, { name: 'widget.greeting', hint: 'Shown when a visitor opens the chat. Up to 500 characters.' }),
          field('Reply time', replyTime, { name: 'widget.reply_time' }),
          field('Language', locale, { name: 'widget.locale' }),
          field('Ask visitors to rate resolved conversations', csat, { name: 'widget.csat_enabled', inline: true })),
        preview)),
    h('fieldset', { class: 'st-group' }, h('legend', {}, 'Pre-chat form'),
      field('Ask for details before the chat starts', prechatEnabled, { name: 'widget.prechat.enabled', inline: true }),
      prechatFieldsWrap),
    h('fieldset', { class: 'st-group' }, h('legend', {}, 'Uploads'), uploadMaxWrap, typesWrap),
    h('fieldset', { class: 'st-group' }, h('legend', {}, 'Identity verification'),
      field('Require verified visitors (Parley.identify with the HMAC of their id)', identityRequired, { name: 'identity_required', inline: true }),
      h('div', { class: 'st-row' }, reveal, secretOut),
      h('div', { class: 'st-row' }, rotate),
      rotated),
    h('div', { class: 'st-actions' }, save, saveStatus),
    saveError,
    h('div', { class: 'st-danger-zone' }, h('h3', {}, 'Danger zone'), remove));

  form.addEventListener('input', () => { saveStatus.textContent = ''; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    for (const wrap of [prechatFieldsWrap, typesWrap]) setFieldError(wrap, '');
    saveStatus.textContent = '';

    // Origins: lines → list, remembering each entry's line for the server's `allowed_origins[i]`.
    const lines = origins.value.split('\n');
    /** @type {number[]} */
    const lineOf = [];
    /** @type {string[]} */
    const originList = [];
    lines.forEach((line, i) => {
      if (line.trim()) { originList.push(line.trim()); lineOf.push(i + 1); }
    });

    const mib = Number(uploadMax.value);
    if (uploadMax.value.trim() === '' || !Number.isFinite(mib) || mib <= 0) {
      return invalidField(uploadMaxWrap, 'Enter a size in MiB greater than 0.');
    }

    /** @type {Record<string, any>} */
    const body = changedFields({ name: name.value.trim(), allowed_origins: originList, identity_required: identityRequired.checked }, site);

    /** @type {WidgetSettings} */
    const next = {
      theme_color: color.value.toLowerCase(),
      position: position.value === 'left' ? 'left' : 'right',
      greeting: greeting.value.trim() || null,
      reply_time: /** @type {WidgetSettings['reply_time']} */ (replyTime.value || null),
      locale: locale.value || null,
      csat_enabled: csat.checked,
      prechat: { enabled: prechatEnabled.checked, fields: prechatFields() },
      uploads: {
        max_bytes: uploadMax.value === shownMiB ? w.uploads.max_bytes : Math.round(mib * MIB),
        allowed_types: UPLOAD_TYPES.map(([mime]) => mime).filter((mime) =>
          /** @type {HTMLInputElement} */ (form.querySelector(`[data-testid="site-upload-type"][value="${mime}"]`)).checked),
      },
    };
    const widget = changedFields(next, w);
    if (Object.keys(widget).length) body.widget = widget;
    if (!Object.keys(body).length) {
      saveStatus.textContent = 'Nothing changed.';
      return;
    }

    save.disabled = true;
    try {
      /** @type {Site} */
      const updated = await api('PATCH', sitesPath(ctx, `/${encodeURIComponent(site.id)}`), body);
      on.saved(updated, { status: 'Saved.', focus: 'site-save' });
    } catch (error) {
      showProblem(error, form, saveError, ctx, (fieldName, detail) => {
        const origin = /^allowed_origins\[(\d+)\]/.exec(fieldName);
        if (origin) {
          const i = Number(origin[1]);
          return `Line ${lineOf[i] ?? i + 1} (${originList[i] ?? ''}): ${detail}`;
        }
        const pre = /^widget\.prechat\.fields\[(\d+)\]/.exec(fieldName);
        if (pre) return `Field ${Number(pre[1]) + 1}: ${detail}`;
        return detail;
      });
    } finally {
      save.disabled = false;
    }
  });

  return form;
}
