// The inbox column: views (Mine / Unassigned / All) with counts, status tabs, filters, search, and
// the conversation list, kept live from the organization's event feed (new conversations appear on
// top, rows move on activity, unread counts change) and paged with cursors on scroll.
import { h, clear, replace, formatTime, formatFull } from './dom.js';
import { api } from './api.js';
import { attentive } from './notify.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').OrgData} OrgData
 * @typedef {import('./types').Conversation} Conversation
 * @typedef {import('./types').Message} Message
 * @typedef {import('./types').Frame} Frame
 * @typedef {'mine' | 'unassigned' | 'all'} View
 * @typedef {{status?: string, site?: string, label?: string, priority?: string, q?: string}} Query
 */

const PAGE = 50;
export const STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'];
const VIEW_NAMES = /** @type {const} */ ([['mine', 'Mine'], ['unassigned', 'Unassigned'], ['all', 'All']]);
const STATUS_TABS = [['open', 'Open'], ['pending', 'Pending'], ['snoozed', 'Snoozed'], ['resolved', 'Resolved'], ['closed', 'Closed'], ['all', 'All']];

/**
 * @param {string} s
 */
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A visitor's display name.
 * @param {Conversation['visitor'] | undefined} v
 */
export function visitorName(v) {
  if (!v) return 'Visitor';
  return v.name || v.email || 'Visitor ' + v.id.slice(-6);
}

/**
 * Initials for the avatar.
 * @param {string} name
 */
export function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0] ? Array.from(parts[0])[0] : '?';
  const second = parts.length > 1 ? Array.from(parts[parts.length - 1])[0] : '';
  return (first + (second || '')).toUpperCase();
}

/**
 * A stable hue class for a visitor's avatar.
 * @param {string} id
 */
export function avatarTone(id) {
  let n = 0;
  for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return 'tone-' + (n % 8);
}

/**
 * Newest activity first, then id (the server's keyset order).
 * @param {Conversation} a
 * @param {Conversation} b
 */
