// The settings area: a left nav of sections and the chosen section. Owners and admins see every
// section; agents only their profile (the server refuses the rest with 403 anyway).
import { h, clear } from '../dom.js';
import { ensureStyles } from './kit.js';
import { renderSites } from './sites.js';
import { renderMembers } from './members.js';
import { renderCanned } from './canned.js';
import { renderLabels } from './labels.js';
import { renderProfile } from './profile.js';

/** @typedef {import('./types').Ctx} Ctx */

/** @type {Array<{id: string, title: string, admin: boolean, render: import('./types').SectionRenderer}>} */
const SECTIONS = [
  { id: 'sites', title: 'Sites & widget', admin: true, render: renderSites },
  { id: 'members', title: 'Members', admin: true, render: renderMembers },
  { id: 'canned', title: 'Canned responses', admin: true, render: renderCanned },
  { id: 'labels', title: 'Labels', admin: true, render: renderLabels },
  { id: 'profile', title: 'Profile & security', admin: false, render: renderProfile },
];

/**
 * Renders the settings area into `container`; returns a cleanup function.
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 * @param {string} section `sites` | `members` | `canned` | `labels` | `profile`
 * @returns {() => void}
 */
export function renderSettings(container, ctx, section) {
  ensureStyles('/app/settings/settings.css');
  const visible = SECTIONS.filter((s) => ctx.isAdmin || !s.admin);
  const current = visible.find((s) => s.id === section) || visible.find((s) => s.id === 'profile') || visible[0];
  const base = `/app/o/${encodeURIComponent(ctx.org.id)}/settings/`;

  const nav = h('nav', { class: 'st-nav', 'data-testid': 'settings-nav', 'aria-label': 'Settings sections' },
    h('ul', {}, visible.map((s) => {
      const link = h('a', { href: base + s.id, 'data-testid': 'settings-link', 'data-section': s.id }, s.title);
      if (s === current) link.setAttribute('aria-current', 'page');
      link.addEventListener('click', (event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        ctx.navigate(base + s.id);
      });
      return h('li', {}, link);
    })));

  const body = h('section', { class: 'st-main', 'data-testid': 'settings-section', 'data-section': current.id, 'aria-labelledby': 'st-heading' });
  const heading = h('h1', { id: 'st-heading', class: 'st-heading', tabindex: '-1' }, current.title);
  const notice = section && section !== current.id
    ? h('p', { class: 'st-notice', role: 'status', 'data-testid': 'settings-unavailable' },
      'That section is for owners and admins; here is your profile instead.')
    : null;
  const inner = h('div', { class: 'st-section' });
  body.append(heading);
  if (notice) body.append(notice);
  body.append(inner);

  clear(container);
  container.append(h('div', { class: 'st-layout', 'data-testid': 'settings' }, nav, body));
  document.title = `${current.title} · Settings · Parley`;

  const cleanup = current.render(inner, ctx);
  return () => {
    if (typeof cleanup === 'function') cleanup();
    clear(container);
  };
}
