// The widget's state: a small store and pure functions over it (no DOM, no network).

/**
 * @typedef {import('./types').State} State
 * @typedef {import('./types').Message} Message
 */

/**
 * @param {boolean} agents
 * @returns {State}
 */
export const initialState = (agents) => ({
  open: false, items: [], conv: null, ranks: {}, lastSeq: 0, older: false, unread: 0, readBy: 0, agents,
  typing: false, reconnecting: false, csat: '', prechatDone: false, offlineDone: false, error: '',
});

/** @param {State} state */
export function createStore(state) {
  /** @type {Array<(s: State) => void>} */
  const listeners = [];
  return {
    get: () => state,
    /** @param {Partial<State>} patch */
    set(patch) {
      state = { ...state, ...patch };
      listeners.forEach((fn) => fn(state));
    },
    /** @param {(s: State) => void} fn */
    on: (fn) => listeners.push(fn),
  };
}

/**
 * Adds or updates messages, deduplicated by id, ordered by conversation then `seq`. A pending item with the
 * same `client_id` becomes the message and keeps its key, so the UI updates it in place.
 * @param {State} s
 * @param {Message[]} messages
 * @returns {{patch: Partial<State>, added: Message[]}} `added`: the messages that were not known yet
 */
export function mergeMessages(s, messages) {
  const items = s.items.slice();
  const ranks = { ...s.ranks };
  /** @type {Message[]} */
  const added = [];
  let lastSeq = s.lastSeq;
  for (const m of messages) {
    if (!m || !m.id || m.private) continue;
    const conv = m.conversation_id;
    ranks[conv] ??= Object.keys(ranks).length;
    if (conv === s.conv && m.seq > lastSeq) lastSeq = m.seq;
    const i = items.findIndex((x) => x.id === m.id || (!x.id && !!m.client_id && x.clientId === m.client_id));
    if (i < 0 || !items[i].id) added.push(m);
    items.splice(i < 0 ? items.length : i, 1, {
      key: i < 0 ? m.id : items[i].key, id: m.id, conv, seq: m.seq, rank: ranks[conv], author: m.author_type,
      body: m.body || '', at: m.created_at, attachment: m.attachment, deleted: !!m.deleted,
    });
  }
  items.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
  return { patch: { items, ranks, lastSeq }, added };
}

let localSeq = 0;

/**
 * A visitor message shown at once, before the server has it.
 * @param {State} s
 * @param {string} clientId
 * @param {string} body
 * @returns {Partial<State>}
 */
export const addPending = (s, clientId, body) => ({
  items: [...s.items, { key: clientId, clientId, seq: ++localSeq, rank: 1e9, author: 'visitor', body, pending: true }],
});

/**
 * Removes a still pending item, or marks it as not sent (a confirmed one stays as it is).
 * @param {State} s
 * @param {string} key
 * @param {boolean} remove
 * @returns {Partial<State>}
 */
export const dropPending = (s, key, remove) => ({
  items: s.items.flatMap((x) => (x.key !== key || x.id ? [x] : remove ? [] : [{ ...x, pending: false, failed: true }])),
});

/** @param {State} s the smallest `seq` shown of the current conversation (for `before=`) */
export const oldestSeq = (s) => (s.items.find((x) => x.id && x.conv === s.conv) || { seq: 0 }).seq;

/**
 * The key of the visitor's last message if the team's read marker covers it ("Seen"), else ''.
 * @param {State} s
 */
export function seenKey(s) {
  const x = s.items.filter((i) => i.author === 'visitor').pop();
  return x && x.id && x.conv === s.conv && x.seq <= s.readBy ? x.key : '';
}

/**
 * What the panel's foot shows: the offline form (nobody online, no conversation yet) or its thanks, the pre-chat
 * form (before the first message, if enabled), or the composer.
 * @param {State} s
 * @param {import('./types').Settings} settings
 */
export function footMode(s, settings) {
  const pre = settings.prechat;
  return s.conv || s.items.length ? 'composer'
    : !s.agents ? (s.offlineDone ? 'thanks' : 'offline')
    : pre && pre.enabled && pre.fields.length && !s.prechatDone ? 'prechat' : 'composer';
}
