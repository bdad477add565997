// The conversation pane: header with the visitor and the controls (claim, assignee / transfer,
// status, priority, labels), the message history (paged upward with ?before=), live events,
// typing both ways, read receipts ("Seen"), edit / delete of one's own messages, attachments
// (signed links, images inline) and the composer.
import { h, clear, replace, formatTime, formatFull, formatSize, newId, icon } from './dom.js';
import { api, upload, ApiError } from './api.js';
import { createComposer } from './composer.js';
import { visitorName, initials, avatarTone, STATUSES, PRIORITIES } from './inbox.js';
import { attentive } from './notify.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').OrgData} OrgData
 * @typedef {import('./types').Conversation} Conversation
 * @typedef {import('./types').Message} Message
 * @typedef {import('./types').Attachment} Attachment
 * @typedef {import('./types').Frame} Frame
 */

const PAGE = 50;
/**
 * @param {string} s
 */
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const ICON_BACK = 'M15 18l-6-6 6-6';

/**
 * @param {HTMLElement} root
 * @param {AppContext} ctx
 * @param {OrgData} data
 * @param {import('./realtime.js').RealtimeClient} realtime
 * @param {string} id
 * @param {{
 *   loaded(c: Conversation): void,
 *   changed(c: Conversation): void,
 *   read(id: string): void,
 *   back(): void,
 * }} hooks
 */
