// Boots the dashboard: the session, `GET /me`, and the History-API router.
//
//   /app/login                              sign-in (then a two-factor step when needed)
//   /app/accept#token=inv_…                 accept an invitation (signed in or not)
//   /app                                    the last organization's inbox (or the first membership's)
//   /app/o/{org}/inbox/{mine|unassigned|all}?status=&site=&label=&priority=&q=
//   /app/o/{org}/c/{conversation}           the inbox with that conversation open
//   /app/o/{org}/settings/{section}         sites, members, canned, labels, profile
//
// One organization is "open" at a time: its socket, reference data and shell live until the user
// switches to another organization or signs out.

import { h, clear } from './dom.js';
import { api, ApiError, onSignedOut, signedIn } from './api.js';
import { renderLogin } from './login.js';
import { renderAccept } from './accept.js';
import { createShell } from './shell.js';
import { createWorkspace } from './workspace.js';
import { createRealtime } from './realtime.js';
import { createOrgData } from './data.js';
import { installShortcuts } from './shortcuts.js';
import { createNotifier } from './notify.js';
import { toast } from './toast.js';
import { renderSettings } from './settings/index.js';

/**
 * @typedef {import('./types').Me} Me
 * @typedef {import('./types').Membership} Membership
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').OrgData} OrgData
 */

const LAST_ORG = 'parley.lastOrg';
/** Screens that work signed out (and stay when the session ends, as accepting as a new account ends it). */
const PUBLIC_PATHS = ['/app/login', '/app/accept'];
const VIEWS = ['mine', 'unassigned', 'all'];
const app = /** @type {HTMLElement} */ (document.getElementById('app'));

/**
 * @param {'loading' | 'login' | 'ready' | 'error'} state
 */
function setAppState(state) {
  document.body.dataset.appState = state;
  // For the load-time benchmark (scripts/dashboard-bench.sh): the first time the inbox is usable.
  if (state === 'ready' && !performance.getEntriesByName('parley:ready').length) performance.mark('parley:ready');
}

/** @type {Me | null} */
let me = null;
/** @type {Membership[]} */
let memberships = [];

/**
 * @typedef {{
 *   id: string, ctx: AppContext, data: OrgData,
 *   realtime: import('./realtime.js').RealtimeClient,
 *   shell: ReturnType<typeof createShell>,
 *   workspace: ReturnType<typeof createWorkspace> | null,
 *   settingsCleanup: (() => void) | null,
 *   catalogsStale?: boolean,
 *   notifier: ReturnType<typeof createNotifier>,
 *   destroy(): void,
 * }} OrgSession
 */
/** @type {OrgSession | null} */
let session = null;
let routeToken = 0;

/**
 * pushState + render.
 * @param {string} path
 * @param {{replace?: boolean}} [opts]
 */
