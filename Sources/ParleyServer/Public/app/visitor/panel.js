// The visitor panel: the right column of the conversation screen. Who the visitor is (and whether
// their site vouched for it), where they are now (live from presence frames), what their browser
// said, their custom attributes, their other conversations, the team's notes and the CSAT rating.
// Every value comes from visitors or members and goes into the DOM as text.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { ensureStyles, confirmButton, problemText, showLoadError, shortDate, uid } from '../settings/kit.js';
import { summarizeUserAgent } from './useragent.js';

/**
 * @typedef {import('../settings/types').Ctx} Ctx
 * @typedef {import('../settings/types').Conversation} Conversation
 * @typedef {import('../settings/types').VisitorProfile} VisitorProfile
 * @typedef {import('../settings/types').VisitorNote} VisitorNote
 * @typedef {import('../settings/types').Rating} Rating
 * @typedef {import('../settings/types').Frame} Frame
 */

const STATUS_TEXT = /** @type {Record<string, string>} */ ({
  open: 'Open', pending: 'Pending', snoozed: 'Snoozed', resolved: 'Resolved', closed: 'Closed',
});
const NOTE_MAX = 2000;

/** @param {string | null | undefined} url */
const isWebUrl = (url) => !!url && /^https?:\/\//i.test(url);

/**
 * Stars for a 1–5 score: visible ★★★★☆ (hidden from screen readers) and "4 out of 5" for them.
 * @param {number} score
 */
function stars(score) {
  const n = Math.max(0, Math.min(5, Math.round(score)));
  return h('span', { class: 'vp-stars', 'data-score': String(n) },
    h('span', { 'aria-hidden': 'true' }, '★'.repeat(n) + '☆'.repeat(5 - n)),
    h('span', { class: 'st-sr' }, `${n} out of 5`));
}

/** @param {string} tz */
function localTime(tz) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(new Date());
  } catch {
    return '';
  }
}

/**
 * "German (Germany)" for de-DE, '' when unknown.
 * @param {string} tag
 */
function languageName(tag) {
  try {
    const names = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' });
    const name = names.of(tag);
    return name && name !== tag ? name : '';
  } catch {
    return '';
  }
}

/**
 * Renders the visitor panel for a conversation into `container`.
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 * @param {Conversation} conversation
 * @returns {{update(frame: Frame): void, destroy(): void}}
 */
