// The REST client and the session's tokens.
//
// The session (access token, its expiry, the single-use refresh token) lives in localStorage under
// `parley.session`, so every tab of the dashboard shares it. Refreshing happens inside the Web Lock
// `parley-refresh`, and the stored session is read again inside the lock: when another tab rotated
// the tokens meanwhile, this tab adopts them instead of presenting the now-used refresh token (which
// the server would treat as theft and answer by revoking the whole session).
//
// localStorage reaches other tabs asynchronously (Chromium syncs each renderer's copy in the
// background, on another channel than the lock's), so a tab that just got the lock may still read
// the old tokens. The refresher therefore also writes the session to IndexedDB and waits for that
// commit before releasing the lock; inside the lock the newer of the two copies wins.

/** @typedef {import('./types').Session} Session */

const KEY = 'parley.session';
const BASE = '/api/v1';
/** Refresh this long before the access token expires. */
const EARLY_MS = 60e3;

/** An HTTP error: `code` is the problem type's tail (`totp-required`, `conflict`, `validation`…). */
export class ApiError extends Error {
  /**
   * @param {number} status 0 for a network failure
   * @param {any} body the problem document (or null)
   */
  constructor(status, body) {
    const type = body && typeof body.type === 'string' ? body.type : '';
    super((body && (body.detail || body.title)) || (status ? 'HTTP ' + status : 'The server cannot be reached'));
    this.name = 'ApiError';
    this.status = status;
    this.code = type.startsWith('urn:parley:problem:') ? type.slice('urn:parley:problem:'.length) : status ? 'http-' + status : 'network';
    /** @type {string} */
    this.detail = (body && body.detail) || this.message;
    /** @type {string | undefined} */
    this.field = body && body.field ? String(body.field) : undefined;
    this.body = body;
  }
}

/**
 * @returns {Session | null}
 */
function readSession() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    return s && typeof s.access_token === 'string' && typeof s.refresh_token === 'string' ? s : null;
  } catch (e) {
    return null;
  }
}

/**
 * @param {Session | null} s
 */
function writeSession(s) {
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch (e) {
    // storage unavailable: the session lasts as long as this page (kept in `memory`)
  }
  memory = s;
}
/** @type {Session | null} */
let memory = null;
const current = () => readSession() || memory;