function order(a, b) {
  if (a.last_activity_at !== b.last_activity_at) return a.last_activity_at < b.last_activity_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * @param {HTMLElement} root
 * @param {AppContext} ctx
 * @param {OrgData} data
 * @param {import('./realtime.js').RealtimeClient} realtime
 * @param {{
 *   ready(): void,
 *   unread(total: number): void,
 *   openId(): string | null,
 *   href(id: string): string,
 *   inboxHref(view: View, query: Query): string,
 * }} hooks
 */
export function createInbox(root, ctx, data, realtime, hooks) {
  const orgPath = '/orgs/' + encodeURIComponent(ctx.org.id);
  /** @type {View} */
  let view = 'all';
  /** @type {Query} */
  let query = {};
  let key = '';
  /** @type {Conversation[]} */
  let rows = [];
  /** @type {Map<string, Conversation>} */
  const byId = new Map();
  /** @type {Map<string, HTMLLIElement>} */
  const els = new Map();
  /** Unread per conversation, also for conversations not in the current list. @type {Map<string, number>} */
  const unread = new Map();
  /** @type {string | undefined} */
  let cursor;
  let loading = false, generation = 0, loadedAt = 0, selected = '';
  let countsTimer = 0;

  // ---- DOM
  const viewCounts = /** @type {Record<string, HTMLElement>} */ ({});
  const viewLinks = VIEW_NAMES.map(([id, label]) => {
    const count = h('span', { class: 'count', 'data-testid': 'view-count' }, '');
    viewCounts[id] = count;
    return h('a', { href: '#', class: 'view', 'data-testid': 'view-' + id, 'data-view': id }, h('span', {}, label), count);
  });
  const search = h('input', { type: 'search', class: 'search', 'data-testid': 'search', placeholder: 'Search conversations',
    'aria-label': 'Search conversations', maxlength: '200', enterkeyhint: 'search' });
  const siteFilter = h('select', { 'data-testid': 'filter-site', 'aria-label': 'Site' });
  const labelFilter = h('select', { 'data-testid': 'filter-label', 'aria-label': 'Label' });
  const priorityFilter = h('select', { 'data-testid': 'filter-priority', 'aria-label': 'Priority' },
    h('option', { value: '' }, 'Any priority'), PRIORITIES.map((p) => h('option', { value: p }, cap(p))));
  const statusTabs = STATUS_TABS.map(([id, label]) =>
    h('a', { href: '#', class: 'status-tab', 'data-testid': 'status-tab', 'data-status': id }, label));
  const list = h('ul', { class: 'conv-list', 'data-testid': 'conversation-list', 'aria-label': 'Conversations' });
  const empty = h('div', { class: 'empty', hidden: true });
  const more = h('div', { class: 'more', 'aria-hidden': 'true' });
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const scroller = h('div', { class: 'list-scroll' }, list, empty, more);
  const searchBanner = h('div', { class: 'search-banner', hidden: true });

  root.append(
    h('div', { class: 'list-head' },
      h('nav', { class: 'views', 'aria-label': 'Inbox views' }, viewLinks),
      h('form', { class: 'search-form', role: 'search' }, search),
      h('div', { class: 'filters' }, siteFilter, labelFilter, priorityFilter),
      h('nav', { class: 'status-tabs', 'aria-label': 'Status' }, statusTabs),
      searchBanner),
    scroller, status);

  function fillFilters() {
    replace(siteFilter, h('option', { value: '' }, 'All sites'), data.sites.map((s) => h('option', { value: s.id }, s.name)));
    const labels = data.labels.map((l) => l.name);
    if (query.label && !labels.includes(query.label)) labels.push(query.label);
    replace(labelFilter, h('option', { value: '' }, 'Any label'), labels.map((l) => h('option', { value: l }, l)));
    siteFilter.value = query.site || '';
    labelFilter.value = query.label || '';
    priorityFilter.value = query.priority || '';
  }

  /**
   * @param {Partial<Query>} patch
   * @param {View} [v]
   */
  function go(patch, v = view) {
    const q = { ...query, ...patch };
    for (const k of /** @type {(keyof Query)[]} */ (Object.keys(q))) if (!q[k]) delete q[k];
    ctx.navigate(hooks.inboxHref(v, q));
  }

  for (const a of viewLinks) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      go({ q: '' }, /** @type {View} */ (a.dataset.view));
    });
  }
  for (const a of statusTabs) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      go({ status: a.dataset.status === 'open' ? '' : a.dataset.status });
    });
  }
  siteFilter.addEventListener('change', () => go({ site: siteFilter.value }));
  labelFilter.addEventListener('change', () => go({ label: labelFilter.value }));
  priorityFilter.addEventListener('change', () => go({ priority: priorityFilter.value }));
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => go({ q: search.value.trim() }), 300);
  });
  /** @type {HTMLFormElement} */ (search.form).addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    go({ q: search.value.trim() });
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && search.value) {
      search.value = '';
      go({ q: '' });
    }
  });

  // ---- filtering (the server's rules, applied to live events)
  const statusFilter = () => (query.status === 'all' ? '' : query.status || 'open');

  /**
   * @param {Conversation} c
   */
  function matches(c) {
    if (query.q) return false; // search results are not extended live
    if (view === 'mine' && c.assignee_id !== ctx.me.id) return false;
    if (view === 'unassigned' && c.assignee_id) return false;
    const st = statusFilter();
    if (st && c.status !== st) return false;
    if (query.site && c.site_id !== query.site) return false;
    if (query.priority && c.priority !== query.priority) return false;
    if (query.label && !(c.labels || []).includes(query.label)) return false;
    return true;
  }

  function filterParams() {
    const p = new URLSearchParams();
    const st = statusFilter();
    if (st) p.set('status', st);
    if (query.site) p.set('site', query.site);
    if (query.label) p.set('label', query.label);
    if (query.priority) p.set('priority', query.priority);
    return p;
  }

  // ---- counts
  /** At most one request per 150 ms, made with the filters current when it goes out: a busy
   *  organization's stream of events must not keep postponing it (as a debounce would). */
  function loadCounts() {
    if (countsTimer) return;
    countsTimer = setTimeout(async () => {
      countsTimer = 0;
      try {
        const c = await api('GET', orgPath + '/conversations/counts?' + filterParams());
        for (const [id] of VIEW_NAMES) {
          const n = Number(c && c[id]) || 0;
          viewCounts[id].textContent = n > 9999 ? Math.floor(n / 1000) + 'k' : String(n);
          viewCounts[id].dataset.count = String(n);
        }
      } catch (e) {
        // counts are a hint; the list is what matters
      }
    }, 150);
  }

  // ---- unread
  function reportUnread() {
    let total = 0;
    for (const n of unread.values()) total += n;
    hooks.unread(total);
  }
  /**
   * @param {string} id
   * @param {number} n
   */
  function setUnread(id, n) {
    unread.set(id, n);
    const c = byId.get(id);
    if (c) {
      c.unread_count = n;
      paint(c);
    }
    reportUnread();
  }

  // ---- rows
  /**
   * @param {Conversation} c
   */
  function preview(c) {
    const m = c.last_message;
    if (!m) return 'No messages yet';
    if (m.deleted) return 'Message deleted';
    const prefix = m.private ? 'Note: ' : m.author_type === 'member' ? (m.author_id === ctx.me.id ? 'You: ' : data.memberName(m.author_id) + ': ') : '';
    const text = m.attachment ? 'File: ' + (m.attachment.filename || m.body) : m.body;
    return prefix + text.replace(/\s+/g, ' ').slice(0, 200);
  }

  /**
   * (Re)draws one row's content.
   * @param {Conversation} c
   */
  function paint(c) {
    let li = els.get(c.id);
    if (!li) {
      li = h('li', { class: 'row', 'data-testid': 'conversation-row', 'data-id': c.id });
      els.set(c.id, li);
    }
    const name = visitorName(c.visitor);
    const n = c.unread_count || 0;
    const assignee = c.assignee_id ? (c.assignee_id === ctx.me.id ? 'You' : data.memberName(c.assignee_id)) : 'Unassigned';
    li.dataset.unread = String(n);
    li.classList.toggle('unread', n > 0);
    li.classList.toggle('open', c.id === hooks.openId());
    li.classList.toggle('selected', c.id === selected);
    li.setAttribute('aria-selected', String(c.id === selected));
    const online = c.visitor && Object.prototype.hasOwnProperty.call(data.visitors, c.visitor.id);
    const link = h('a', { href: hooks.href(c.id), class: 'row-link', 'aria-current': c.id === hooks.openId() ? 'true' : null },
      h('span', { class: 'avatar ' + avatarTone(c.visitor ? c.visitor.id : c.id), 'aria-hidden': 'true' }, initials(name),
        online ? h('span', { class: 'online-dot', title: 'Online' }) : null),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-top' },
          h('span', { class: 'row-visitor', 'data-testid': 'row-visitor' }, name),
          c.priority && c.priority !== 'none' ? h('span', { class: 'prio prio-' + c.priority, title: cap(c.priority) + ' priority' }, cap(c.priority)) : null,
          h('time', { class: 'row-time', 'data-testid': 'row-time', datetime: c.last_activity_at, title: formatFull(c.last_activity_at) },
            formatTime(c.last_activity_at))),
        h('span', { class: 'row-bottom' },
          h('span', { class: 'row-preview', 'data-testid': 'row-preview' }, preview(c)),
          h('span', { class: 'row-unread', 'data-testid': 'row-unread', hidden: n === 0, 'aria-label': n + ' unread' }, n > 99 ? '99+' : String(n))),
        h('span', { class: 'row-meta' },
          h('span', { class: 'row-assignee' + (c.assignee_id ? '' : ' none'), 'data-testid': 'row-assignee' }, assignee),
          (c.labels || []).slice(0, 3).map((l) => {
            const chip = h('span', { class: 'chip chip-sm' }, l);
            chip.style.setProperty('--chip', data.labelColor(l));
            return chip;
          }),
          c.status !== 'open' ? h('span', { class: 'status-pill st-' + c.status }, cap(c.status)) : null)));
    replace(li, link);
    return li;
  }

  /**
   * Puts the row at its place in `rows` and the list.
   * @param {Conversation} c
   */
  function place(c) {
    const at = rows.indexOf(c);
    if (at >= 0) rows.splice(at, 1);
    let i = 0;
    while (i < rows.length && order(rows[i], c) <= 0) i++;
    // Beyond the loaded page and more to come: it will arrive with a later page.
    if (i === rows.length && cursor && at < 0) return false;
    rows.splice(i, 0, c);
    byId.set(c.id, c);
    const li = paint(c);
    const next = rows[i + 1] ? els.get(rows[i + 1].id) : null;
    if (li.nextSibling !== (next || null) || li.parentNode !== list) list.insertBefore(li, next || null);
    return true;
  }

  /**
   * @param {string} id
   */
  function remove(id) {
    const c = byId.get(id);
    if (!c) return;
    byId.delete(id);
    rows.splice(rows.indexOf(c), 1);
    const li = els.get(id);
    if (li) li.remove();
    els.delete(id);
    showEmpty();
  }

  function showEmpty() {
    empty.hidden = rows.length > 0 || loading;
    if (!empty.hidden) {
      replace(empty, query.q ? 'No conversation matches “' + query.q + '”.' : 'No conversations here. New chats appear as they arrive.');
    }
  }

  // ---- loading
  async function loadPage() {
    if (loading) return;
    const gen = generation;
    loading = true;
    more.textContent = 'Loading…';
    more.hidden = false;
    try {
      let path;
      if (query.q) {
        path = orgPath + '/search?q=' + encodeURIComponent(query.q) + '&limit=' + PAGE;
      } else {
        const p = filterParams();
        if (view === 'mine') p.set('assignee', 'me');
        if (view === 'unassigned') p.set('assignee', 'unassigned');
        p.set('limit', String(PAGE));
        path = orgPath + '/conversations?' + p;
      }
      if (cursor) path += '&cursor=' + encodeURIComponent(cursor);
      const page = await api('GET', path);
      if (gen !== generation) return;
      const first = !rows.length && !loadedAt;
      /** @type {Node[]} */
      const fresh = [];
      for (const c of /** @type {Conversation[]} */ (page.items || [])) {
        if (byId.has(c.id)) continue;
        byId.set(c.id, c);
        rows.push(c);
        unread.set(c.id, c.unread_count || 0);
        fresh.push(paint(c));
      }
      list.append(...fresh);
      cursor = page.next_cursor || undefined;
      if (first) {
        loadedAt = Date.now();
        status.textContent = rows.length + ' conversations';
        hooks.ready();
      }
      reportUnread();
    } catch (e) {
      if (gen !== generation) return;
      ctx.toast('Could not load conversations: ' + (/** @type {any} */ (e).message || e), 'error');
      if (!loadedAt) {
        loadedAt = Date.now();
        hooks.ready();
      }
    } finally {
      if (gen === generation) {
        loading = false;
        more.textContent = cursor ? '' : rows.length > PAGE ? 'That is all.' : '';
        showEmpty();
        // Short pages or a tall window: keep filling while the sentinel is visible.
        if (cursor && more.getBoundingClientRect().top < scroller.getBoundingClientRect().bottom + 200) loadPage();
      }
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !loading) loadPage();
  }, { root: scroller, rootMargin: '300px' });
  observer.observe(more);

  /** @type {Set<string>} */
  const fetching = new Set();
  /**
   * Fetches one conversation and shows it if it belongs here (an event about a row not loaded).
   * @param {string} id
   */
  async function fetchRow(id) {
    if (fetching.has(id)) return;
    fetching.add(id);
    const gen = generation;
    try {
      const c = await api('GET', orgPath + '/conversations/' + encodeURIComponent(id));
      unread.set(c.id, c.unread_count || 0);
      reportUnread();
      if (gen === generation && matches(c) && !byId.has(c.id)) {
        place(c);
        showEmpty();
      }
    } catch (e) {
      // gone or not visible: nothing to show
    } finally {
      fetching.delete(id);
    }
  }

  /** Re-reads the first page after a (re)subscription, merging rows (no flicker, no duplicates). */
  async function resync() {
    if (!loadedAt || query.q) return;
    const gen = generation;
    try {
      const p = filterParams();
      if (view === 'mine') p.set('assignee', 'me');
      if (view === 'unassigned') p.set('assignee', 'unassigned');
      p.set('limit', String(PAGE));
      const page = await api('GET', orgPath + '/conversations?' + p);
      if (gen !== generation) return;
      for (const c of /** @type {Conversation[]} */ (page.items || [])) {
        const known = byId.get(c.id);
        unread.set(c.id, c.unread_count || 0);
        if (known) {
          if (c.seq >= known.seq) Object.assign(known, c);
          place(known);
        } else {
          place(c);
        }
      }
      reportUnread();
      showEmpty();
    } catch (e) {
      // next time
    }
    loadCounts();
  }

  // ---- live events
  /**
   * @param {Frame} f
   */
  function onEvent(f) {
    if (f.event === 'site.deleted') return dropSite(f.data && f.data.site_id);
    const id = f.conversation_id;
    if (!id) return;
    const c = byId.get(id);
    const d = f.data || {};
    switch (f.event) {
      case 'conversation.created': {
        loadCounts();
        if (c) return;
        /** @type {Conversation} */
        const conv = { labels: [], unread_count: 0, priority: 'none', status: 'open', ...d, id };
        unread.set(id, conv.unread_count || 0);
        if (conv.visitor && conv.last_activity_at && matches(conv)) {
          place(conv);
          showEmpty();
        } else if (!conv.visitor || !conv.last_activity_at) {
          fetchRow(id);
        }
        return;
      }
      case 'conversation.updated': {
        loadCounts();
        if (c) {
          if (typeof f.seq === 'number' && f.seq < c.seq) return;
          for (const k of ['status', 'priority', 'labels', 'assignee_id', 'seq', 'last_activity_at', 'visitor', 'rating']) {
            if (k in d) /** @type {any} */ (c)[k] = d[k];
          }
          // `data` is the whole new state: no assignee_id means unassigned.
          if (!d.assignee_id) delete c.assignee_id;
          if (typeof f.seq === 'number') c.seq = f.seq;
          if (matches(c) || c.id === hooks.openId()) {
            place(c);
          } else {
            remove(c.id);
          }
        } else if (!query.q) {
          // It may have moved into this view (assigned to me, reopened…)
          const probe = /** @type {Conversation} */ ({ labels: [], site_id: query.site, ...d, id });
          if (matches(probe)) fetchRow(id);
        }
        return;
      }
      case 'message.created': {
        /** @type {Message} */
        const m = d;
        const mine = m.author_type === 'member' && m.author_id === ctx.me.id;
        const looking = id === hooks.openId() && attentive();
        if (!mine && !looking) unread.set(id, (unread.get(id) || 0) + 1);
        if (c) {
          if (typeof m.seq === 'number' && m.seq <= c.seq && c.last_message && c.last_message.id === m.id) return;
          c.last_message = m;
          c.last_activity_at = m.created_at || new Date().toISOString();
          if (typeof m.seq === 'number') c.seq = Math.max(c.seq, m.seq);
          c.unread_count = unread.get(id) || 0;
          place(c);
        } else if (!query.q) {
          fetchRow(id);
        }
        reportUnread();
        return;
      }
      case 'message.updated':
      case 'message.deleted': {
        if (c && c.last_message && c.last_message.id === d.id) {
          c.last_message = d;
          paint(c);
        }
        return;
      }
      case 'conversation.read': {
        if (d.reader_id === ctx.me.id) setUnread(id, 0);
        return;
      }
    }
  }
  /**
   * A deleted site took its conversations with it.
   * @param {string} [siteID]
   */
  function dropSite(siteID) {
    for (const c of rows.filter((r) => r.site_id === siteID)) remove(c.id);
    loadCounts();
    data.reload('sites').then(fillFilters, () => {});
  }

  const offs = [
    data.onChange(() => {
      fillFilters();
      for (const c of rows) paint(c);
    }),
    realtime.on('event', onEvent),
    realtime.on('inbox', () => {
      if (loadedAt) resync();
    }),
    realtime.on('presence', (f) => {
      if (!f.visitor_id) return;
      for (const c of rows) if (c.visitor && c.visitor.id === f.visitor_id) paint(c);
    }),
  ];
  // Relative times ("yesterday") age; repaint the visible times every minute.
  const clock = setInterval(() => {
    for (const c of rows) {
      const li = els.get(c.id);
      const t = li && li.querySelector('time');
      if (t) t.textContent = formatTime(c.last_activity_at);
    }
  }, 60e3);

  /**
   * @param {string} id
   */
  function scrollTo(id) {
    const li = els.get(id);
    if (li) li.scrollIntoView({ block: 'nearest' });
  }

  return {
    /**
     * Shows a view with filters; reloads only when they changed.
     * @param {View} v
     * @param {Query} q
     */
    set(v, q) {
      const k = v + '?' + new URLSearchParams(/** @type {Record<string, string>} */ (q));
      for (const a of viewLinks) {
        const on = a.dataset.view === v;
        a.classList.toggle('active', on);
        if (on) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
        a.href = hooks.inboxHref(/** @type {View} */ (a.dataset.view), { ...q, q: '' });
      }
      if (k === key) return;
      key = k;
      view = v;
      query = { ...q };
      if (document.activeElement !== search) search.value = query.q || '';
      const st = query.status || 'open';
      for (const a of statusTabs) {
        const on = a.dataset.status === st;
        a.classList.toggle('active', on);
        if (on) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
      }
      searchBanner.hidden = !query.q;
      if (query.q) replace(searchBanner, 'Search results for “' + query.q + '” in all conversations');
      fillFilters();
      generation++;
      loading = false;
      rows = [];
      byId.clear();
      els.clear();
      clear(list);
      cursor = undefined;
      loadedAt = 0;
      selected = '';
      scroller.scrollTop = 0;
      loadPage();
      loadCounts();
    },
    /** Repaints the rows (the open conversation changed). */
    refreshOpen() {
      for (const c of rows) paint(c);
      const open = hooks.openId();
      if (open) {
        selected = open;
        scrollTo(open);
      }
    },
    /**
     * @param {string} id
     */
    get: (id) => byId.get(id),
    /**
     * The open conversation was read.
     * @param {string} id
     */
    markRead(id) {
      if ((unread.get(id) || 0) !== 0 || (byId.get(id) || { unread_count: 0 }).unread_count) setUnread(id, 0);
    },
    /**
     * A fresher copy of a conversation (from the conversation pane).
     * @param {Conversation} c
     */
    upsert(c) {
      const known = byId.get(c.id);
      if (known) {
        const keep = { last_message: known.last_message, unread_count: known.unread_count };
        Object.assign(known, c);
        if (!c.last_message) known.last_message = keep.last_message;
        known.unread_count = unread.get(c.id) ?? keep.unread_count;
        if (matches(known) || known.id === hooks.openId()) place(known);
        else remove(known.id);
      }
    },
    /**
     * Moves the keyboard selection.
     * @param {number} delta
     */
    move(delta) {
      if (!rows.length) return;
      let i = rows.findIndex((c) => c.id === (selected || hooks.openId()));
      i = i < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, i + delta));
      const prev = selected;
      selected = rows[i].id;
      for (const id of [prev, selected]) {
        const c = id && byId.get(id);
        if (c) paint(c);
      }
      scrollTo(selected);
      status.textContent = visitorName(rows[i].visitor) + ', ' + (i + 1) + ' of ' + rows.length;
      if (i >= rows.length - 3 && cursor && !loading) loadPage();
    },
    selected: () => selected,
    focusSearch() {
      search.focus();
      search.select();
    },
    view: () => view,
    query: () => ({ ...query }),
    /** The catalogs changed (labels, sites). */
    refreshFilters: fillFilters,
    destroy() {
      offs.forEach((off) => off());
      observer.disconnect();
      clearInterval(clock);
      clearTimeout(countsTimer);
      clearTimeout(searchTimer);
      generation++;
      clear(root);
    },
  };
}
