// The widget's DOM in the host's shadow root. Only createElement and textContent: nothing from the server is
// ever parsed as HTML, and no inline styles (a strict CSP forbids them; CSSOM properties are allowed).
import { fill } from './i18n.js';
import { seenKey, footMode } from './state.js';

/**
 * @typedef {import('./types').State} State
 * @typedef {import('./types').Attachment} Attachment
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | undefined>} [attrs] `testid`: data-testid; true: empty attribute
 * @param {Array<Node | string>} [kids] strings become text nodes
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, attrs = {}, kids = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== false && v !== undefined) el.setAttribute(k === 'testid' ? 'data-testid' : k, v === true ? '' : v);
  }
  el.append(...kids);
  return el;
}

/** @param {string} d a 24×24 SVG path */
function icon(d) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const path = document.createElementNS(ns, 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}
const CROSS = 'M6 6l12 12M18 6 6 18';

/** @param {number} n */
const size = (n) => (n < 1e3 ? n + ' B' : n < 1e6 ? Math.round(n / 1e3) + ' KB' : (n / 1e6).toFixed(1) + ' MB');

/**
 * @param {ShadowRoot} shadow
 * @param {{t: import('./i18n.js').Strings, locale: string, settings: import('./types').Settings,
 *   actions: import('./types').Actions}} options
 */