// ---- IndexedDB copy (see the top of this file)
/** @type {Promise<IDBDatabase | null> | null} */
let dbPromise = null;
function db() {
  return (dbPromise ||= new Promise((resolve) => {
    try {
      const req = indexedDB.open('parley', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('kv');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch (e) {
      resolve(null);
    }
  }));
}
/**
 * @param {'readonly' | 'readwrite'} mode
 * @param {(store: IDBObjectStore) => IDBRequest} op
 * @returns {Promise<any>}
 */
async function idb(mode, op) {
  const d = await db();
  if (!d) return null;
  return new Promise((resolve) => {
    try {
      const tx = d.transaction('kv', mode);
      const req = op(tx.objectStore('kv'));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => resolve(null);
    } catch (e) {
      resolve(null);
    }
  });
}
/** @param {Session | null} s */
const idbWrite = (s) => idb('readwrite', (store) => (s ? store.put(s, KEY) : store.delete(KEY)));
/** The session as the last refresh left it: IndexedDB's copy when it holds a newer rotation. */
async function freshest() {
  const local = current();
  const stored = /** @type {Session | null} */ (await idb('readonly', (store) => store.get(KEY)));
  if (stored && typeof stored.refresh_token === 'string' && local && stored.refresh_token !== local.refresh_token
      && stored.expires_at > local.expires_at) {
    writeSession(stored);
    return stored;
  }
  return local;
}

/**
 * @param {any} pair a TokenPair
 */
function adopt(pair) {
  /** @type {Session} */
  const s = {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_at: Date.now() + (Number(pair.expires_in) || 900) * 1000,
    user_id: pair.user && pair.user.id,
  };
  writeSession(s);
  return s;
}

/**
 * Stores a new token pair in both copies; resolves once IndexedDB committed.
 * @param {any} pair
 */
async function adoptDurably(pair) {
  const s = adopt(pair);
  await idbWrite(s);
  return s;
}

/** @type {Set<() => void>} */
const lostListeners = new Set();
/** Called when the session ends (signed out here or in another tab, revoked, refresh refused). */
export function onSignedOut(/** @type {() => void} */ fn) {
  lostListeners.add(fn);
  return () => lostListeners.delete(fn);
}
function lost() {
  writeSession(null);
  idbWrite(null);
  lostListeners.forEach((fn) => fn());
}
window.addEventListener('storage', (e) => {
  if (e.key === KEY && !e.newValue) lostListeners.forEach((fn) => fn());
});

export function signedIn() {
  return !!current();
}

/**
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {{json?: unknown, raw?: Blob, token?: string | null}} [opts]
 * @returns {Promise<Response>}
 */
async function send(method, path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
  /** @type {BodyInit | undefined} */
  let body;
  if (opts.raw) {
    body = opts.raw;
    headers['Content-Type'] = opts.raw.type || 'application/octet-stream';
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  }
  try {
    return await fetch(BASE + (path.startsWith('/') ? path : '/' + path), { method, headers, body, credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, null);
  }
}

/**
 * @param {Response} res
 */
async function parse(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * Runs `fn` under the cross-tab refresh lock (just in this tab where Web Locks are missing).
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
function withLock(fn) {
  const locks = /** @type {any} */ (navigator).locks;
  return locks && locks.request ? locks.request('parley-refresh', fn) : fn();
}

/** @type {Promise<Session> | null} */
let refreshing = null;

/**
 * A new access token, one refresh at a time across tabs. `stale`: the access token that failed or is
 * about to expire; if the stored one differs and is still good, another tab refreshed already.
 * @param {string} stale
 * @returns {Promise<Session>}
 */
export function refresh(stale) {
  return (refreshing ||= withLock(async () => {
    const s = await freshest();
    if (!s) throw new ApiError(401, { type: 'urn:parley:problem:unauthorized', detail: 'Signed out' });
    if (s.access_token !== stale && s.expires_at - Date.now() > EARLY_MS / 2) return s;
    const res = await send('POST', '/auth/refresh', { json: { refresh_token: s.refresh_token } });
    if (res.status === 401 || res.status === 400 || res.status === 422) {
      // The refresh token is spent or the session revoked. Another tab may have rotated a moment ago.
      const again = await freshest();
      if (again && again.refresh_token !== s.refresh_token) return again;
      lost();
      await parse(res);
    }
    return adoptDurably(await parse(res));
  }).finally(() => (refreshing = null)));
}

/** A usable access token (refreshed first when it expires soon), or '' when signed out. */
export async function accessToken() {
  const s = current();
  if (!s) return '';
  if (s.expires_at - Date.now() > EARLY_MS) return s.access_token;
  try {
    return (await refresh(s.access_token)).access_token;
  } catch (e) {
    return e instanceof ApiError && e.status === 401 ? '' : s.access_token;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{json?: unknown, raw?: Blob}} opts
 */
async function authed(method, path, opts) {
  const token = await accessToken();
  if (!token) {
    lost();
    throw new ApiError(401, { type: 'urn:parley:problem:unauthorized', detail: 'Signed out' });
  }
  let res = await send(method, path, { ...opts, token });
  if (res.status === 401) {
    const s = await refresh(token);
    res = await send(method, path, { ...opts, token: s.access_token });
    if (res.status === 401) lost();
  }
  return parse(res);
}

/**
 * JSON request against /api/v1 + path; bearer token attached; one transparent refresh on 401;
 * resolves the parsed body (or null for 204); rejects with ApiError.
 * @param {string} method
 * @param {string} path e.g. `/orgs/org_…/conversations?limit=50`
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export function api(method, path, body) {
  return authed(method, path, { json: body });
}

/**
 * Raw-bytes upload (the conversation upload route). Adds `filename=` from the file when the path
 * has none.
 * @param {string} path e.g. `/orgs/{org}/conversations/{id}/uploads?client_id=…`
 * @param {Blob} file
 * @returns {Promise<any>} the message carrying the attachment
 */
export function upload(path, file) {
  let p = path;
  if (!/[?&]filename=/.test(p)) {
    const name = /** @type {any} */ (file).name || 'pasted-' + Date.now() + '.' + ((file.type.split('/')[1] || 'bin').replace(/[^a-z0-9]/g, ''));
    p += (p.includes('?') ? '&' : '?') + 'filename=' + encodeURIComponent(name);
  }
  return authed('POST', p, { raw: file });
}

/**
 * Signs in. Rejects with ApiError (code `totp-required` when a two-factor code is needed,
 * `invalid-totp`, `totp-used`, `invalid-credentials`, `login-locked`).
 * @param {string} email
 * @param {string} password
 * @param {string} [totp]
 */
export async function login(email, password, totp) {
  /** @type {Record<string, string>} */
  const body = { email, password };
  if (totp) body.totp_code = totp;
  const pair = await parse(await send('POST', '/auth/login', { json: body }));
  await adoptDurably(pair);
  return pair.user;
}

/**
 * Ends this session (`all`: every session of the user), then forgets the tokens.
 * @param {boolean} [all]
 */
export async function logout(all = false) {
  const s = current();
  if (s) {
    try {
      const token = await accessToken();
      await send('POST', all ? '/auth/logout-all' : '/auth/logout', { token, json: {} });
    } catch (e) {
      // signed out locally anyway
    }
  }
  lost();
}