export function renderVisitorPanel(container, ctx, conversation) {
  ensureStyles('/app/settings/settings.css');
  ensureStyles('/app/visitor/panel.css');
  let alive = true;
  const org = encodeURIComponent(ctx.org.id);
  const visitorId = conversation.visitor.id;
  const base = `/orgs/${org}/visitors/${encodeURIComponent(visitorId)}`;

  /** @type {VisitorProfile | null} */
  let profile = null;
  /**
   * Presence learnt from frames, newer than the profile's when set.
   * @type {{online: boolean, page: string | null} | null}
   */
  let live = null;
  /** @type {Rating | null} */
  let rating = conversation.rating || null;
  /** @type {Conversation[]} */
  let conversations = [];
  /** @type {VisitorNote[]} */
  let notes = [];

  const ids = { attr: uid('vp'), now: uid('vp'), csat: uid('vp'), loc: uid('vp'), conv: uid('vp'), notes: uid('vp') };
  const panel = h('aside', { class: 'vp', 'data-testid': 'visitor-panel', 'data-visitor-id': visitorId, 'aria-label': 'Visitor details' });
  const identity = h('header', { class: 'vp-identity' });
  const presence = h('div', { class: 'vp-presence' });
  const location = h('dl', { class: 'vp-facts', 'data-testid': 'visitor-location' });
  const attributes = h('tbody', {});
  const attributesSection = h('section', { class: 'vp-section', 'aria-labelledby': ids.attr, hidden: true },
    h('h3', { id: ids.attr }, 'Attributes'),
    h('table', { class: 'vp-table', 'data-testid': 'visitor-attributes' },
      h('caption', { class: 'st-sr' }, 'Attributes the site set on this visitor'), attributes));
  const csat = h('div', { 'data-testid': 'visitor-csat', class: 'vp-csat', 'aria-live': 'polite' });
  const conversationList = h('ul', { class: 'vp-list', 'data-testid': 'visitor-conversations', 'aria-label': 'Conversations with this visitor' });
  const noteList = h('ul', { class: 'vp-list vp-notes', 'data-testid': 'visitor-notes', 'aria-label': 'Notes about this visitor' });
  const status = h('p', { class: 'st-hint vp-status', role: 'status' }, 'Loading visitor…');

  const noteInput = h('textarea', {
    id: `vp-note-${visitorId}`, 'data-testid': 'visitor-note-input', rows: '2', maxlength: String(NOTE_MAX),
    placeholder: 'Only your team sees notes', class: 'vp-note-input',
  });
  const noteAdd = h('button', { type: 'submit', class: 'st-btn st-primary st-small', 'data-testid': 'visitor-note-add' }, 'Add note');
  const noteError = h('p', { class: 'st-error', role: 'alert', hidden: true });
  const noteForm = h('form', { class: 'vp-note-form', novalidate: true },
    h('label', { for: noteInput.id, class: 'st-sr' }, 'New note about this visitor'), noteInput, noteAdd, noteError);
  noteInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      noteForm.requestSubmit();
    }
  });
  noteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = noteInput.value.trim();
    noteError.hidden = true;
    if (!body) {
      noteInput.focus();
      return;
    }
    noteAdd.disabled = true;
    try {
      /** @type {VisitorNote} */
      const note = await api('POST', `${base}/notes`, { body });
      if (!alive) return;
      notes = [note, ...notes.filter((n) => n.id !== note.id)];
      noteInput.value = '';
      drawNotes();
      noteInput.focus();
    } catch (error) {
      noteError.textContent = `Could not add the note: ${problemText(error)}`;
      noteError.hidden = false;
    } finally {
      noteAdd.disabled = false;
    }
  });

  panel.append(
    identity,
    status,
    h('section', { class: 'vp-section', 'aria-labelledby': ids.now }, h('h3', { id: ids.now }, 'Now'), presence),
    h('section', { class: 'vp-section', 'aria-labelledby': ids.csat }, h('h3', { id: ids.csat }, 'Satisfaction'), csat),
    attributesSection,
    h('section', { class: 'vp-section', 'aria-labelledby': ids.loc }, h('h3', { id: ids.loc }, 'Browser & location'), location),
    h('section', { class: 'vp-section', 'aria-labelledby': ids.conv }, h('h3', { id: ids.conv }, 'Conversations'), conversationList),
    h('section', { class: 'vp-section', 'aria-labelledby': ids.notes }, h('h3', { id: ids.notes }, 'Notes'), noteForm, noteList));
  clear(container);
  container.append(panel);

  drawIdentity();
  drawPresence();
  drawCsat();
  drawLocation();

  // The visitor's local time moves on.
  const clock = setInterval(() => { if (profile && profile.visitor.timezone) drawLocation(); }, 30_000);

  api('GET', base).then((/** @type {VisitorProfile} */ body) => {
    if (!alive) return;
    profile = body;
    conversations = body.conversations || [];
    notes = body.notes || [];
    const here = conversations.find((c) => c.id === conversation.id);
    if (here && here.rating && !rating) rating = here.rating;
    status.hidden = true;
    panel.dataset.loaded = 'true';
    drawIdentity();
    drawPresence();
    drawCsat();
    drawLocation();
    drawAttributes();
    drawConversations();
    drawNotes();
  }, (error) => {
    if (alive) showLoadError(status, 'the visitor', error);
  });

  function drawIdentity() {
    clear(identity);
    const v = profile ? profile.visitor : null;
    const name = (v && v.name) || conversation.visitor.name || '';
    const email = (v && v.email) || conversation.visitor.email || '';
    const verified = !!(v && v.verified);
    const shown = name || email || `Visitor ${visitorId.slice(-6)}`;
    // First letters of the first two words ("Ada Lovelace" → AL), else the first two letters.
    const words = shown.split(/[\s@._-]+/).map((w) => (w.match(/\p{L}|\p{N}/u) || [''])[0]).filter(Boolean);
    const initials = (words.length >= 2 ? words.slice(0, 2) : (shown.match(/\p{L}|\p{N}/gu) || ['?']).slice(0, 2)).join('').toUpperCase();
    identity.append(
      h('div', { class: 'vp-avatar', 'aria-hidden': 'true' }, initials),
      h('div', { class: 'vp-who' },
        h('h2', { class: 'vp-name', 'data-testid': 'visitor-name', 'data-anonymous': name ? 'false' : 'true' }, name || shown),
        email ? h('a', { class: 'vp-email', 'data-testid': 'visitor-email', href: 'mailto:' + email }, email)
          : h('span', { class: 'vp-email vp-muted', 'data-testid': 'visitor-email', 'data-empty': 'true' }, 'No email'),
        h('p', { class: 'vp-badges' },
          h('span', {
            class: verified ? 'vp-badge vp-verified' : 'vp-badge vp-unverified', 'data-testid': 'visitor-verified',
            'data-verified': String(verified),
            title: verified ? 'The site signed this identity (identify with a matching hash)' : 'Anyone could have typed this name and email',
          }, verified ? '✓ Verified' : 'Not verified'),
          v && v.external_id ? h('span', { class: 'vp-badge vp-external', 'data-testid': 'visitor-external-id', title: 'The site’s own id for this visitor' },
            'ID ' + v.external_id) : null)));
  }

  function drawPresence() {
    clear(presence);
    const online = live ? live.online : !!(profile && profile.online);
    const page = live ? (live.page ?? (profile && profile.page) ?? null) : (profile ? profile.page ?? null : null);
    presence.dataset.online = String(online);
    const pageNode = page
      ? (isWebUrl(page)
        ? h('a', { href: page, target: '_blank', rel: 'noopener noreferrer', title: page, class: 'vp-page-link' }, page)
        : h('span', { title: page }, page))
      : h('span', { class: 'vp-muted' }, profile || live ? 'Unknown page' : '…');
    presence.append(
      h('p', { class: 'vp-online', 'data-testid': 'visitor-online', 'data-online': String(online) },
        h('span', { class: online ? 'vp-dot vp-dot-on' : 'vp-dot', 'aria-hidden': 'true' }),
        online ? 'Online' : 'Offline',
        !online && profile && profile.visitor.last_seen_at ? h('span', { class: 'vp-muted' }, ` · last seen ${shortDate(profile.visitor.last_seen_at)}`) : null),
      h('p', { class: 'vp-page', 'data-testid': 'visitor-page', 'data-online': String(online), hidden: !online && !page },
        h('span', { class: 'vp-label' }, online ? 'On ' : 'Last page '), pageNode));
  }

  function drawCsat() {
    clear(csat);
    if (!rating) {
      csat.dataset.score = '';
      csat.append(h('p', { class: 'vp-muted' }, conversation.status === 'resolved' || conversation.status === 'closed'
        ? 'Not rated yet.' : 'Asked once the conversation is resolved.'));
      return;
    }
    csat.dataset.score = String(rating.score);
    csat.append(
      h('p', { class: 'vp-rating' }, stars(rating.score), h('span', { class: 'vp-muted' }, ' ' + shortDate(rating.created_at))),
      rating.comment ? h('blockquote', { class: 'vp-comment', 'data-testid': 'visitor-csat-comment' }, rating.comment) : '');
  }

  function drawLocation() {
    clear(location);
    const v = profile ? profile.visitor : null;
    /** @type {Array<[string, string, string]>} */
    const rows = [];
    if (v && v.timezone) {
      const time = localTime(v.timezone);
      rows.push(['Timezone', time ? `${v.timezone} (local time ${time})` : v.timezone, 'timezone']);
    }
    if (v && v.locale) {
      const name = languageName(v.locale);
      rows.push(['Language', name ? `${name} · ${v.locale}` : v.locale, 'locale']);
    }
    if (v && v.user_agent) rows.push(['Browser', summarizeUserAgent(v.user_agent).text, 'browser']);
    if (v && v.created_at) rows.push(['First seen', shortDate(v.created_at), 'first-seen']);
    if (!rows.length) {
      location.append(h('dt', { class: 'st-sr' }, 'Location'), h('dd', { class: 'vp-muted' }, profile ? 'Nothing known.' : '…'));
      return;
    }
    for (const [label, value, key] of rows) {
      const dd = h('dd', { 'data-key': key }, value);
      if (key === 'browser' && v && v.user_agent) dd.title = v.user_agent;
      location.append(h('dt', {}, label), dd);
    }
  }

  function drawAttributes() {
    clear(attributes);
    const entries = Object.entries((profile && profile.visitor.attributes) || {}).sort(([a], [b]) => a.localeCompare(b));
    attributesSection.hidden = entries.length === 0;
    for (const [key, value] of entries) {
      attributes.append(h('tr', { 'data-testid': 'visitor-attribute', 'data-key': key },
        h('th', { scope: 'row' }, key), h('td', {}, String(value))));
    }
  }

  function drawConversations() {
    clear(conversationList);
    if (!conversations.length) {
      conversationList.append(h('li', { class: 'vp-muted' }, 'No conversations.'));
      return;
    }
    for (const c of conversations) {
      const current = c.id === conversation.id;
      const last = c.last_message;
      const preview = !last ? 'No messages' : last.deleted ? 'Message deleted' : (last.body || '').replace(/\s+/g, ' ').slice(0, 140);
      const button = h('button', { type: 'button', class: 'vp-conv', 'data-testid': 'visitor-conversation-open' },
        h('span', { class: `vp-status vp-status-${c.status}`, 'data-testid': 'visitor-conversation-status' }, STATUS_TEXT[c.status] || c.status),
        h('span', { class: 'vp-conv-preview', 'data-testid': 'visitor-conversation-preview' }, preview),
        h('time', { class: 'vp-conv-time', datetime: c.last_activity_at || c.created_at || '' }, shortDate(c.last_activity_at || c.created_at)),
        c.rating || current ? h('span', { class: 'vp-conv-extra' },
          c.rating ? stars(c.rating.score) : null,
          current ? h('span', { class: 'vp-badge' }, 'This conversation') : null) : null);
      if (current) button.setAttribute('aria-current', 'true');
      button.addEventListener('click', () => {
        if (!current) ctx.navigate(`/app/o/${org}/c/${encodeURIComponent(c.id)}`);
      });
      conversationList.append(h('li', { 'data-testid': 'visitor-conversation', 'data-id': c.id, 'data-status': c.status }, button));
    }
  }

  function drawNotes() {
    clear(noteList);
    if (!notes.length) {
      noteList.append(h('li', { class: 'vp-muted', 'data-testid': 'visitor-notes-empty' }, 'No notes yet.'));
      return;
    }
    for (const note of notes) {
      const mine = note.author_id === ctx.me.id;
      const remove = mine || ctx.isAdmin ? confirmButton({
        label: 'Delete', confirmLabel: 'Delete note', testid: 'visitor-note-delete', prompt: 'Delete this note?',
        async action() {
          try {
            await api('DELETE', `${base}/notes/${encodeURIComponent(note.id)}`);
            if (!alive) return;
            notes = notes.filter((n) => n.id !== note.id);
            drawNotes();
            noteInput.focus();
          } catch (error) {
            ctx.toast(`Could not delete the note: ${problemText(error)}`, 'error');
          }
        },
      }) : null;
      noteList.append(h('li', { class: 'vp-note', 'data-testid': 'visitor-note', 'data-id': note.id },
        h('p', { class: 'vp-note-body', 'data-testid': 'visitor-note-body' }, note.body),
        h('p', { class: 'vp-note-meta' },
          h('span', {}, (mine ? 'You' : note.author_name || 'A former member') + ' · ' + shortDate(note.created_at)),
          remove)));
    }
  }

  /** @param {Frame} frame */
  function update(frame) {
    if (!alive || !frame) return;
    if (frame.type === 'presence' && frame.visitor_id === visitorId) {
      const online = frame.status === 'online';
      live = { online, page: frame.page ?? (live ? live.page : null) };
      drawPresence();
      return;
    }
    if (frame.type === 'ack' && frame.visitors && typeof frame.visitors === 'object') {
      // The subscribe_inbox ack lists every connected visitor with their page.
      const here = Object.prototype.hasOwnProperty.call(frame.visitors, visitorId);
      live = { online: here, page: here ? frame.visitors[visitorId] : (live ? live.page : null) };
      drawPresence();
      return;
    }
    if (frame.type !== 'event' || !frame.data) return;
    const data = frame.data;
    const conversationId = frame.conversation_id || data.conversation_id || data.id;
    switch (frame.event) {
      case 'conversation.rated': {
        /** @type {Rating} */
        const r = { score: data.score, comment: data.comment ?? null, created_at: data.created_at };
        if (conversationId === conversation.id) {
          rating = r;
          drawCsat();
        }
        if (conversations.some((c) => c.id === conversationId)) {
          conversations = conversations.map((c) => (c.id === conversationId ? { ...c, rating: r } : c));
          drawConversations();
        }
        break;
      }
      case 'conversation.created':
      case 'conversation.updated': {
        // `conversation.updated` may carry only the changed state (no visitor): match it by id.
        const known = conversations.some((c) => c.id === data.id);
        const mine = data.visitor ? data.visitor.id === visitorId : known || data.id === conversation.id;
        if (!mine) break;
        if (data.id === conversation.id) {
          conversation = { ...conversation, ...data, visitor: { ...conversation.visitor, ...(data.visitor || {}) } };
          if (data.rating) rating = data.rating;
          if (data.visitor && (data.visitor.name !== undefined || data.visitor.email !== undefined)) {
            conversation.visitor = { ...conversation.visitor, ...data.visitor };
            if (profile) {
              if (data.visitor.name) profile.visitor.name = data.visitor.name;
              if (data.visitor.email) profile.visitor.email = data.visitor.email;
            }
            drawIdentity();
          }
          drawCsat();
        }
        conversations = known
          ? conversations.map((c) => (c.id === data.id ? { ...c, ...data, visitor: c.visitor } : c))
          : data.visitor ? [data, ...conversations] : conversations;
        if (profile) drawConversations();
        break;
      }
      case 'message.created': {
        if (data.private || !conversations.some((c) => c.id === conversationId)) break;
        conversations = conversations.map((c) => (c.id === conversationId
          ? { ...c, last_message: data, last_activity_at: data.created_at || c.last_activity_at } : c));
        drawConversations();
        break;
      }
      default:
        break;
    }
  }

  return {
    update,
    destroy() {
      alive = false;
      clearInterval(clock);
    },
  };
}