export function createConversation(root, ctx, data, realtime, id, hooks) {
  const base = '/orgs/' + encodeURIComponent(ctx.org.id) + '/conversations/' + encodeURIComponent(id);
  let destroyed = false;
  /** @type {Conversation | null} */
  let conv = null;
  /** @type {Map<string, Message>} */
  const messages = new Map();
  /** Rendered messages by id, and pending ones by client id. @type {Map<string, HTMLElement>} */
  const els = new Map();
  /** @type {Map<string, HTMLElement>} */
  const pending = new Map();
  let oldest = 0, newest = 0, hasOlder = false, loadingOlder = false, readSent = 0, visitorRead = 0;
  /** @type {ReturnType<typeof createComposer> | null} */
  let composer = null;
  /** Who is typing: key → timer. @type {Map<string, number>} */
  const typists = new Map();

  const section = h('section', { class: 'conversation', 'data-testid': 'conversation', 'data-id': id, 'aria-busy': 'true',
    'aria-label': 'Conversation' });
  root.append(section);
  section.append(h('div', { class: 'pane-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading conversation…'));

  // ---- structure (filled once the conversation is loaded)
  const title = h('h2', { class: 'conv-title' });
  const subtitle = h('p', { class: 'conv-sub' });
  const avatar = h('span', { class: 'avatar avatar-lg', 'aria-hidden': 'true' });
  const claimBtn = h('button', { type: 'button', class: 'btn primary sm', 'data-testid': 'claim' }, 'Claim');
  const assignee = h('select', { 'data-testid': 'assignee-select', 'aria-label': 'Assignee' });
  const statusSel = h('select', { 'data-testid': 'status-select', 'aria-label': 'Status' },
    STATUSES.map((s) => h('option', { value: s }, cap(s))));
  const prioritySel = h('select', { 'data-testid': 'priority-select', 'aria-label': 'Priority' },
    PRIORITIES.map((p) => h('option', { value: p }, p === 'none' ? 'No priority' : cap(p) + ' priority')));
  const chips = h('span', { class: 'chips' });
  const labelsInput = h('input', { type: 'text', class: 'labels-input', 'data-testid': 'labels-input', placeholder: 'Add label…',
    'aria-label': 'Add a label', maxlength: '50', list: 'labels-' + id.replace(/[^A-Za-z0-9_-]/g, '') });
  const labelOptions = h('datalist', { id: 'labels-' + id.replace(/[^A-Za-z0-9_-]/g, '') });
  const conflict = h('div', { class: 'notice warn', 'data-testid': 'conflict-notice', role: 'alert', hidden: true });
  const back = h('button', { type: 'button', class: 'icon-btn back', 'aria-label': 'Back to the list' }, icon(ICON_BACK));
  const log = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0',
    'aria-label': 'Messages' });
  const olderBtn = h('button', { type: 'button', class: 'btn ghost sm older', hidden: true }, 'Load earlier messages');
  const history = h('div', { class: 'history' });
  const seen = h('div', { class: 'seen', 'data-testid': 'seen', hidden: true }, 'Seen');
  const typing = h('div', { class: 'typing', 'data-testid': 'typing', 'aria-live': 'polite', hidden: true });
  const drop = h('div', { class: 'drop-overlay', 'aria-hidden': 'true' }, 'Drop files to send them');
  const composerSlot = h('div', { class: 'composer-slot' });


  // ---- helpers
  /**
   * @param {Message} m
   */
  function authorName(m) {
    if (m.author_type === 'visitor') return conv ? visitorName(conv.visitor) : 'Visitor';
    if (m.author_type === 'system') return 'Parley';
    if (m.author_id === ctx.me.id) return 'You';
    return data.memberName(m.author_id);
  }
  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  const toBottom = () => {
    log.scrollTop = log.scrollHeight;
  };

  /**
   * @param {unknown} e
   */
  const errText = (e) => (e instanceof ApiError ? e.detail : /** @type {any} */ (e) && /** @type {any} */ (e).message) || 'Something went wrong';

  // ---- header
  function paintHeader() {
    if (!conv) return;
    const name = visitorName(conv.visitor);
    title.textContent = name;
    avatar.className = 'avatar avatar-lg ' + avatarTone(conv.visitor.id);
    avatar.textContent = initials(name);
    const bits = [];
    if (conv.visitor.email && conv.visitor.email !== name) bits.push(conv.visitor.email);
    const siteId = conv.site_id;
    const site = data.sites.find((s) => s.id === siteId);
    if (site) bits.push(site.name);
    bits.push('Started ' + formatTime(conv.created_at));
    subtitle.textContent = bits.join(' · ');
    claimBtn.hidden = !!conv.assignee_id;
    replace(assignee, h('option', { value: '' }, 'Unassigned'),
      data.members.map((m) => h('option', { value: m.user_id }, m.user_id === ctx.me.id ? m.name + ' (you)' : m.name || m.email)));
    if (conv.assignee_id && !data.members.some((m) => m.user_id === conv?.assignee_id)) {
      assignee.append(h('option', { value: conv.assignee_id }, data.memberName(conv.assignee_id)));
    }
    assignee.value = conv.assignee_id || '';
    statusSel.value = conv.status;
    prioritySel.value = conv.priority || 'none';
    clear(chips);
    for (const l of conv.labels || []) {
      const x = h('button', { type: 'button', class: 'chip-x', 'aria-label': 'Remove label ' + l }, '×');
      x.addEventListener('click', () => patch({ labels: (conv ? conv.labels : []).filter((n) => n !== l) }));
      const chip = h('span', { class: 'chip', 'data-testid': 'label-chip', 'data-label': l }, h('span', {}, l), x);
      chip.style.setProperty('--chip', data.labelColor(l));
      chips.append(chip);
    }
    replace(labelOptions, data.labels.filter((l) => !(conv && conv.labels.includes(l.name))).map((l) => h('option', { value: l.name })));
    section.dataset.status = conv.status;
  }

  /**
   * @param {Record<string, unknown>} fields
   */
  async function patch(fields) {
    try {
      const c = await api('PATCH', base, fields);
      apply(c);
    } catch (e) {
      ctx.toast('Could not update the conversation: ' + errText(e), 'error');
      paintHeader();
    }
  }

  /**
   * A newer state of the conversation.
   * @param {Conversation} c
   */
  function apply(c) {
    if (!conv) return;
    if (typeof c.seq === 'number' && c.seq < conv.seq) return;
    const hadAssignee = conv.assignee_id;
    Object.assign(conv, c);
    if (!('assignee_id' in c) || c.assignee_id === null) {
      if (!c.assignee_id) delete conv.assignee_id;
    }
    if (conv.assignee_id !== hadAssignee && conv.assignee_id === ctx.me.id) conflict.hidden = true;
    paintHeader();
    hooks.changed(conv);
  }

  /** @param {string | null | undefined} holder */
  const conflictText = (holder) => 'Already claimed by ' + (holder ? data.memberName(holder) : 'another agent')
    + '. They are handling this conversation now.';

  claimBtn.addEventListener('click', async () => {
    claimBtn.disabled = true;
    try {
      const c = await api('POST', base + '/claim');
      conflict.hidden = true;
      apply(c);
      ctx.toast('You claimed this conversation.');
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        try {
          const c = await api('GET', base);
          apply(c);
        } catch (err) {
          // keep what we have
        }
        conflict.textContent = conflictText(conv && conv.assignee_id);
        conflict.hidden = false;
      } else {
        ctx.toast('Could not claim: ' + errText(e), 'error');
      }
    } finally {
      claimBtn.disabled = false;
    }
  });
  assignee.addEventListener('change', () => patch({ assignee_id: assignee.value || null }));
  statusSel.addEventListener('change', () => patch({ status: statusSel.value }));
  prioritySel.addEventListener('change', () => patch({ priority: prioritySel.value }));
  labelsInput.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ',') return;
    e.preventDefault();
    const name = labelsInput.value.trim().toLowerCase();
    if (!name || !conv) return;
    labelsInput.value = '';
    if (!conv.labels.includes(name)) patch({ labels: [...conv.labels, name].sort() });
  });
  labelsInput.addEventListener('change', () => {
    const name = labelsInput.value.trim().toLowerCase();
    if (name && conv && data.labels.some((l) => l.name === name) && !conv.labels.includes(name)) {
      labelsInput.value = '';
      patch({ labels: [...conv.labels, name].sort() });
    }
  });
  back.addEventListener('click', () => hooks.back());

  // ---- messages
  /**
   * @param {Attachment} a
   * @param {boolean} deleted
   */
  function attachmentView(a, deleted) {
    if (deleted) return null;
    const link = h('a', { class: 'attachment', 'data-testid': 'attachment-link', href: '#', target: '_blank', rel: 'noopener noreferrer',
      title: 'Open ' + a.filename },
    h('span', { class: 'att-name', 'data-testid': 'attachment-name' }, a.filename), a.byte_size ? h('span', { class: 'att-size' }, formatSize(a.byte_size)) : null);
    /** @type {HTMLImageElement | null} */
    const img = a.image ? h('img', { class: 'att-image', alt: a.filename, loading: 'lazy' }) : null;
    let expires = 0;
    async function sign() {
      if (Date.now() < expires - 10e3) return;
      const r = await api('GET', '/orgs/' + encodeURIComponent(ctx.org.id) + '/attachments/' + encodeURIComponent(a.id) + '/link');
      const url = new URL(r.url, location.href);
      if (url.origin !== location.origin) throw new Error('unexpected link');
      link.href = url.pathname + url.search;
      expires = Date.parse(r.expires_at) || Date.now() + 240e3;
      if (img && !img.src) img.src = link.href;
    }
    sign().catch(() => link.classList.add('broken'));
    link.addEventListener('click', async (e) => {
      if (Date.now() < expires - 10e3) return;
      e.preventDefault();
      try {
        await sign();
        window.open(link.href, '_blank', 'noopener');
      } catch (err) {
        ctx.toast('The file is not available: ' + errText(err), 'error');
      }
    });
    return h('div', { class: 'att' }, img ? h('a', { href: '#', class: 'att-thumb', tabindex: '-1', 'aria-hidden': 'true', onclick: (/** @type {Event} */ e) => {
      e.preventDefault();
      link.click();
    } }, img) : null, link);
  }

  /**
   * @param {Message} m
   */
  function messageView(m) {
    const own = m.author_type === 'member' && m.author_id === ctx.me.id;
    const side = m.author_type === 'visitor' ? 'in' : m.author_type === 'system' ? 'sys' : 'out';
    const body = h('div', { class: 'body', 'data-testid': 'message-body' }, m.deleted ? 'This message was deleted.' : m.body);
    if (m.deleted) body.classList.add('deleted');
    const actions = own && !m.deleted && !m.attachment ? h('div', { class: 'msg-actions' },
      h('button', { type: 'button', class: 'btn ghost xs', 'data-testid': 'message-edit', onclick: () => edit(m) }, 'Edit'),
      deleteButton(m)) : own && !m.deleted ? h('div', { class: 'msg-actions' }, deleteButton(m)) : null;
    const el = h('article', { class: 'msg ' + side + (m.private ? ' private' : '') + (own ? ' own' : ''), 'data-testid': 'message',
      'data-id': m.id, 'data-seq': m.seq, 'data-author-type': m.author_type, 'data-private': String(!!m.private) },
    h('div', { class: 'bubble' },
      h('div', { class: 'meta' },
        h('span', { class: 'author', 'data-testid': 'message-author' }, authorName(m)),
        m.private ? h('span', { class: 'tag' }, 'Private note') : null,
        h('time', { datetime: m.created_at, title: formatFull(m.created_at) }, formatTime(m.created_at)),
        m.edited && !m.deleted ? h('span', { class: 'edited', title: formatFull(m.edited_at) }, '(edited)') : null),
      m.attachment && !m.deleted ? attachmentView(m.attachment, !!m.deleted) : body,
      actions));
    return el;
  }

  /**
   * @param {Message} m
   */
  function deleteButton(m) {
    const b = h('button', { type: 'button', class: 'btn ghost xs danger', 'data-testid': 'message-delete' }, 'Delete');
    let armed = 0;
    b.addEventListener('click', async () => {
      if (!armed) {
        armed = setTimeout(() => {
          armed = 0;
          b.textContent = 'Delete';
        }, 4000);
        b.textContent = 'Confirm delete';
        return;
      }
      clearTimeout(armed);
      try {
        const r = await api('DELETE', base + '/messages/' + encodeURIComponent(m.id));
        upsert(r && r.id ? r : { ...m, deleted: true, body: '' });
      } catch (e) {
        ctx.toast('Could not delete: ' + errText(e), 'error');
      }
    });
    return b;
  }

  /**
   * Inline editing of one's own message.
   * @param {Message} m
   */
  function edit(m) {
    const el = els.get(m.id);
    const body = el && el.querySelector('[data-testid="message-body"]');
    if (!el || !body) return;
    const input = h('textarea', { class: 'edit-input', 'data-testid': 'message-edit-input', 'aria-label': 'Edit message', rows: '2', value: m.body });
    const save = h('button', { type: 'button', class: 'btn primary xs', 'data-testid': 'message-edit-save' }, 'Save');
    const cancel = h('button', { type: 'button', class: 'btn ghost xs' }, 'Cancel');
    const box = h('div', { class: 'edit-box' }, input, h('div', { class: 'edit-actions' }, cancel, save));
    body.replaceWith(box);
    input.focus();
    const restore = () => box.replaceWith(body);
    async function commit() {
      const text = input.value.replace(/\s+$/, '');
      if (!text.trim() || text === m.body) return restore();
      save.disabled = true;
      try {
        upsert(await api('PATCH', base + '/messages/' + encodeURIComponent(m.id), { body: text }));
      } catch (e) {
        save.disabled = false;
        ctx.toast('Could not edit: ' + errText(e), 'error');
      }
    }
    save.addEventListener('click', commit);
    cancel.addEventListener('click', restore);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        commit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        restore();
      }
    });
  }

  /**
   * Where a message goes: ordered by seq.
   * @param {HTMLElement} el
   * @param {number} seq
   */
  function insertOrdered(el, seq) {
    let next = null;
    for (const child of Array.from(history.children)) {
      const s = Number(/** @type {HTMLElement} */ (child).dataset.seq);
      if (s > seq) {
        next = child;
        break;
      }
    }
    history.insertBefore(el, next);
  }

  /**
   * Adds or replaces a message.
   * @param {Message} m
   */
  function upsert(m) {
    if (!m || !m.id) return;
    const stick = nearBottom();
    const known = messages.get(m.id);
    if (known && known.seq > m.seq && !m.deleted) return;
    messages.set(m.id, m);
    const el = messageView(m);
    const old = els.get(m.id) || (m.client_id ? pending.get(m.client_id) : undefined);
    if (m.client_id) pending.delete(m.client_id);
    els.set(m.id, el);
    if (old && old.parentNode === history) {
      old.replaceWith(el);
    } else {
      insertOrdered(el, m.seq);
    }
    if (m.seq > newest) newest = m.seq;
    if (!oldest || m.seq < oldest) oldest = m.seq;
    paintSeen();
    if (stick || (m.author_type === 'member' && m.author_id === ctx.me.id && !known)) toBottom();
    markRead();
  }

  /**
   * Shows a message being sent.
   * @param {string} clientId
   * @param {string} body
   * @param {boolean} isPrivate
   */
  function showPending(clientId, body, isPrivate) {
    const el = h('article', { class: 'msg out own pending' + (isPrivate ? ' private' : ''), 'data-testid': 'message', 'data-pending': 'true',
      'data-author-type': 'member', 'data-private': String(isPrivate), 'data-seq': String(Number.MAX_SAFE_INTEGER) },
    h('div', { class: 'bubble' },
      h('div', { class: 'meta' }, h('span', { class: 'author', 'data-testid': 'message-author' }, 'You'),
        isPrivate ? h('span', { class: 'tag' }, 'Private note') : null, h('span', { class: 'sending' }, 'Sending…')),
      h('div', { class: 'body', 'data-testid': 'message-body' }, body)));
    pending.set(clientId, el);
    history.append(el);
    toBottom();
    return el;
  }

  /**
   * @param {string} body
   * @param {boolean} isPrivate
   * @param {string} clientId
   */
  async function send(body, isPrivate, clientId) {
    const el = showPending(clientId, body, isPrivate);
    for (let attempt = 0; ; attempt++) {
      try {
        const m = await api('POST', base + '/messages', { body, private: isPrivate, client_id: clientId });
        upsert(m);
        return;
      } catch (e) {
        // Network trouble: retry with the same client_id (the server answers the original message).
        if (e instanceof ApiError && e.status === 0 && attempt < 3 && !destroyed) {
          await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
          continue;
        }
        el.classList.add('failed');
        const retry = h('button', { type: 'button', class: 'btn ghost xs' }, 'Retry');
        retry.addEventListener('click', () => {
          el.remove();
          pending.delete(clientId);
          send(body, isPrivate, clientId);
        });
        const meta = el.querySelector('.sending');
        if (meta) replace(meta, 'Not sent: ' + errText(e) + ' ', retry);
        return;
      }
    }
  }

  /**
   * @param {File[]} files
   * @param {boolean} isPrivate
   */
  async function sendFiles(files, isPrivate) {
    for (const f of files) {
      const clientId = newId('u');
      const el = showPending(clientId, 'Uploading ' + (f.name || 'pasted file') + ' (' + formatSize(f.size) + ')', isPrivate);
      try {
        let path = base + '/uploads?client_id=' + encodeURIComponent(clientId);
        if (isPrivate) path += '&private=true';
        upsert(await upload(path, f));
      } catch (e) {
        el.remove();
        pending.delete(clientId);
        ctx.toast('Could not send ' + (f.name || 'the file') + ': ' + errText(e), 'error');
      }
    }
  }

  // ---- history
  async function loadOlder() {
    if (loadingOlder || !hasOlder) return;
    loadingOlder = true;
    olderBtn.disabled = true;
    try {
      const page = await api('GET', base + '/messages?limit=' + PAGE + '&before=' + oldest);
      if (destroyed) return;
      const before = log.scrollHeight - log.scrollTop;
      /** @type {Message[]} */
      const items = page.items || [];
      const frag = document.createDocumentFragment();
      for (const m of items) {
        if (messages.has(m.id)) continue;
        messages.set(m.id, m);
        const el = messageView(m);
        els.set(m.id, el);
        frag.append(el);
        if (!oldest || m.seq < oldest) oldest = m.seq;
      }
      history.insertBefore(frag, history.firstChild);
      hasOlder = !!page.next_cursor;
      olderBtn.hidden = !hasOlder;
      log.scrollTop = log.scrollHeight - before;
    } catch (e) {
      ctx.toast('Could not load earlier messages: ' + errText(e), 'error');
    } finally {
      loadingOlder = false;
      olderBtn.disabled = false;
    }
  }
  olderBtn.addEventListener('click', loadOlder);
  log.addEventListener('scroll', () => {
    if (log.scrollTop < 80) loadOlder();
  });

  // ---- read receipts
  function markRead() {
    if (destroyed || !conv || !newest || newest <= readSent || !attentive()) return;
    const seq = newest;
    readSent = seq;
    realtime.send('read', { conversation_id: id, seq }).catch(() =>
      api('POST', base + '/read', { seq }).catch(() => {
        readSent = 0;
      }));
    hooks.read(id);
  }
  const onFocus = () => markRead();
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onFocus);

  function paintSeen() {
    let last = null;
    for (const m of messages.values()) {
      if (m.author_type === 'member' && m.author_id === ctx.me.id && !m.private && !m.deleted && (!last || m.seq > last.seq)) last = m;
    }
    const show = !!last && visitorRead >= last.seq;
    seen.hidden = !show;
    if (show && last) {
      const el = els.get(last.id);
      if (el && el.nextSibling !== seen) el.after(seen);
    }
  }

  // ---- typing
  function paintTyping() {
    const names = [...typists.keys()].map((k) => k.startsWith('vis:') ? (conv ? visitorName(conv.visitor) : 'The visitor') : data.memberName(k.slice(4)));
    typing.hidden = !names.length;
    typing.textContent = names.length ? names.join(', ') + (names.length > 1 ? ' are typing…' : ' is typing…') : '';
  }
  /**
   * @param {Frame} f
   */
  function onTyping(f) {
    if (f.conversation_id !== id) return;
    const k = f.visitor_id ? 'vis:' + f.visitor_id : f.user_id && f.user_id !== ctx.me.id ? 'usr:' + f.user_id : '';
    if (!k) return;
    clearTimeout(typists.get(k));
    if (f.state === 'start') typists.set(k, setTimeout(() => {
      typists.delete(k);
      paintTyping();
    }, 8000));
    else typists.delete(k);
    paintTyping();
  }

  // ---- live events
  /**
   * @param {Frame} f
   */
  function onEvent(f) {
    if (f.conversation_id !== id || !conv) return;
    const d = f.data || {};
    switch (f.event) {
      case 'message.created':
      case 'message.updated':
      case 'message.deleted':
        if (d.author_type === 'visitor') {
          for (const [k, t] of typists) {
            if (k.startsWith('vis:')) {
              clearTimeout(t);
              typists.delete(k);
            }
          }
          paintTyping();
        }
        upsert(d);
        break;
      case 'conversation.updated':
        apply({ ...d, id, seq: typeof f.seq === 'number' ? f.seq : d.seq });
        break;
      case 'conversation.read':
        if (typeof d.reader_id === 'string' && d.reader_id.startsWith('vis_') && d.seq > visitorRead) {
          visitorRead = d.seq;
          paintSeen();
        }
        break;
    }
  }
  const offs = [realtime.on('event', onEvent), realtime.on('typing', onTyping), data.onChange(() => {
    paintHeader();
    if (!conflict.hidden && conv && conv.assignee_id) conflict.textContent = conflictText(conv.assignee_id);
    for (const [mid, el] of els) {
      const m = messages.get(mid);
      const a = el.querySelector('[data-testid="message-author"]');
      if (m && a) a.textContent = authorName(m);
    }
  })];

  // ---- drag and drop
  let dragDepth = 0;
  /**
   * @param {DragEvent} e
   */
  const hasFiles = (e) => !!e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  section.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth++;
    section.classList.add('dragging');
  });
  section.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  section.addEventListener('dragleave', () => {
    if (--dragDepth <= 0) {
      dragDepth = 0;
      section.classList.remove('dragging');
    }
  });
  section.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth = 0;
    section.classList.remove('dragging');
    const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
    if (files.length) sendFiles(files, !!composer && composer.isPrivate());
  });

  // ---- load
  function notFound() {
    replace(section, h('div', { class: 'empty-state', 'data-testid': 'not-found', role: 'alert' },
      h('h2', {}, 'Conversation not found'),
      h('p', {}, 'It does not exist in this organization, or you do not have access to it.'),
      h('button', { type: 'button', class: 'btn', onclick: () => hooks.back() }, 'Back to the inbox')));
    section.removeAttribute('aria-busy');
    section.dataset.state = 'not-found';
  }

  (async () => {
    if (!/^cnv_[0-9a-z]{26}$/.test(id)) return notFound();
    let c, page;
    try {
      [c, page] = await Promise.all([api('GET', base), api('GET', base + '/messages?limit=' + PAGE)]);
    } catch (e) {
      if (destroyed) return;
      if (e instanceof ApiError && (e.status === 404 || e.status === 422)) return notFound();
      replace(section, h('div', { class: 'empty-state', role: 'alert' }, h('h2', {}, 'Could not load the conversation'), h('p', {}, errText(e))));
      return;
    }
    if (destroyed) return;
    conv = c;
    const loadedConv = /** @type {Conversation} */ (c);
    visitorRead = Math.max(visitorRead, loadedConv.visitor_read_seq || 0);
    const head = h('header', { class: 'conv-head' },
      h('div', { class: 'conv-id' }, back, avatar, h('div', { class: 'conv-names' }, title, subtitle)),
      h('div', { class: 'conv-controls' }, claimBtn, assignee, statusSel, prioritySel),
      h('div', { class: 'conv-labels' }, chips, labelsInput, labelOptions),
      conflict);
    composer = createComposer({
      ctx, data, conversationId: id,
      send,
      files: sendFiles,
      typing: (state) => {
        realtime.send('typing', { conversation_id: id, state }).catch(() => {});
      },
    });
    composerSlot.append(composer.el);
    replace(section, head, h('div', { class: 'log-wrap' }, log, drop), typing, composerSlot);
    replace(log, olderBtn, history, seen);
    paintHeader();
    /** @type {Message[]} */
    const items = page.items || [];
    const frag = document.createDocumentFragment();
    for (const m of items) {
      messages.set(m.id, m);
      const el = messageView(m);
      els.set(m.id, el);
      frag.append(el);
      if (m.seq > newest) newest = m.seq;
      if (!oldest || m.seq < oldest) oldest = m.seq;
    }
    history.append(frag);
    hasOlder = !!page.next_cursor;
    olderBtn.hidden = !hasOlder;
    section.removeAttribute('aria-busy');
    section.dataset.state = 'ready';
    toBottom();
    realtime.subscribe(id, Math.max(loadedConv.seq || 0, newest));
    hooks.loaded(loadedConv);
    markRead();
  })();

  return {
    get conversation() {
      return conv;
    },
    focusComposer() {
      if (!composer) return false;
      composer.focus();
      return true;
    },
    claim() {
      if (conv && !conv.assignee_id) claimBtn.click();
    },
    resolve() {
      if (conv && conv.status !== 'resolved') patch({ status: 'resolved' });
    },
    /** The reference data changed (members, labels). */
    repaint: paintHeader,
    destroy() {
      destroyed = true;
      offs.forEach((off) => off());
      for (const t of typists.values()) clearTimeout(t);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
      if (composer) composer.destroy();
      realtime.unsubscribe(id);
      section.remove();
    },
  };
}
