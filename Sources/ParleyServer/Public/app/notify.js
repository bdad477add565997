// Notifications: a short beep (WebAudio) and a browser Notification for new conversations and new
// visitor messages, unless the agent is looking at that conversation; the unread count in the tab title.
import { api } from './api.js';

/**
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').Conversation} Conversation
 */

/** Whether asking for the browser's permission makes sense (supported and not decided yet). */
export function notificationsWanted() {
  return typeof Notification !== 'undefined' && Notification.permission === 'default';
}

export async function enableNotifications() {
  if (typeof Notification === 'undefined') return;
  try {
    await Notification.requestPermission();
  } catch (e) {
    // older browsers: callback form, or refused
  }
}

/** @type {AudioContext | null} */
let audio = null;
function unlockAudio() {
  const Ctor = window.AudioContext || /** @type {any} */ (window).webkitAudioContext;
  if (!Ctor) return;
  try {
    audio ||= new Ctor();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
  } catch (e) {
    audio = null;
  }
}
window.addEventListener('pointerdown', unlockAudio, { capture: true });
window.addEventListener('keydown', unlockAudio, { capture: true });

/** Two soft sine notes. */
function beep() {
  if (!audio || audio.state !== 'running') return;
  const t = audio.currentTime;
  for (const [freq, start] of [[880, 0], [1175, 0.12]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t + start);
    gain.gain.exponentialRampToValueAtTime(0.12, t + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + start + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(t + start);
    osc.stop(t + start + 0.25);
  }
}

/** Whether the agent is looking at this tab. */
export function attentive() {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/**
 * @param {AppContext} ctx
 * @param {import('./realtime.js').RealtimeClient} realtime
 */
export function createNotifier(ctx, realtime) {
  let titleBase = 'Inbox';
  let unread = 0;
  let openId = '';
  /** @type {(id: string) => Conversation | undefined} */
  let lookup = () => undefined;
  /**
   * Conversations just created → their loaded state: one alert tells "new conversation" and its first
   * message (same transaction), so that message's own event stays quiet.
   * @type {Map<string, Promise<Conversation | undefined>>}
   */
  const created = new Map();
  let mutedUntil = 0;

  function title() {
    const n = unread > 99 ? '99+' : String(unread);
    document.title = (unread > 0 ? '(' + n + ') ' : '') + titleBase + ' · ' + ctx.org.name + ' · Parley';
  }

  /**
   * @param {string} convId
   * @param {string} heading
   * @param {string} text
   */
  function alert(convId, heading, text) {
    if (convId === openId && attentive()) return;
    const now = Date.now();
    if (now > mutedUntil) {
      beep();
      mutedUntil = now + 1000;
    }
    if (attentive() || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(heading, { body: text.slice(0, 180), tag: 'parley-' + convId });
      n.onclick = () => {
        window.focus();
        ctx.navigate('/app/o/' + encodeURIComponent(ctx.org.id) + '/c/' + encodeURIComponent(convId));
        n.close();
      };
    } catch (e) {
      // Notification constructor unavailable (e.g. needs a service worker on this platform)
    }
  }

  /**
   * The conversation as the inbox knows it, else loaded: `conversation.created` carries only the id,
   * and the inbox holds only the rows of its view (not others' conversations in Mine, say).
   * @param {string} id
   * @returns {Promise<Conversation | undefined>}
   */
  async function load(id) {
    const known = lookup(id);
    if (known && known.visitor) return known;
    try {
      return await api('GET', '/orgs/' + encodeURIComponent(ctx.org.id) + '/conversations/' + encodeURIComponent(id));
    } catch (e) {
      return undefined; // gone or not visible
    }
  }

  /**
   * Not for conversations someone else has taken.
   * @param {Conversation | undefined} c
   * @returns {c is Conversation}
   */
  const mineOrFree = (c) => !!c && (!c.assignee_id || c.assignee_id === ctx.me.id);
  /** @param {Conversation} c */
  const who = (c) => (c.visitor && (c.visitor.name || c.visitor.email)) || 'A visitor';
  /** @param {import('./types').Message} m */
  const said = (m) => (m.attachment ? 'Sent a file: ' + m.body : m.body || '');

  const offs = [
    realtime.on('conversation.created', async (f) => {
      const id = String(f.conversation_id || (f.data || {}).id);
      const loading = load(id);
      created.set(id, loading);
      if (created.size > 500) created.clear();
      const c = await loading;
      if (!mineOrFree(c)) return;
      const m = c.last_message;
      const first = m && m.author_type === 'visitor' && !m.private ? said(m) : '';
      alert(id, 'New conversation with ' + who(c), first || 'Started a conversation');
    }),
    realtime.on('message.created', async (f) => {
      const m = f.data || {};
      if (m.author_type !== 'visitor' || m.private) return;
      const id = String(f.conversation_id || m.conversation_id);
      const fresh = created.get(id);
      if (fresh) {
        created.delete(id);
        const c = await fresh;
        if (c && c.last_message && c.last_message.id === m.id) return; // the new conversation's alert told it
      }
      const c = await load(id);
      if (!mineOrFree(c)) return;
      alert(id, 'New message from ' + who(c), said(m));
    }),
  ];
  title();

  return {
    /**
     * @param {number} n total unread messages
     */
    setUnread(n) {
      if (n === unread) return;
      unread = n;
      title();
    },
    /**
     * @param {string} text what the screen shows (`Inbox`, a visitor's name)
     */
    setTitle(text) {
      titleBase = text;
      title();
    },
    /**
     * @param {string} id the open conversation ('' for none)
     */
    setOpen(id) {
      openId = id;
    },
    /**
     * @param {(id: string) => Conversation | undefined} fn
     */
    setLookup(fn) {
      lookup = fn;
    },
    destroy() {
      offs.forEach((off) => off());
      document.title = 'Parley';
    },
  };
}