export function navigate(path, opts = {}) {
  if (path !== location.pathname + location.search) {
    history[opts.replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  route();
}

window.addEventListener('popstate', () => route());

// Same-origin links to /app are routed here instead of reloading the page.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!(a instanceof HTMLAnchorElement) || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !/^\/app(\/|$)/.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

onSignedOut(() => {
  closeOrg();
  me = null;
  memberships = [];
  if (!PUBLIC_PATHS.includes(currentPath())) navigate('/app/login', { replace: true });
});

function closeOrg() {
  if (session) session.destroy();
  session = null;
}

async function loadMe() {
  const r = await api('GET', '/me');
  me = r.user;
  memberships = Array.isArray(r.memberships) ? r.memberships : [];
}

/**
 * @param {string} [next] where to go after signing in
 */
function showLogin(next) {
  closeOrg();
  clear(app);
  setAppState('login');
  document.title = 'Sign in · Parley';
  renderLogin(app, async () => {
    try {
      await loadMe();
    } catch (e) {
      // route() tries again and shows what went wrong
    }
    navigate(next && next.startsWith('/app/o/') ? next : '/app', { replace: true });
  });
}

/** The invitation screen; once joined, the dashboard of that organization. */
function showAccept() {
  closeOrg();
  document.title = 'Join an organization · Parley';
  setAppState(renderAccept(app, (orgId) => {
    me = null; // GET /me again: there is a new membership, maybe of a new account
    setAppState('loading');
    navigate(orgId ? '/app/o/' + encodeURIComponent(orgId) + '/inbox/all' : '/app', { replace: true });
  }));
}

/**
 * A full-page message (not found, no organization, error) with a way back.
 * @param {string} title
 * @param {string} text
 * @param {{testid?: string, state?: 'ready' | 'error'}} [opts]
 */
function showMessage(title, text, opts = {}) {
  closeOrg();
  clear(app);
  const home = memberships[0] ? '/app/o/' + encodeURIComponent(memberships[0].organization.id) + '/inbox/all' : '/app/login';
  app.append(h('main', { class: 'page-message', 'data-testid': opts.testid || 'page-message' },
    h('div', { class: 'card' },
      h('h1', {}, title),
      h('p', {}, text),
      h('p', {}, h('a', { href: home, class: 'btn primary' }, memberships[0] ? 'Go to your inbox' : 'Sign in')))));
  document.title = title + ' · Parley';
  setAppState(opts.state || 'ready');
}

/**
 * @param {Membership} membership
 */
async function openOrg(membership) {
  const org = membership.organization;
  if (session && session.id === org.id) {
    session.ctx.role = membership.role;
    session.ctx.isAdmin = membership.role !== 'agent';
    return session;
  }
  closeOrg();
  clear(app);
  setAppState('loading');
  try {
    localStorage.setItem(LAST_ORG, org.id);
  } catch (e) {
    // no storage: /app falls back to the first membership
  }
  const realtime = createRealtime({
    org: org.id,
    onRevoked: () => {
      toast('You are no longer a member of ' + org.name + '.', 'error');
      me = null;
      navigate('/app', { replace: true });
    },
  });
  const data = createOrgData(org.id);
  /** @type {AppContext} */
  const ctx = {
    me: /** @type {Me} */ (me),
    org,
    role: membership.role,
    isAdmin: membership.role !== 'agent',
    navigate: (path) => navigate(path),
    toast,
    realtime: { on: realtime.on, send: realtime.send },
    async refreshMe() {
      await loadMe();
      if (me) Object.assign(ctx.me, me);
      const m = memberships.find((x) => x.organization.id === org.id);
      if (m) {
        ctx.role = m.role;
        ctx.isAdmin = m.role !== 'agent';
      }
      shell.update(memberships);
      data.reload('members').catch(() => {});
    },
  };
  const offPresence = realtime.on('inbox', (f) => {
    data.presence = { ...(f.presence || {}) };
    data.visitors = { ...(f.visitors || {}) };
  });
  const offPresence2 = realtime.on('presence', (f) => {
    if (f.user_id && f.status) data.presence[f.user_id] = f.status;
    if (f.visitor_id) {
      if (f.status === 'offline') delete data.visitors[f.visitor_id];
      else data.visitors[f.visitor_id] = f.page || null;
    }
  });
  const shell = createShell(app, ctx, memberships, realtime);
  const notifier = createNotifier(ctx, realtime);
  const uninstallKeys = installShortcuts(() => (session && session.workspace) || null);
  /** @type {OrgSession} */
  const s = {
    id: org.id, ctx, data, realtime, shell, workspace: null, settingsCleanup: null, notifier,
    destroy() {
      if (s.workspace) s.workspace.destroy();
      if (s.settingsCleanup) s.settingsCleanup();
      offPresence();
      offPresence2();
      uninstallKeys();
      notifier.destroy();
      realtime.stop();
      shell.destroy();
    },
  };
  return s;
}

/**
 * @param {OrgSession} s
 */
function leaveSettings(s) {
  if (s.settingsCleanup) {
    s.settingsCleanup();
    s.settingsCleanup = null;
  }
}

/**
 * @param {URLSearchParams} params
 */
function inboxQuery(params) {
  /** @type {Record<string, string>} */
  const q = {};
  for (const k of ['status', 'site', 'label', 'priority', 'q']) {
    const v = params.get(k);
    if (v) q[k] = v;
  }
  return q;
}

/** The route's path, without a trailing slash. */
function currentPath() {
  return location.pathname.replace(/\/+$/, '') || '/app';
}

async function route() {
  const token = ++routeToken;
  const path = currentPath();
  if (path === '/app/accept') return showAccept();
  if (path === '/app/login') {
    if (signedIn() && me) return navigate('/app', { replace: true });
    return showLogin();
  }
  if (!signedIn()) return showLogin(location.pathname + location.search);
  if (!me) {
    try {
      await loadMe();
    } catch (e) {
      if (token !== routeToken) return;
      if (e instanceof ApiError && e.status === 401) return showLogin(location.pathname + location.search);
      return showMessage('The dashboard could not load', e instanceof ApiError ? e.message : String(e),
        { testid: 'load-error', state: 'error' });
    }
    if (token !== routeToken) return;
  }
  const m = path.match(/^\/app\/o\/([^/]+)(?:\/(.*))?$/);
  if (!m) {
    if (!memberships.length) {
      return showMessage('No organization yet', 'You are not a member of any organization. Ask an owner to invite you.',
        { testid: 'no-org' });
    }
    let last = '';
    try {
      last = localStorage.getItem(LAST_ORG) || '';
    } catch (e) {
      // no storage
    }
    const target = memberships.find((x) => x.organization.id === last) || memberships[0];
    return navigate('/app/o/' + encodeURIComponent(target.organization.id) + '/inbox/all', { replace: true });
  }
  const orgId = decodeURIComponent(m[1]);
  const rest = (m[2] || '').split('/').filter(Boolean);
  const membership = memberships.find((x) => x.organization.id === orgId);
  if (!membership) {
    return showMessage('Not found', 'There is no such organization or conversation, or you do not have access to it.',
      { testid: 'not-found' });
  }
  const s = await openOrg(membership);
  if (token !== routeToken) {
    if (s !== session) s.destroy();
    return;
  }
  session = s;
  const base = '/app/o/' + encodeURIComponent(orgId);
  const [area, arg] = rest;
  if (area === 'settings') {
    if (s.workspace) {
      s.workspace.destroy();
      s.workspace = null;
    }
    leaveSettings(s);
    s.shell.setActive('settings');
    clear(s.shell.main);
    s.shell.main.className = 'main main-settings';
    s.settingsCleanup = renderSettings(s.shell.main, s.ctx, arg || (s.ctx.isAdmin ? 'sites' : 'profile'));
    s.catalogsStale = true; // sites, members, labels or canned responses may change there
    setAppState('ready');
    return;
  }
  if (area === 'inbox' || area === 'c') {
    leaveSettings(s);
    s.shell.setActive('inbox');
    if (!s.workspace) {
      clear(s.shell.main);
      s.shell.main.className = 'main main-workspace';
      s.workspace = createWorkspace(s.shell.main, s.ctx, s.data, s.realtime, s.notifier, () => setAppState('ready'));
      if (s.catalogsStale) {
        s.catalogsStale = false;
        const ws = s.workspace;
        Promise.all(/** @type {const} */ (['members', 'sites', 'labels', 'canned']).map((k) => s.data.reload(k)))
          .then(() => ws.catalogsChanged(), () => {});
      }
    }
    if (area === 'inbox') {
      const view = /** @type {import('./inbox.js').View} */ (VIEWS.includes(arg) ? arg : 'all');
      if (view !== arg) return navigate(base + '/inbox/' + view + location.search, { replace: true });
      s.workspace.show(view, inboxQuery(new URLSearchParams(location.search)), null);
    } else {
      s.workspace.show(null, null, arg ? decodeURIComponent(arg) : '');
    }
    return;
  }
  navigate(base + '/inbox/all', { replace: true });
}

route();
