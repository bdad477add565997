// Notifications: a short beep (WebAudio) and a browser Notification for new conversations and new
// visitor messages, unless the agent is looking at that conversation; the unread count in the tab title.

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
  /** Conversation id → when it last notified (one alert for "new conversation" + its first message). */
  const recent = new Map();
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
    if (now - (recent.get(convId) || 0) < 3000) return;
    recent.set(convId, now);
    if (recent.size > 500) recent.clear();
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
   * Not for conversations someone else has taken.
   * @param {string} id
   */
  const mineOrFree = (id) => {
    const c = lookup(id);
    return !c || !c.assignee_id || c.assignee_id === ctx.me.id;
  };

  const offs = [
    realtime.on('conversation.created', (f) => {
      const c = f.data || {};
      if (c.assignee_id && c.assignee_id !== ctx.me.id) return;
      const who = (c.visitor && (c.visitor.name || c.visitor.email)) || 'A visitor';
      alert(String(f.conversation_id || c.id), 'New conversation', who + ' started a conversation');
    }),
    realtime.on('message.created', (f) => {
      const m = f.data || {};
      if (m.author_type !== 'visitor' || m.private) return;
      const id = String(f.conversation_id || m.conversation_id);
      if (!mineOrFree(id)) return;
      const c = lookup(id);
      const who = (c && c.visitor && (c.visitor.name || c.visitor.email)) || 'Visitor';
      alert(id, 'New message from ' + who, m.attachment ? 'Sent a file: ' + m.body : m.body || '');
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
