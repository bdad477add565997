// The frame around every screen of an organization: brand, organization switcher, navigation,
// connection state, presence toggle (online / away), notifications, help, and signing out.
import { h, clear, icon } from './dom.js';
import { logout } from './api.js';
import { notificationsWanted, enableNotifications } from './notify.js';
import { showHelp } from './shortcuts.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').Membership} Membership
 */

const ICON_INBOX = 'M4 13h4l2 3h4l2-3h4M5 5h14l1 8v6H4v-6z';
const ICON_GEAR = 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z';
const ICON_BELL = 'M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0';

/**
 * @param {HTMLElement} root
 * @param {AppContext} ctx
 * @param {Membership[]} memberships
 * @param {import('./realtime.js').RealtimeClient} realtime
 */
export function createShell(root, ctx, memberships, realtime) {
  const base = '/app/o/' + encodeURIComponent(ctx.org.id);
  const orgSlot = h('div', { class: 'org-slot' });
  const navInbox = h('a', { href: base + '/inbox/all', class: 'nav-link', 'data-testid': 'nav-inbox' }, icon(ICON_INBOX), h('span', {}, 'Inbox'));
  const navSettings = h('a', { href: base + '/settings/' + (ctx.isAdmin ? 'sites' : 'profile'), class: 'nav-link', 'data-testid': 'nav-settings' },
    icon(ICON_GEAR), h('span', {}, 'Settings'));
  const conn = h('span', { class: 'conn', 'data-testid': 'connection', 'data-status': 'connecting', role: 'status', title: 'Connecting…' },
    h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), h('span', { class: 'conn-text' }, 'Connecting…'));
  const presenceLabel = h('span', {}, 'Online');
  const presence = h('button', { type: 'button', class: 'presence', 'data-testid': 'presence-toggle', 'data-status': 'online',
    'aria-pressed': 'false', title: 'You are online: new chats can reach you. Click to go away.' },
  h('span', { class: 'presence-dot', 'aria-hidden': 'true' }), presenceLabel);
  const bell = h('button', { type: 'button', class: 'icon-btn', title: 'Enable desktop notifications', 'aria-label': 'Enable desktop notifications',
    hidden: !notificationsWanted() }, icon(ICON_BELL));
  const help = h('button', { type: 'button', class: 'icon-btn', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts' }, '?');
  const userName = h('span', { class: 'user-name', title: ctx.me.email }, ctx.me.name || ctx.me.email);
  const signout = h('button', { type: 'button', class: 'btn ghost sm', 'data-testid': 'signout' }, 'Sign out');
  const signoutAll = h('button', { type: 'button', class: 'btn ghost sm', 'data-testid': 'signout-all', title: 'End every session of your account, on every device' },
    'Sign out everywhere');
  const main = h('main', { class: 'main', id: 'main', tabindex: '-1' });
  const header = h('header', { class: 'topbar' },
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'P'), h('span', { class: 'brand-name' }, 'Parley')),
    orgSlot,
    h('nav', { class: 'nav', 'aria-label': 'Main' }, navInbox, navSettings),
    h('div', { class: 'spacer' }),
    conn, presence, bell, help,
    h('div', { class: 'user' }, userName, signout, signoutAll));

  function renderOrgs(/** @type {Membership[]} */ list) {
    clear(orgSlot);
    if (list.length > 1) {
      const select = h('select', { 'data-testid': 'org-switcher', 'aria-label': 'Organization', class: 'org-switcher' },
        list.map((m) => h('option', { value: m.organization.id, selected: m.organization.id === ctx.org.id }, m.organization.name)));
      select.value = ctx.org.id;
      select.addEventListener('change', () => ctx.navigate('/app/o/' + encodeURIComponent(select.value) + '/inbox/all'));
      orgSlot.append(select);
    } else {
      orgSlot.append(h('span', { class: 'org-name' }, ctx.org.name));
    }
  }
  renderOrgs(memberships);

  /**
   * @param {'online' | 'away'} status
   */
  function showPresence(status) {
    presence.dataset.status = status;
    presence.setAttribute('aria-pressed', String(status === 'away'));
    presenceLabel.textContent = status === 'online' ? 'Online' : 'Away';
    presence.title = status === 'online' ? 'You are online: new chats can reach you. Click to go away.' : 'You are away. Click to go online.';
  }
  presence.addEventListener('click', async () => {
    const next = presence.dataset.status === 'online' ? 'away' : 'online';
    showPresence(next);
    try {
      await realtime.send('presence', { status: next });
    } catch (e) {
      if (/** @type {any} */ (e).code !== 'offline') {
        showPresence(next === 'online' ? 'away' : 'online');
        ctx.toast('Could not change your status: ' + (/** @type {any} */ (e).message || 'error'), 'error');
      }
      // offline: announced once the socket is back
    }
  });
  bell.addEventListener('click', async () => {
    await enableNotifications();
    bell.hidden = !notificationsWanted();
  });
  help.addEventListener('click', () => showHelp());
  signout.addEventListener('click', () => logout(false));
  signoutAll.addEventListener('click', () => logout(true));

  const offStatus = realtime.on('status', (f) => {
    const ok = f.status === 'connected';
    conn.dataset.status = ok ? 'connected' : 'disconnected';
    /** @type {HTMLElement} */ (conn.querySelector('.conn-text')).textContent = ok ? 'Live' : 'Reconnecting…';
    conn.title = ok ? 'Connected: updates arrive live' : 'Connection lost; reconnecting…';
  });

  root.append(header, main);
  return {
    main,
    /**
     * @param {'inbox' | 'settings'} area
     */
    setActive(area) {
      navInbox.toggleAttribute('aria-current', area === 'inbox');
      navSettings.toggleAttribute('aria-current', area === 'settings');
      if (area === 'inbox') navInbox.setAttribute('aria-current', 'page');
      if (area === 'settings') navSettings.setAttribute('aria-current', 'page');
    },
    /**
     * @param {Membership[]} list
     */
    update(list) {
      renderOrgs(list);
      userName.textContent = ctx.me.name || ctx.me.email;
    },
    destroy() {
      offStatus();
      header.remove();
      main.remove();
    },
  };
}
