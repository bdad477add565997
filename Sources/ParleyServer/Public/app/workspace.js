// The working screen: inbox list | conversation | visitor panel (three columns; at tablet width the
// visitor panel folds away and the list and the conversation take turns).
import { h, clear, icon } from './dom.js';
import { createInbox, visitorName } from './inbox.js';
import { createConversation } from './conversation.js';
import { renderVisitorPanel } from './visitor/panel.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').OrgData} OrgData
 * @typedef {import('./types').VisitorPanelHandle} VisitorPanelHandle
 * @typedef {import('./inbox.js').View} View
 * @typedef {import('./inbox.js').Query} Query
 */

const ICON_PANEL = 'M4 5h16v14H4zM15 5v14';

/**
 * @param {HTMLElement} main
 * @param {AppContext} ctx
 * @param {OrgData} data
 * @param {import('./realtime.js').RealtimeClient} realtime
 * @param {ReturnType<typeof import('./notify.js').createNotifier>} notifier
 * @param {() => void} ready the inbox's first page is on screen
 */
export function createWorkspace(main, ctx, data, realtime, notifier, ready) {
  const orgBase = '/app/o/' + encodeURIComponent(ctx.org.id);
  /** @type {View} */
  let lastView = 'all';
  /** @type {Query} */
  let lastQuery = {};
  let started = false;
  /** @type {string | null} */
  let openId = null;
  /** @type {ReturnType<typeof createConversation> | null} */
  let conv = null;
  /** @type {VisitorPanelHandle | null} */
  let panel = null;

  const listCol = h('section', { class: 'col col-list', 'aria-label': 'Inbox' });
  const convCol = h('div', { class: 'col col-conv' });
  const panelToggle = h('button', { type: 'button', class: 'icon-btn panel-toggle', 'aria-label': 'Visitor details', 'aria-expanded': 'false',
    title: 'Visitor details' }, icon(ICON_PANEL));
  const visitorCol = h('aside', { class: 'col col-visitor', 'aria-label': 'Visitor details' });
  const placeholder = () => h('div', { class: 'empty-state calm' },
    h('div', { class: 'empty-mark', 'aria-hidden': 'true' }),
    h('h2', {}, 'No conversation open'),
    h('p', {}, 'Pick a conversation from the list, or use j / k and Enter. Press ? for all shortcuts.'));
  convCol.append(placeholder());
  main.append(listCol, convCol, visitorCol, panelToggle);
  notifier.setTitle('Inbox');

  panelToggle.addEventListener('click', () => {
    const on = !main.classList.contains('show-visitor');
    main.classList.toggle('show-visitor', on);
    panelToggle.setAttribute('aria-expanded', String(on));
  });

  /**
   * @param {View} v
   * @param {Query} q
   */
  function inboxHref(v, q) {
    const p = new URLSearchParams();
    for (const [k, val] of Object.entries(q)) if (val) p.set(k, val);
    const s = p.toString();
    return orgBase + '/inbox/' + v + (s ? '?' + s : '');
  }

  const inbox = createInbox(listCol, ctx, data, realtime, {
    ready,
    unread: (n) => notifier.setUnread(n),
    openId: () => openId,
    href: (id) => orgBase + '/c/' + encodeURIComponent(id),
    inboxHref,
  });
  notifier.setLookup((id) => inbox.get(id) || (conv && conv.conversation && conv.conversation.id === id ? conv.conversation : undefined));

  const offFrames = realtime.on('*', (f) => {
    if (panel) {
      try {
        panel.update(f);
      } catch (e) {
        console.error('Parley dashboard: visitor panel', e);
      }
    }
  });

  function closeConversation() {
    if (panel) {
      try {
        panel.destroy();
      } catch (e) {
        // the panel's own cleanup failed; it is gone with the column anyway
      }
      panel = null;
    }
    clear(visitorCol);
    if (conv) conv.destroy();
    conv = null;
  }

  /**
   * @param {string} id
   */
  function openConversation(id) {
    closeConversation();
    clear(convCol);
    openId = id;
    notifier.setOpen(id);
    conv = createConversation(convCol, ctx, data, realtime, id, {
      loaded(c) {
        notifier.setTitle(visitorName(c.visitor));
        try {
          panel = renderVisitorPanel(visitorCol, ctx, c) || null;
        } catch (e) {
          console.error('Parley dashboard: visitor panel', e);
        }
      },
      changed(c) {
        inbox.upsert(c);
      },
      read(cid) {
        inbox.markRead(cid);
      },
      back() {
        ctx.navigate(inboxHref(lastView, lastQuery));
      },
    });
  }

  return {
    /**
     * @param {View | null} view null: keep the last inbox view (a conversation route)
     * @param {Query | null} query
     * @param {string | null} convId '' for an empty id (not found), null for none
     */
    show(view, query, convId) {
      if (view) {
        lastView = view;
        lastQuery = query || {};
      }
      if (view || !started) {
        started = true;
        inbox.set(lastView, lastQuery);
      }
      if (convId !== openId || (convId !== null && !conv)) {
        if (convId === null) {
          closeConversation();
          openId = null;
          notifier.setOpen('');
          clear(convCol);
          convCol.append(placeholder());
          notifier.setTitle('Inbox');
        } else {
          openConversation(convId);
        }
      }
      main.classList.toggle('has-conv', convId !== null);
      inbox.refreshOpen();
    },
    /** Members, sites, labels or canned responses were reloaded. */
    catalogsChanged() {
      inbox.refreshFilters();
      inbox.refreshOpen();
      if (conv) conv.repaint();
    },
    // ---- keyboard (see shortcuts.js)
    /**
     * @param {number} delta
     */
    move(delta) {
      inbox.move(delta);
    },
    /** Opens the keyboard selection; false when nothing is selected. */
    openSelected() {
      const id = inbox.selected();
      if (!id) return false;
      if (id !== openId) ctx.navigate(orgBase + '/c/' + encodeURIComponent(id));
      return true;
    },
    focusComposer() {
      return !!conv && conv.focusComposer();
    },
    focusSearch() {
      inbox.focusSearch();
    },
    /**
     * @param {View} v
     */
    view(v) {
      ctx.navigate(inboxHref(v, { ...lastQuery, q: '' }));
    },
    claim() {
      if (conv) conv.claim();
    },
    resolve() {
      if (conv) conv.resolve();
    },
    close() {
      if (openId !== null) ctx.navigate(inboxHref(lastView, lastQuery));
    },
    destroy() {
      offFrames();
      closeConversation();
      inbox.destroy();
      clear(main);
    },
  };
}
