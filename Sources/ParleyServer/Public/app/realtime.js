// The member WebSocket (`/ws?access_token=…&org=…`, docs/realtime.md): one per organization.
//
// - Follows the whole organization: `subscribe_inbox`, resumed after a reconnect with
//   `after_cursor` = the highest cursor seen, so no event is lost or repeated.
// - Conversations opened in the dashboard are also subscribed (typing signals travel only to a
//   conversation's subscribers), resumed with `after_seq`.
// - Commands carry request ids; `send` resolves with the `ack`, rejects with the `error` frame.
// - Reconnects with exponential backoff and jitter; fetches a fresh access token before every
//   handshake and forces a refresh when handshakes keep failing (the token may have been revoked).

import { accessToken, refresh, api } from './api.js';

/** @typedef {import('./types').Frame} Frame */

/**
 * @param {{org: string, onRevoked?: () => void}} opts
 */
export function createRealtime({ org, onRevoked }) {
  /** @type {WebSocket | null} */
  let ws = null;
  let stopped = false, attempt = 0, nextId = 0, lastFrame = 0, timer = 0, failedHandshakes = 0;
  /** @type {number | null} */
  let cursor = null;
  /** Conversations to keep subscribed: id → highest seq seen. @type {Map<string, number>} */
  const conversations = new Map();
  /** @type {Map<string, {ok: (f: any) => void, fail: (e: any) => void, timer: number}>} */
  const waiting = new Map();
  /** @type {Map<string, Set<(f: Frame) => void>>} */
  const listeners = new Map();
  /** Presence to announce again after a reconnect. */
  let presence = 'online';

  /**
   * @param {string} key
   * @param {Frame} frame
   */
  function emit(key, frame) {
    const set = listeners.get(key);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(frame);
      } catch (e) {
        console.error('Parley dashboard: listener failed', e);
      }
    }
  }

  /**
   * @param {Frame} f
   */
  function dispatch(f) {
    if (f.type === 'event') {
      if (typeof f.cursor === 'number' && (cursor === null || f.cursor > cursor)) cursor = f.cursor;
      const id = f.conversation_id;
      if (id && typeof f.seq === 'number' && conversations.has(id) && f.seq > /** @type {number} */ (conversations.get(id))) {
        conversations.set(id, f.seq);
      }
      if (f.event) emit(f.event, f);
    }
    emit(f.type, f);
    emit('*', f);
  }

  /**
   * @param {boolean} connected
   */
  function status(connected) {
    emit('status', { type: 'status', status: connected ? 'connected' : 'disconnected' });
  }

  async function connect() {
    clearTimeout(timer);
    if (stopped || ws) return;
    let token = await accessToken();
    if (failedHandshakes >= 2 && token) {
      // Handshakes keep failing: the token may be revoked, or the membership gone (404 on REST).
      try {
        await api('GET', '/orgs/' + encodeURIComponent(org));
        token = (await refresh(token)).access_token;
        failedHandshakes = 0; // a fresh token: try it a couple of times before refreshing again
      } catch (e) {
        const err = /** @type {any} */ (e);
        if (err && err.status === 404) {
          stop();
          if (onRevoked) onRevoked();
          return;
        }
      }
    }
    if (stopped || ws) return;
    if (!token) return later();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = proto + '//' + location.host + '/ws?access_token=' + encodeURIComponent(token) + '&org=' + encodeURIComponent(org);
    const s = (ws = new WebSocket(url));
    let opened = false;
    s.onopen = () => {
      opened = true;
      failedHandshakes = 0;
      attempt = 0;
      lastFrame = Date.now();
      subscribeAll(s);
    };
    s.onmessage = (e) => {
      lastFrame = Date.now();
      /** @type {Frame} */
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      const w = (f.type === 'ack' || f.type === 'error') && f.id ? waiting.get(f.id) : undefined;
      if (w) {
        waiting.delete(/** @type {string} */ (f.id));
        clearTimeout(w.timer);
        (f.type === 'ack' ? w.ok : w.fail)(f);
        return;
      }
      dispatch(f);
    };
    s.onclose = (e) => {
      if (ws !== s) return;
      drop(s);
      if (!opened) failedHandshakes++;
      status(false);
      if (e.code === 4001) {
        stop();
        if (onRevoked) onRevoked();
        return;
      }
      later();
    };
  }

  /**
   * Subscribes the inbox (resuming) and every open conversation on a fresh socket.
   * @param {WebSocket} s
   */
  async function subscribeAll(s) {
    try {
      /** @type {Record<string, unknown>} */
      const fields = {};
      if (cursor !== null) fields.after_cursor = cursor;
      const ack = await command('subscribe_inbox', fields);
      if (ws !== s) return;
      if (typeof ack.cursor === 'number' && (cursor === null || ack.cursor > cursor)) cursor = ack.cursor;
      status(true);
      emit('inbox', { ...ack, type: 'inbox' });
      if (presence !== 'online') command('presence', { status: presence }).catch(() => {});
      for (const [id, seq] of conversations) subscribeOne(id, seq);
    } catch (e) {
      // the socket went away meanwhile; the next one subscribes again
    }
  }

  /**
   * @param {string} id
   * @param {number} seq
   */
  function subscribeOne(id, seq) {
    /** @type {Record<string, unknown>} */
    const fields = { conversation_id: id };
    if (seq > 0) fields.after_seq = seq;
    return command('subscribe', fields).then((ack) => {
      if (conversations.has(id) && typeof ack.seq === 'number' && ack.seq > /** @type {number} */ (conversations.get(id))) {
        conversations.set(id, ack.seq);
      }
      return ack;
    });
  }

  /**
   * @param {WebSocket} s
   */
  function drop(s) {
    ws = null;
    s.onopen = s.onmessage = s.onclose = null;
    try {
      s.close();
    } catch (e) {
      // already closed
    }
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.fail({ type: 'error', code: 'offline', message: 'Not connected' });
    }
    waiting.clear();
  }

  function later() {
    if (stopped) return;
    const cap = Math.min(30e3, 500 * 2 ** Math.min(attempt++, 6));
    timer = setTimeout(connect, cap / 2 + (Math.random() * cap) / 2);
  }

  /**
   * @param {string} type
   * @param {Record<string, unknown>} [fields]
   * @returns {Promise<any>}
   */
  function command(type, fields = {}) {
    return new Promise((ok, fail) => {
      if (!ws || ws.readyState !== 1) return fail({ type: 'error', code: 'offline', message: 'Not connected' });
      const id = 'r' + ++nextId;
      const t = setTimeout(() => {
        if (waiting.delete(id)) fail({ type: 'error', code: 'timeout', message: 'No answer from the server' });
      }, 15e3);
      waiting.set(id, { ok, fail, timer: t });
      ws.send(JSON.stringify({ ...fields, type, id }));
    });
  }

  // A socket that delivered nothing for 65 s (sleep, dead NAT) is replaced; pings keep a live one talking.
  const watchdog = setInterval(() => {
    if (!ws || ws.readyState !== 1) return;
    if (Date.now() - lastFrame < 25e3) return;
    if (Date.now() - lastFrame < 65e3) {
      command('ping').catch(() => {});
      return;
    }
    drop(ws);
    status(false);
    connect();
  }, 10e3);
  const now = () => {
    attempt = 0;
    if (!ws) connect();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') now();
  };
  window.addEventListener('online', now);
  document.addEventListener('visibilitychange', onVisible);

  function stop() {
    stopped = true;
    clearTimeout(timer);
    clearInterval(watchdog);
    window.removeEventListener('online', now);
    document.removeEventListener('visibilitychange', onVisible);
    if (ws) drop(ws);
  }

  connect();

  return {
    get connected() {
      return !!ws && ws.readyState === 1;
    },
    /**
     * @param {string} type a frame type, an event name, `inbox` (every inbox (re)subscription's ack),
     *   `status` (connected / disconnected) or `*`
     * @param {(f: Frame) => void} fn
     */
    on(type, fn) {
      const set = listeners.get(type) || new Set();
      listeners.set(type, set);
      set.add(fn);
      return () => {
        set.delete(fn);
      };
    },
    /**
     * Sends a command; resolves its ack, rejects with its error frame (or `{code: 'offline'}`).
     * @param {string} type
     * @param {object} [fields]
     */
    send(type, fields) {
      if (type === 'presence') {
        const st = /** @type {any} */ (fields || {}).status;
        if (st === 'online' || st === 'away') presence = st;
      }
      return command(type, /** @type {Record<string, unknown>} */ (fields || {}));
    },
    /**
     * Keeps a conversation subscribed (typing, replay after reconnects).
     * @param {string} id
     * @param {number} seq the highest seq already shown
     */
    subscribe(id, seq) {
      conversations.set(id, Math.max(seq, conversations.get(id) || 0));
      if (ws && ws.readyState === 1) subscribeOne(id, seq).catch(() => {});
    },
    /**
     * @param {string} id
     */
    unsubscribe(id) {
      if (!conversations.delete(id)) return;
      command('unsubscribe', { conversation_id: id }).catch(() => {});
    },
    get presence() {
      return presence;
    },
    stop,
  };
}

/** @typedef {ReturnType<typeof createRealtime>} RealtimeClient */
