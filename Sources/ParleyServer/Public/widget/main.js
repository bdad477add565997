// Wires the widget: session (and its renewal), history, the visitor socket, the UI, and window.Parley.
import { createApi, createSocket, ApiError } from './transport.js';
import { createStore, initialState, mergeMessages, addPending, dropPending, oldestSeq, footMode } from './state.js';
import { createUI } from './ui.js';
import { pickLocale } from './i18n.js';

/** @typedef {import('./types').Message} Message */

const warn = (/** @type {unknown} */ e) => console.warn('Parley widget:', e);
const newId = () => 'c-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
const load = (/** @type {string} */ key) => {
  try {
    return JSON.parse(localStorage.getItem(key) || '{}') || {};
  } catch (e) {
    return {};
  }
};
/**
 * @param {string} key
 * @param {unknown} value null removes
 */
const save = (key, value) => {
  try {
    if (value) localStorage.setItem(key, JSON.stringify(value));
    else localStorage.removeItem(key);
  } catch (e) {
    // storage disabled: anonymous for this page view only
  }
};

/** @param {import('./types').Config} cfg */
export async function start(cfg) {
  const { host, base, site } = cfg;
  const shadow = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = base + '/widget/widget.css';
  if (cfg.nonce) link.nonce = cfg.nonce;
  const styled = new Promise((ok, fail) => {
    link.onload = ok;
    link.onerror = fail;
  });
  shadow.append(link);

  const api = createApi(base, site);
  const tokenKey = 'parley:' + site;
  const extraKey = tokenKey + ':ui'; // conversations rated, pre-chat form done
  /** @type {{rated: string[], prechat?: boolean}} */
  const extra = { rated: [], ...load(extraKey) };
  /** @type {Record<string, unknown> | null} */
  let identity = null;
  /** @type {Promise<void> | null} */
  let refreshing = null;
  let visitorId = '', expiresAt = 0, failures = 0, timer = 0;

  /** Starts, or resumes with the stored anonymous token, the visitor's session (identified: identifies again). */
  async function session() {
    const anon = load(tokenKey).anonymous_token;
    const hints = browserHints();
    const r = await api.call('POST', 'sessions', anon ? { anonymous_token: anon, ...hints } : hints).catch((e) => {
      if (anon && e.status === 422) return api.call('POST', 'sessions', hints); // not a token of this server
      throw e;
    });
    save(tokenKey, { anonymous_token: r.anonymous_token });
    useToken(r);
    if (identity) useToken(await api.call('POST', 'identify', identity));
    failures = 0;
    return r;
  }
  /** The browser's language and time zone, shown to agents as hints (only well-formed ones are sent). */
  function browserHints() {
    /** @type {{locale?: string, timezone?: string}} */
    const hints = {};
    const locale = navigator.language || '';
    if (/^[A-Za-z0-9-]{2,35}$/.test(locale)) hints.locale = locale;
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    if (/^[A-Za-z0-9/_+-]{1,64}$/.test(timezone)) hints.timezone = timezone;
    return hints;
  }
  /** @param {{visitor_id: string, visitor_token: string, expires_at: string}} r */
  function useToken(r) {
    api.token = r.visitor_token;
    visitorId = r.visitor_id;
    expiresAt = Date.parse(r.expires_at) || Date.now() + 6e5;
    renewIn(Math.min(864e5, Math.max(5000, (expiresAt - Date.now()) * 0.8)));
  }
  /** @param {number} ms */
  function renewIn(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => refresh().catch(() => renewIn(3e4)), ms);
  }
  /** A new session, one at a time; another visitor (deleted, reset) gets everything reloaded. */
  function refresh() {
    return (refreshing ||= (async () => {
      const before = visitorId;
      const r = await session();
      if (visitorId !== before) await reload(r.conversation_id);
    })().finally(() => (refreshing = null)));
  }
  /**
   * A REST call; on 401, renews the session and tries once more.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  const call = (method, path, body) => api.call(method, path, body).catch(async (e) => {
    if (e.status !== 401) throw e;
    await refresh();
    return api.call(method, path, body);
  });

  const firstSession = session();
  firstSession.catch(() => {});
  /** @type {import('./types').Settings} */
  const settings = (await Promise.all([api.call('GET', 'settings'), styled]).catch((e) => {
    clearTimeout(timer); // a widget that cannot start renews nothing
    throw e;
  }))[0] || {};
  const { locale, strings: t } = pickLocale([cfg.locale, settings.locale, document.documentElement.lang,
    navigator.language]);
  if (settings.theme_color && CSS.supports('color', settings.theme_color)) {
    host.style.setProperty('--parley-accent', settings.theme_color);
  }

  const store = createStore({ ...initialState(settings.agents_online !== false), prechatDone: !!extra.prechat });
  const { get, set } = store;
  /** @type {Record<string, Set<Function>>} */
  const listeners = {};
  /**
   * @param {string} name
   * @param {unknown} [arg]
   */
  const emit = (name, arg) => (listeners[name] || []).forEach((fn) => {
    try {
      fn(arg);
    } catch (e) {
      warn(e);
    }
  });

  let errorTimer = 0;
  /** @param {any} e an ApiError or a refused command (their text is the server's detail), or a network error */
  function showError(e) {
    set({ error: e instanceof ApiError || (!(e instanceof Error) && e && e.message) ? e.message : t.error });
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => set({ error: '' }), 1e4);
  }

  const visible = () => get().open && document.visibilityState === 'visible';
  /** @param {number} n */
  function setUnread(n) {
    if (n === get().unread) return;
    set({ unread: n });
    emit('unread', n);
  }

  // Read receipts go while the panel is open in a visible tab.
  let readSent = 0;
  function markRead() {
    const { conv, lastSeq } = get();
    if (!visible() || !conv || !sock.open || lastSeq <= readSent) return;
    readSent = lastSeq;
    sock.fire({ type: 'read', conversation_id: conv, seq: lastSeq });
  }

  /**
   * @param {Message[]} list
   * @param {boolean} live not history: counts as unread, fires `message`
   */
  function received(list, live) {
    const { patch, added } = mergeMessages(get(), list);
    const team = live ? added.filter((m) => m.author_type !== 'visitor').length : 0;
    set(team ? { ...patch, typing: false } : patch);
    if (!live) return;
    added.forEach((m) => emit('message', m));
    if (team && !visible()) setUnread(get().unread + team);
    markRead();
  }

  /** @param {Message} m the server's copy of the visitor's message; it may have opened a new conversation */
  function confirmed(m) {
    const old = get().conv;
    if (old !== m.conversation_id) {
      if (old) sock.fire({ type: 'unsubscribe', conversation_id: old });
      readSent = 0;
      set({ conv: m.conversation_id, lastSeq: 0, readBy: 0, older: false, csat: '', typing: false });
      subscribe();
    }
    received([m], true);
  }

  /** Resumes after the highest seq seen: the server replays the gap, without duplicates. */
  function subscribe() {
    const { conv, lastSeq } = get();
    if (conv && sock.open) {
      sock.send({ type: 'subscribe', conversation_id: conv, after_seq: lastSeq }).then((ack) => {
        if (get().conv === conv && ack.seq > get().lastSeq) set({ lastSeq: ack.seq });
        markRead();
      }, warn);
    }
  }

  /** @param {number} [before] a page of older messages instead of the latest */
  async function history(before) {
    const r = await call('GET', 'messages?limit=30' + (before ? '&before=' + before : ''));
    if (!r.conversation_id || (before && r.conversation_id !== get().conv)) return;
    if (r.conversation_id !== get().conv) set({ conv: r.conversation_id, lastSeq: 0 });
    set({ ...mergeMessages(get(), r.items || []).patch, older: !!r.next_cursor });
  }
  let loadingOlder = false;
  function older() {
    if (loadingOlder || !get().older) return;
    loadingOlder = true;
    history(oldestSeq(get())).catch(warn).finally(() => (loadingOlder = false));
  }

  /** Counts visitor changes (reset, identify, a renewal that names another visitor), so that an
   * answer arriving after one is recognised as the previous visitor's. */
  let visitorEpoch = 0;

  /** @param {string | null} [conv] the (new) visitor's conversation, if known; history first, then the socket */
  async function reload(conv) {
    visitorEpoch++;
    readSent = 0;
    set({ items: get().items.filter((x) => x.pending), ranks: {}, conv: conv || null, lastSeq: 0, readBy: 0,
      older: false, csat: '', typing: false });
    if (conv !== null) await history().catch(warn);
    sock.restart();
  }

  // The outbox keeps messages until the socket takes them; resending a client_id is harmless.
  /** @type {{client_id: string, body: string}[]} */
  const outbox = [];
  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    while (outbox.length && sock.open) {
      const m = outbox[0];
      const epoch = visitorEpoch;
      const ack = await sock.send({ type: 'send', ...m }).catch((e) => {
        if (/^(offline|timeout|rate-limited)$/.test(e.code)) return e.code;
        set(dropPending(get(), m.client_id, false)); // refused: say why, leave it marked as not sent
        showError(e);
      });
      if (typeof ack === 'string') {
        if (ack !== 'offline') setTimeout(flush, 3000);
        break;
      }
      if (epoch !== visitorEpoch) break; // the previous visitor's answer: not this visitor's conversation
      outbox.shift();
      if (ack) confirmed(ack.message);
    }
    flushing = false;
  }

  // Typing: start at most every 2.5 s while keys come, stop after 3 s without.
  let typingSince = 0, typingStop = 0, agentTyping = 0;
  function typing() {
    const conv = get().conv;
    if (!conv || !sock.open) return;
    clearTimeout(typingStop);
    typingStop = setTimeout(stopTyping, 3000);
    if (Date.now() - typingSince > 2500) {
      typingSince = Date.now();
      sock.fire({ type: 'typing', conversation_id: conv, state: 'start' });
    }
  }
  function stopTyping() {
    clearTimeout(typingStop);
    const conv = get().conv;
    if (typingSince && conv && sock.open) sock.fire({ type: 'typing', conversation_id: conv, state: 'stop' });
    typingSince = 0;
  }

  /** @param {any} f */
  function onEvent(f) {
    const s = get();
    const d = f.data || {};
    if (f.conversation_id !== s.conv) return;
    if (f.seq > s.lastSeq) set({ lastSeq: f.seq });
    if (/^message\./.test(f.event)) received([d], true);
    else if (f.event === 'conversation.updated') {
      const resolved = d.status === 'resolved';
      if (resolved && settings.csat_enabled && !s.csat && !extra.rated.includes(s.conv || '')) set({ csat: 'ask' });
      else if (!resolved && s.csat === 'ask') set({ csat: '' });
    } else if (f.event === 'conversation.read' && !/^vis_/.test(d.reader_id) && d.reader_id !== visitorId
      && d.seq > s.readBy) set({ readBy: d.seq });
  }

  const sock = createSocket({
    async url() {
      if (failures > 1 || Date.now() > expiresAt - 3e4) await refresh();
      const page = location.href;
      return base.replace(/^http/, 'ws') + '/ws?visitor_token=' + encodeURIComponent(api.token)
        + (/^https?:/.test(page) && page.length < 2000 ? '&page=' + encodeURIComponent(page) : '');
    },
    frame(f) {
      if (f.type === 'event') onEvent(f);
      else if (f.type === 'agents') set({ agents: !!f.online });
      else if (f.type === 'typing' && f.user_id && f.conversation_id === get().conv) {
        clearTimeout(agentTyping);
        if (f.state === 'start') agentTyping = setTimeout(() => set({ typing: false }), 8000);
        set({ typing: f.state === 'start' });
      }
    },
    status(open, code) {
      set({ reconnecting: !open, typing: false });
      if (open) {
        failures = 0;
        subscribe();
        flush();
      } else {
        failures++;
        typingSince = 0;
        if (code === 4001) refresh().catch(warn); // this visitor was deleted: become a new one
      }
    },
  });

  /** @param {File} file */
  async function upload(file) {
    const cid = newId();
    set({ ...addPending(get(), cid, file.name), error: '' });
    try {
      const m = await call('POST', 'uploads?filename=' + encodeURIComponent(file.name) + '&client_id=' + cid, file);
      set(dropPending(get(), cid, true));
      confirmed(m);
    } catch (e) {
      set(dropPending(get(), cid, true));
      showError(e);
    }
  }

  /** @param {Record<string, unknown>} body */
  async function lead(body) {
    try {
      await call('POST', 'leads', body);
      const pre = body.source === 'prechat';
      if (pre) save(extraKey, { ...extra, prechat: (extra.prechat = true) });
      set({ error: '', [pre ? 'prechatDone' : 'offlineDone']: true });
    } catch (e) {
      showError(e);
    }
  }

  const ui = createUI(shadow, {
    t, locale, settings,
    actions: {
      open: () => widget.open(),
      close: () => widget.close(),
      send(text) {
        const m = { client_id: newId(), body: text.trim() };
        stopTyping();
        set({ ...addPending(get(), m.client_id, m.body), error: '' });
        outbox.push(m);
        flush();
      },
      typing,
      files(files) {
        if (footMode(get(), settings) === 'composer') {
          files.reduce((p, f) => p.then(() => upload(f)), Promise.resolve());
        }
      },
      older,
      prechat: ({ name, email, ...fields }) => lead({ source: 'prechat', name, email, fields }),
      offline: (v) => lead({ source: 'offline', ...v }),
      async rate(score, comment) {
        const conv = get().conv || '';
        try {
          await call('POST', 'rating', { conversation_id: conv, score, comment: comment || undefined });
        } catch (/** @type {any} */ e) {
          if (e.status !== 409) return showError(e); // 409: rated already
        }
        save(extraKey, { ...extra, rated: (extra.rated = [...extra.rated, conv].slice(-50)) });
        set({ csat: 'done', error: '' });
      },
      async link(a) {
        const r = await call('GET', 'attachments/' + encodeURIComponent(a.id) + '/link');
        return { url: /^https?:/.test(r.url) ? r.url : base + r.url, expires: Date.parse(r.expires_at) || 0 };
      },
    },
  });
  store.on(ui.render);
  ui.render(get());

  let ready = false;
  const widget = {
    open() {
      if (get().open) return;
      set({ open: true });
      if (visible()) setUnread(0);
      markRead();
      emit('open');
    },
    close() {
      if (!get().open) return;
      stopTyping();
      set({ open: false });
      emit('close');
    },
    /**
     * Tells the server who the visitor is; `hash` is the site's HMAC-SHA256 of `id`, made by the site's server.
     * `attributes` (strings, numbers, booleans) are shown to agents beside the conversation.
     * @param {{id: string, name?: string, email?: string, hash?: string, attributes?: Record<string, string | number | boolean>}} user
     */
    async identify(user) {
      /** @type {Record<string, unknown>} */
      const claim = { id: String(user.id) };
      for (const k of /** @type {const} */ (['name', 'email', 'hash'])) if (user[k]) claim[k] = String(user[k]);
      if (user.attributes && typeof user.attributes === 'object') claim.attributes = user.attributes;
      const before = visitorId;
      const r = await call('POST', 'identify', claim);
      identity = claim;
      useToken(r);
      if (r.visitor_id !== before) await reload();
      return { visitor_id: r.visitor_id, verified: !!r.verified };
    },
    /** Forgets this browser's visitor and starts a fresh anonymous session. */
    async reset() {
      identity = null;
      save(tokenKey, null);
      save(extraKey, null);
      Object.assign(extra, { rated: [], prechat: false });
      outbox.length = 0;
      stopTyping();
      set({ items: [], unread: 0, prechatDone: false, offlineDone: false, error: '' });
      await refresh();
    },
    /**
     * @param {string} name ready | open | close | message | unread
     * @param {Function} fn
     */
    on(name, fn) {
      (listeners[name] ||= new Set()).add(fn);
      if (name === 'ready' && ready) queueMicrotask(() => fn());
      return () => listeners[name].delete(fn);
    },
  };

  await reload((await firstSession).conversation_id);

  addEventListener('online', sock.now);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    sock.now();
    if (get().open) setUnread(0);
    markRead();
  });

  host.setAttribute('data-state', 'ready');
  // The loader's stub becomes the API (the page may hold it); its queue replays, on(…) first to hear `ready`.
  Object.assign(cfg.stub, widget, { loaded: true });
  const queued = cfg.stub.q.splice(0);
  const replay = (/** @type {boolean} */ on) => queued.forEach(([name, args, ok, fail]) => {
    if ((name === 'on') !== on) return;
    try {
      ok(/** @type {any} */ (widget)[name](...args));
    } catch (e) {
      fail(e);
    }
  });
  replay(true);
  emit('ready');
  ready = true;
  replay(false);
  if (cfg.open) widget.open();
}
