// Network: the visitor REST API and the visitor socket, which reconnects with exponential backoff and jitter.
// Resuming (subscribe with after_seq) is the caller's part, on status(true).

/** An HTTP error; `message` is the problem's `detail` (written for the user), else its title. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {any} problem
   */
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
    this.status = status;
  }
}

/**
 * @param {string} base server origin (and path prefix), no trailing slash
 * @param {string} site the site's public key
 */
export function createApi(base, site) {
  const api = {
    token: '',
    /**
     * @param {string} method
     * @param {string} path under /api/v1/widget/{site}/
     * @param {unknown} [body] JSON, or a Blob sent as is
     * @returns {Promise<any>}
     */
    async call(method, path, body) {
      const raw = body instanceof Blob;
      /** @type {Record<string, string>} */
      const headers = {};
      if (api.token) headers.Authorization = 'Bearer ' + api.token;
      if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
      const res = await fetch(base + '/api/v1/widget/' + encodeURIComponent(site) + '/' + path, {
        method, headers, credentials: 'omit', body: raw ? body : body === undefined ? body : JSON.stringify(body),
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(res.status, data);
      return data;
    },
  };
  return api;
}

/** @param {import('./types').SocketHooks} hooks */
export function createSocket(hooks) {
  /** @type {WebSocket | null} */
  let ws = null;
  let stopped = true, busy = false, gen = 0, attempt = 0, nextId = 0, lastFrame = 0, timer = 0;
  /** @type {Map<string, {ok: (f: any) => void, fail: (e: import('./types').CommandError) => void}>} */
  const waiting = new Map();

  /** @returns {Promise<void>} */
  async function connect() {
    clearTimeout(timer);
    if (stopped || ws || busy) return;
    busy = true;
    const g = gen;
    const url = await hooks.url().catch(() => '');
    busy = false;
    if (stopped || ws) return;
    if (g !== gen) return connect(); // restarted meanwhile (another visitor): build the URL again
    if (!url) return later();
    const s = (ws = new WebSocket(url));
    s.onopen = () => {
      attempt = 0;
      lastFrame = Date.now();
      hooks.status(true);
    };
    s.onmessage = (e) => {
      lastFrame = Date.now();
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      const w = /^(ack|error)$/.test(f.type) && waiting.get(f.id);
      if (!w) return hooks.frame(f);
      waiting.delete(f.id);
      (f.type === 'ack' ? w.ok : w.fail)(f);
    };
    s.onclose = (e) => {
      drop(s);
      hooks.status(false, e.code);
      later();
    };
  }

  /** Forgets a socket at once (no closing handshake) and fails the commands still waiting for answers. */
  function drop(/** @type {WebSocket} */ s) {
    ws = null;
    s.onopen = s.onmessage = s.onclose = null;
    s.close();
    waiting.forEach((w) => w.fail({ code: 'offline' }));
    waiting.clear();
  }

  function later() {
    const cap = Math.min(3e4, 1000 * 2 ** Math.min(attempt++, 5));
    if (!stopped) timer = setTimeout(connect, cap / 2 + Math.random() * cap / 2);
  }

  // A socket that delivered nothing for 65 s (sleep, dead NAT) is replaced; pings keep a live one talking.
  setInterval(() => {
    if (!ws || ws.readyState !== 1) return;
    if (Date.now() - lastFrame < 65e3) return sock.fire({ type: 'ping' });
    drop(ws);
    hooks.status(false, 1006);
    connect();
  }, 2e4);

  const sock = {
    get open() {
      return !!ws && ws.readyState === 1;
    },
    /** Connects now, replacing the current socket (e.g. for another visitor's token). */
    restart() {
      stopped = false;
      gen++;
      attempt = 0;
      if (ws) drop(ws);
      connect();
    },
    /** Skips the backoff wait (the network is back, the tab visible again). */
    now() {
      attempt = 0;
      connect();
    },
    /**
     * Resolves with the command's ack, rejects with its error (or offline / timeout).
     * @param {Record<string, unknown>} cmd
     * @returns {Promise<any>}
     */
    send: (cmd) => new Promise((ok, fail) => {
      if (!ws || ws.readyState !== 1) return fail({ code: 'offline' });
      const id = String(++nextId);
      waiting.set(id, { ok, fail });
      ws.send(JSON.stringify({ ...cmd, id }));
      setTimeout(() => waiting.delete(id) && fail({ code: 'timeout' }), 15e3);
    }),
    /** @param {Record<string, unknown>} cmd a command whose answer does not matter */
    fire: (cmd) => sock.send(cmd).catch(() => {}),
  };
  return sock;
}