export function createUI(shadow, { t, locale, settings, actions }) {
  const name = settings.name || 'Chat';
  const badge = h('span', { testid: 'unread-badge', class: 'badge', hidden: true });
  const launcher = h('button', { testid: 'launcher', class: 'launcher', 'aria-expanded': 'false' },
    [icon('M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-8l-5 4v-4H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'), icon(CROSS), badge]);
  const agents = h('span', { testid: 'agents-status', class: 'agents' });
  const reply = settings.reply_time ? t[settings.reply_time] : '';
  const close = h('button', { testid: 'close', class: 'icon', 'aria-label': t.close }, [icon(CROSS)]);
  const header = h('header', {}, [
    h('div', {}, [h('h2', { testid: 'header-title', id: 'title' }, [name]),
      h('p', {}, [agents, h('span', { testid: 'reply-time', hidden: !reply }, [reply || ''])])]),
    close,
  ]);
  const conn = h('div', { testid: 'connection-status', class: 'conn', role: 'status', hidden: true }, [t.reconnecting]);
  const greeting = h('p', { testid: 'greeting', class: 'greeting', hidden: !settings.greeting },
    [settings.greeting || '']);
  const list = h('div', { testid: 'messages', class: 'messages', role: 'log', 'aria-live': 'polite', tabindex: '0' },
    [greeting]);
  const typing = h('div', { testid: 'typing', class: 'typing', hidden: true }, [t.typing]);
  const error = h('div', { testid: 'error', class: 'error', role: 'alert', hidden: true });

  /**
   * Labelled fields; `done` gets the non-empty values, trimmed.
   * @param {string} id testid prefix
   * @param {string} intro
   * @param {import('./types').Field[]} fields
   * @param {string} label
   * @param {(values: Record<string, string>) => Promise<void>} done
   */
  function form(id, intro, fields, label, done) {
    const button = h('button', { type: 'submit', testid: id + '-submit', class: 'primary' }, [label]);
    const el = h('form', { testid: id + '-form', class: 'form', hidden: true }, [h('p', {}, [intro])]);
    const inputs = fields.map((f) => {
      const attrs = { name: f.name, testid: id + '-field-' + f.name, required: !!f.required,
        autocomplete: /^(name|email)$/.test(f.name) ? f.name : undefined };
      const input = f.type === 'textarea' ? h('textarea', { ...attrs, rows: '3' })
        : h('input', { ...attrs, type: /^(email|tel)$/.test(f.type) ? f.type : 'text' });
      el.append(h('label', {}, [h('span', {}, [f.label]), input]));
      return input;
    });
    el.append(button);
    el.onsubmit = (e) => {
      e.preventDefault();
      /** @type {Record<string, string>} */
      const values = {};
      for (const i of inputs) if (i.value.trim()) values[i.name] = i.value.trim();
      button.disabled = true;
      done(values).finally(() => (button.disabled = false));
    };
    return el;
  }
  const prechat = form('prechat', t.prechat, (settings.prechat && settings.prechat.fields) || [], t.start,
    actions.prechat);
  const offline = form('offline', t.offline, [
    { name: 'name', label: t.name, type: 'text' },
    { name: 'email', label: t.email, type: 'email', required: true },
    { name: 'message', label: t.message, type: 'textarea', required: true },
  ], t.submit, actions.offline);
  const offlineThanks = h('p', { testid: 'offline-thanks', class: 'thanks', hidden: true }, [t.thanks]);

  let score = 0;
  const comment = h('textarea', { testid: 'csat-comment', rows: '2', 'aria-label': t.comment, placeholder: t.comment });
  const rate = h('button', { testid: 'csat-submit', class: 'primary', disabled: true }, [t.submit]);
  const scores = [1, 2, 3, 4, 5].map((n) => {
    const b = h('button', { testid: 'csat-score-' + n, class: 'score', 'aria-label': fill(t.score, { n }),
      'aria-pressed': 'false' }, [String(n)]);
    b.onclick = () => {
      score = n;
      scores.forEach((x, i) => x.setAttribute('aria-pressed', String(i + 1 === n)));
      rate.disabled = false;
    };
    return b;
  });
  rate.onclick = () => {
    rate.disabled = true;
    actions.rate(score, comment.value.trim()).finally(() => (rate.disabled = false));
  };
  const csat = h('div', { testid: 'csat', class: 'csat', role: 'group', 'aria-label': t.rate, hidden: true },
    [h('p', {}, [t.rate]), h('div', { class: 'scores' }, scores), comment, rate]);
  const csatThanks = h('p', { testid: 'csat-thanks', class: 'thanks', hidden: true }, [t.rated]);

  const types = settings.uploads && settings.uploads.allowed_types;
  const fileInput = h('input', { type: 'file', testid: 'file-input', class: 'vh', tabindex: '-1', 'aria-hidden': 'true',
    multiple: true, accept: types ? types.join(',') : undefined });
  const attach = h('button', { testid: 'attach', class: 'icon', 'aria-label': t.attach },
    [icon('M20 11.5 12 19.5a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4L15 7')]);
  const composer = h('textarea', { testid: 'composer', rows: '1', 'aria-label': t.message, placeholder: t.placeholder,
    maxlength: '10000' });
  const send = h('button', { testid: 'send', class: 'icon send', 'aria-label': t.send },
    [icon('M4 12 20 4l-4 16-4-7zM12 13l8-9')]);
  const compose = h('div', { class: 'compose' }, [attach, fileInput, composer, send]);

  const panel = h('div', { testid: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: true },
    [header, conn, list, typing, error, csat, csatThanks, prechat, offline, offlineThanks, compose]);
  shadow.append(h('div', { class: 'root' + (settings.position === 'left' ? ' left' : ''), lang: locale },
    [panel, launcher]));

  launcher.onclick = () => (panel.hidden ? actions.open : actions.close)();
  close.onclick = actions.close;
  // (Handlers set as on… properties must not return false: that would cancel the event.)
  panel.onkeydown = (e) => {
    if (e.key === 'Escape') actions.close();
  };
  function submit() {
    if (!composer.value.trim()) return;
    actions.send(composer.value);
    composer.value = '';
    grow();
    stick = true;
  }
  function grow() {
    const style = composer.style;
    style.height = 'auto';
    style.height = Math.min(composer.scrollHeight + 2, 120) + 'px'; // + the borders (border-box)
    style.overflowY = composer.scrollHeight > 118 ? 'auto' : 'hidden';
  }
  composer.onkeydown = (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  composer.oninput = () => {
    grow();
    if (composer.value) actions.typing();
  };
  send.onclick = submit;
  attach.onclick = () => fileInput.click();
  fileInput.onchange = () => {
    const files = [...(fileInput.files || [])];
    fileInput.value = '';
    actions.files(files);
  };
  // Files dropped on the panel are uploaded (when the composer is showing).
  panel.ondragover = (e) => {
    if (compose.hidden) return;
    e.preventDefault();
    panel.classList.add('drop');
  };
  panel.ondragleave = (e) => {
    if (e.target === panel) panel.classList.remove('drop');
  };
  panel.ondrop = (e) => {
    panel.classList.remove('drop');
    if (compose.hidden) return;
    e.preventDefault();
    actions.files([...(e.dataTransfer || { files: [] }).files]);
  };

  // At the bottom, follow new messages; near the top, load older ones.
  let stick = true;
  list.onscroll = () => {
    stick = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    if (list.scrollTop < 60) actions.older();
  };

  /** @param {Attachment} a */
  function attachment(a) {
    if (a.image) {
      const img = h('img', { testid: 'attachment-image', class: 'image', alt: a.filename });
      img.onload = () => {
        if (stick) list.scrollTop = list.scrollHeight;
      };
      actions.link(a).then((r) => (img.src = r.url), () => {});
      return img;
    }
    const link = h('a', { testid: 'attachment-link', class: 'file', download: a.filename, target: '_blank',
      rel: 'noopener' }, [a.filename + (a.byte_size ? ' · ' + size(a.byte_size) : '')]);
    let expires = 0;
    const fresh = () => actions.link(a).then((r) => {
      link.href = r.url;
      expires = r.expires;
    });
    fresh().catch(() => {});
    // Signed links are short-lived: clicking an expired one gets a new one first.
    link.onclick = (e) => {
      if (Date.now() > expires - 5000) {
        e.preventDefault();
        fresh().then(() => link.click(), () => {});
      }
    };
    return link;
  }

  /**
   * @param {import('./types').Item} item
   * @param {boolean} seen
   */
  function message(item, seen) {
    const note = seen ? t.seen : item.pending ? t.sending : item.failed ? t.failed : '';
    const el = h('div', { testid: 'message', class: 'msg ' + item.author + (item.pending ? ' pending' : ''),
      'data-author': item.author, 'data-seq': item.id && String(item.seq), 'data-id': item.id,
      title: item.at && new Date(item.at).toLocaleString(locale) }, [
      h('div', { testid: 'message-body', class: 'body', hidden: !item.deleted && (!item.body
        || item.body === (item.attachment && item.attachment.filename)) },
        [item.deleted ? t.deleted : item.body]),
    ]);
    if (item.attachment && !item.deleted) el.append(attachment(item.attachment));
    if (note) el.append(h('div', { class: 'note', testid: seen && 'seen' }, [note]));
    return el;
  }

  /** @type {Map<string, {el: HTMLElement, sig: string}>} */
  const shown = new Map();
  /** Syncs the list with the state, rebuilding only the rows that changed. */
  function renderItems(/** @type {State} */ s) {
    const seen = seenKey(s);
    const fromBottom = list.scrollHeight - list.scrollTop;
    const keep = new Set();
    /** @type {Element} */
    let prev = greeting;
    for (const item of s.items) {
      keep.add(item.key);
      const sig = JSON.stringify(item) + (seen === item.key);
      let r = shown.get(item.key);
      if (!r || r.sig !== sig) {
        const el = message(item, seen === item.key);
        if (r) r.el.replaceWith(el);
        shown.set(item.key, (r = { el, sig }));
      }
      if (prev.nextElementSibling !== r.el) prev.after(r.el);
      prev = r.el;
    }
    shown.forEach((r, key) => keep.has(key) || (r.el.remove(), shown.delete(key)));
    // Not at the bottom (older rows were prepended): keep what the reader sees in place.
    list.scrollTop = stick ? list.scrollHeight : list.scrollHeight - fromBottom;
  }

  /** @type {State | null} */
  let last = null;
  let lastMode = '';
  /** @param {State} s */
  function render(s) {
    const mode = footMode(s, settings);
    const opened = s.open && !(last && last.open);
    launcher.setAttribute('aria-expanded', String(s.open));
    launcher.setAttribute('aria-label', (s.open ? t.close : t.open) + (s.unread ? ' (' + s.unread + ')' : ''));
    launcher.classList.toggle('opened', s.open);
    badge.hidden = !s.unread;
    badge.textContent = String(s.unread);
    panel.hidden = !s.open;
    agents.textContent = s.agents ? t.online : t.away;
    agents.setAttribute('data-online', String(s.agents));
    typing.hidden = !s.typing;
    conn.hidden = !s.reconnecting;
    error.hidden = !s.error;
    error.textContent = s.error;
    prechat.hidden = mode !== 'prechat';
    offline.hidden = mode !== 'offline';
    offlineThanks.hidden = mode !== 'thanks';
    compose.hidden = mode !== 'composer';
    if (csat.hidden && s.csat === 'ask') {
      score = 0; // a fresh prompt for each resolved conversation
      comment.value = '';
      rate.disabled = true;
      scores.forEach((x) => x.setAttribute('aria-pressed', 'false'));
    }
    csat.hidden = s.csat !== 'ask';
    csatThanks.hidden = s.csat !== 'done';
    if (opened) stick = true;
    if (opened || !last || s.items !== last.items || s.readBy !== last.readBy || s.conv !== last.conv) renderItems(s);
    if (s.open && (opened || mode !== lastMode)) {
      const first = mode === 'composer' ? composer : (mode === 'prechat' ? prechat : offline).querySelector('input');
      (first || close).focus({ preventScroll: true });
    }
    if (!s.open && last && last.open && shadow.activeElement) launcher.focus({ preventScroll: true });
    last = s;
    lastMode = mode;
  }

  return { render };
}
