// The reply box: Enter (or Ctrl/⌘+Enter) sends, Shift+Enter is a new line; a draft per
// conversation in localStorage; `/shortcut` suggests canned responses; private notes; files by
// button, drag and drop (on the conversation) and paste; typing start/stop, throttled.
import { h, clear, newId, icon } from './dom.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').OrgData} OrgData
 * @typedef {import('./types').CannedResponse} CannedResponse
 */

const ICON_CLIP = 'M21 12.5 12.6 21a5 5 0 0 1-7.1-7.1l8.5-8.5a3.5 3.5 0 0 1 5 5L10.5 19a2 2 0 0 1-2.8-2.8L15.5 8.4';

/**
 * @param {string} org
 * @param {string} id
 */
const draftKey = (org, id) => 'parley.draft.' + org + '.' + id;

/**
 * @param {{
 *   ctx: AppContext, data: OrgData, conversationId: string,
 *   send(body: string, isPrivate: boolean, clientId: string): void,
 *   files(files: File[], isPrivate: boolean): void,
 *   typing(state: 'start' | 'stop'): void,
 * }} opts
 */
export function createComposer(opts) {
  const { ctx, data, conversationId } = opts;
  const key = draftKey(ctx.org.id, conversationId);
  const uid = conversationId.replace(/[^A-Za-z0-9_-]/g, '');
  const textarea = h('textarea', { id: 'composer-' + uid, class: 'composer-input', 'data-testid': 'composer', rows: '3',
    placeholder: 'Reply… (Enter to send, Shift+Enter for a new line, / for canned responses)',
    'aria-label': 'Message', 'aria-autocomplete': 'list', 'aria-controls': 'canned-' + uid, 'aria-expanded': 'false' });
  const privateBox = h('input', { type: 'checkbox', id: 'private-' + uid, 'data-testid': 'composer-private' });
  const fileInput = h('input', { type: 'file', id: 'file-' + uid, class: 'file-input', 'data-testid': 'file-input', multiple: true });
  const sendBtn = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'send' }, 'Send');
  const suggestions = h('ul', { id: 'canned-' + uid, class: 'canned', role: 'listbox', 'data-testid': 'canned-suggestions',
    'aria-label': 'Canned responses', hidden: true });
  const form = h('form', { class: 'composer', 'aria-label': 'Reply' },
    suggestions,
    textarea,
    h('div', { class: 'composer-bar' },
      h('label', { class: 'toggle', for: 'private-' + uid, title: 'Only your team sees private notes' }, privateBox, h('span', {}, 'Private note')),
      h('label', { class: 'btn ghost icon-label', for: 'file-' + uid, title: 'Attach files (or drop / paste them)' },
        h('span', { class: 'sr-only' }, 'Attach files'), icon(ICON_CLIP)),
      fileInput,
      h('span', { class: 'hint' }, 'Enter ↵ send · Shift+Enter new line'),
      sendBtn));


  // ---- draft
  try {
    textarea.value = localStorage.getItem(key) || '';
  } catch (e) {
    // no storage: no drafts
  }
  function saveDraft() {
    try {
      if (textarea.value) localStorage.setItem(key, textarea.value);
      else localStorage.removeItem(key);
    } catch (e) {
      // full or disabled
    }
  }

  // ---- private notes
  function showMode() {
    form.classList.toggle('is-private', privateBox.checked);
    textarea.placeholder = privateBox.checked ? 'Private note: only your team sees this…'
      : 'Reply… (Enter to send, Shift+Enter for a new line, / for canned responses)';
    sendBtn.textContent = privateBox.checked ? 'Add note' : 'Send';
  }
  privateBox.addEventListener('change', () => {
    showMode();
    if (privateBox.checked) stopTyping();
  });

  // ---- typing (start at most every 3 s while typing; stop after 4 s idle, on send, on blur)
  let typingSince = 0, typingTimer = 0;
  function typed() {
    if (privateBox.checked || !textarea.value.trim()) return stopTyping();
    const now = Date.now();
    if (now - typingSince > 3000) {
      typingSince = now;
      opts.typing('start');
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 4000);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSince) return;
    typingSince = 0;
    opts.typing('stop');
  }

  // ---- canned responses
  /** @type {CannedResponse[]} */
  let matchesList = [];
  let active = 0;
  /** @type {{start: number, end: number} | null} */
  let token = null;

  function findToken() {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, caret);
    const m = before.match(/(^|\s)\/([a-z0-9_-]{0,32})$/i);
    if (!m) return null;
    return { start: caret - m[2].length - 1, end: caret, prefix: m[2].toLowerCase() };
  }

  function updateSuggestions() {
    const t = findToken();
    matchesList = t ? data.canned.filter((c) => c.shortcut.startsWith(t.prefix)).slice(0, 8) : [];
    token = t && matchesList.length ? { start: t.start, end: t.end } : null;
    if (!token) return hideSuggestions();
    active = Math.min(active, matchesList.length - 1);
    clear(suggestions);
    matchesList.forEach((c, i) => {
      const li = h('li', { id: 'canned-' + uid + '-' + i, role: 'option', class: 'canned-item', 'data-testid': 'canned-suggestion',
        'data-shortcut': c.shortcut, 'aria-selected': String(i === active) },
      h('span', { class: 'canned-key' }, '/' + c.shortcut),
      h('span', { class: 'canned-body' }, c.body.replace(/\s+/g, ' ').slice(0, 120)));
      li.addEventListener('mousedown', (e) => {
        e.preventDefault(); // keep the focus in the textarea
        insert(i);
      });
      suggestions.append(li);
    });
    suggestions.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    textarea.setAttribute('aria-activedescendant', 'canned-' + uid + '-' + active);
  }
  function hideSuggestions() {
    token = null;
    matchesList = [];
    active = 0;
    suggestions.hidden = true;
    clear(suggestions);
    textarea.setAttribute('aria-expanded', 'false');
    textarea.removeAttribute('aria-activedescendant');
  }
  /**
   * @param {number} i
   */
  function insert(i) {
    const c = matchesList[i];
    if (!c || !token) return;
    const v = textarea.value;
    textarea.value = v.slice(0, token.start) + c.body + v.slice(token.end);
    const caret = token.start + c.body.length;
    textarea.setSelectionRange(caret, caret);
    hideSuggestions();
    saveDraft();
    autosize();
    textarea.focus();
  }
  /**
   * @param {number} delta
   */
  function moveActive(delta) {
    active = (active + delta + matchesList.length) % matchesList.length;
    suggestions.querySelectorAll('li').forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    textarea.setAttribute('aria-activedescendant', 'canned-' + uid + '-' + active);
  }

  // ---- sending
  function submit() {
    const body = textarea.value;
    if (!body.trim()) return;
    stopTyping();
    opts.send(body.replace(/\s+$/, ''), privateBox.checked, newId('c'));
    textarea.value = '';
    saveDraft();
    autosize();
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    textarea.focus();
  });

  function autosize() {
    textarea.classList.toggle('tall', textarea.value.split('\n').length > 3 || textarea.value.length > 240);
  }

  textarea.addEventListener('keydown', (e) => {
    if (!suggestions.hidden && matchesList.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        moveActive(e.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        insert(active);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        hideSuggestions();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey) {
      e.preventDefault();
      submit();
    }
  });
  textarea.addEventListener('input', () => {
    saveDraft();
    autosize();
    updateSuggestions();
    typed();
  });
  textarea.addEventListener('click', updateSuggestions);
  textarea.addEventListener('blur', () => {
    hideSuggestions();
    stopTyping();
  });
  textarea.addEventListener('paste', (e) => {
    const files = Array.from((e.clipboardData && e.clipboardData.files) || []);
    if (files.length) {
      e.preventDefault();
      opts.files(files, privateBox.checked);
    }
  });
  fileInput.addEventListener('change', () => {
    const files = Array.from(fileInput.files || []);
    fileInput.value = '';
    if (files.length) opts.files(files, privateBox.checked);
  });
  autosize();

  return {
    el: form,
    focus() {
      textarea.focus();
      const end = textarea.value.length;
      textarea.setSelectionRange(end, end);
    },
    isPrivate: () => privateBox.checked,
    destroy() {
      stopTyping();
    },
  };
}
