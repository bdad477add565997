// The organization's reference data the inbox and the conversation share: members (names of
// assignees and authors), sites, the label catalog (colours) and canned responses.

import { api } from './api.js';

/** @typedef {import('./types').OrgData} OrgData */

const DEFAULT_LABEL_COLOR = '#64748b';

/**
 * The organization's data, loading: the lists start empty and fill in the background (a list the
 * caller may not read, or a route missing, stays empty); `onChange` listeners hear when they did,
 * so the inbox does not wait for them before its first page.
 * @param {string} org
 * @returns {OrgData}
 */
export function createOrgData(org) {
  const base = '/orgs/' + encodeURIComponent(org) + '/';
  /**
   * @param {string} path
   */
  const items = (path) => api('GET', base + path).then((r) => (Array.isArray(r) ? r : r && Array.isArray(r.items) ? r.items : []), () => []);
  const paths = { members: 'members', sites: 'sites', labels: 'labels', canned: 'canned-responses' };
  /** @type {Set<() => void>} */
  const listeners = new Set();
  let lastMemberReload = 0, loadedOnce = false;
  /** @type {OrgData} */
  const data = {
    members: [], sites: [], labels: [], canned: [], presence: {}, visitors: {},
    memberName(id) {
      if (!id) return '';
      const m = data.members.find((x) => x.user_id === id);
      if (m) return m.name || m.email;
      if (!loadedOnce) return '…'; // repainted once the list is there
      // Someone who joined after the list was loaded: load it again (at most every 10 s).
      if (Date.now() - lastMemberReload > 10e3) {
        lastMemberReload = Date.now();
        data.reload('members').then(() => listeners.forEach((fn) => fn()), () => {});
      }
      return 'Former member';
    },
    onChange(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    labelColor(name) {
      const l = data.labels.find((x) => x.name === name);
      return l && /^#[0-9a-fA-F]{6}$/.test(l.color) ? l.color : DEFAULT_LABEL_COLOR;
    },
    async reload(what) {
      const list = await items(paths[what]);
      /** @type {any} */ (data)[what] = list;
    },
    loaded: Promise.resolve(),
  };
  data.loaded = Promise.all(/** @type {const} */ (['members', 'sites', 'labels', 'canned']).map((k) => data.reload(k)))
    .then(() => {
      loadedOnce = true;
      listeners.forEach((fn) => fn());
    });
  return data;
}
