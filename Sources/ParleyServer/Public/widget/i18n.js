// Widget strings. English is the reference; every other locale must define the same keys.

const en = {
  open: 'Open chat',
  close: 'Close chat',
  online: 'Online',
  away: 'Away',
  minutes: 'Usually replies in a few minutes',
  hours: 'Usually replies in a few hours',
  day: 'Usually replies within a day',
  typing: 'Typing…',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  reconnecting: 'Connection lost. Reconnecting…',
  seen: 'Seen',
  sending: 'Sending…',
  failed: 'Not sent',
  deleted: 'Message deleted',
  prechat: 'Tell us a little about yourself to start the chat.',
  start: 'Start chat',
  offline: 'We’re away right now. Leave a message and we’ll get back to you.',
  name: 'Name',
  email: 'Email',
  submit: 'Send',
  thanks: 'Thanks! We’ll get back to you soon.',
  rate: 'How was your conversation?',
  score: 'Rate {n} out of 5',
  comment: 'Anything to add? (optional)',
  rated: 'Thanks for your feedback!',
  error: 'Something went wrong. Please try again.',
};

/** @typedef {typeof en} Strings */

/** @type {Record<string, Strings>} */
const all = {
  en,
  de: {
    open: 'Chat öffnen',
    close: 'Chat schließen',
    online: 'Online',
    away: 'Abwesend',
    minutes: 'Antwortet meist in wenigen Minuten',
    hours: 'Antwortet meist in wenigen Stunden',
    day: 'Antwortet meist innerhalb eines Tages',
    typing: 'Schreibt…',
    message: 'Nachricht',
    placeholder: 'Nachricht schreiben…',
    send: 'Senden',
    attach: 'Datei anhängen',
    reconnecting: 'Verbindung unterbrochen. Neuer Versuch…',
    seen: 'Gesehen',
    sending: 'Wird gesendet…',
    failed: 'Nicht gesendet',
    deleted: 'Nachricht gelöscht',
    prechat: 'Erzählen Sie uns kurz etwas über sich, um den Chat zu starten.',
    start: 'Chat starten',
    offline: 'Wir sind gerade nicht da. Hinterlassen Sie eine Nachricht, wir melden uns.',
    name: 'Name',
    email: 'E-Mail',
    submit: 'Senden',
    thanks: 'Danke! Wir melden uns bald.',
    rate: 'Wie war das Gespräch?',
    score: '{n} von 5 bewerten',
    comment: 'Noch etwas? (optional)',
    rated: 'Danke für Ihr Feedback!',
    error: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
  },
  fr: {
    open: 'Ouvrir le chat',
    close: 'Fermer le chat',
    online: 'En ligne',
    away: 'Absent',
    minutes: 'Répond généralement en quelques minutes',
    hours: 'Répond généralement en quelques heures',
    day: 'Répond généralement en un jour',
    typing: 'Écrit…',
    message: 'Message',
    placeholder: 'Écrivez un message…',
    send: 'Envoyer',
    attach: 'Joindre un fichier',
    reconnecting: 'Connexion perdue. Reconnexion…',
    seen: 'Vu',
    sending: 'Envoi…',
    failed: 'Non envoyé',
    deleted: 'Message supprimé',
    prechat: 'Présentez-vous en quelques mots pour commencer.',
    start: 'Démarrer le chat',
    offline: 'Nous sommes absents. Laissez un message, nous vous répondrons.',
    name: 'Nom',
    email: 'E-mail',
    submit: 'Envoyer',
    thanks: 'Merci ! Nous vous répondrons bientôt.',
    rate: 'Comment s’est passée la conversation ?',
    score: 'Noter {n} sur 5',
    comment: 'Un commentaire ? (facultatif)',
    rated: 'Merci pour votre avis !',
    error: 'Une erreur est survenue. Veuillez réessayer.',
  },
  es: {
    open: 'Abrir chat',
    close: 'Cerrar chat',
    online: 'En línea',
    away: 'Ausente',
    minutes: 'Suele responder en unos minutos',
    hours: 'Suele responder en unas horas',
    day: 'Suele responder en un día',
    typing: 'Escribiendo…',
    message: 'Mensaje',
    placeholder: 'Escribe un mensaje…',
    send: 'Enviar',
    attach: 'Adjuntar un archivo',
    reconnecting: 'Conexión perdida. Reconectando…',
    seen: 'Visto',
    sending: 'Enviando…',
    failed: 'No enviado',
    deleted: 'Mensaje eliminado',
    prechat: 'Cuéntanos un poco sobre ti para empezar el chat.',
    start: 'Empezar chat',
    offline: 'Ahora no estamos. Deja un mensaje y te responderemos.',
    name: 'Nombre',
    email: 'Correo electrónico',
    submit: 'Enviar',
    thanks: '¡Gracias! Te responderemos pronto.',
    rate: '¿Qué tal la conversación?',
    score: 'Valorar con {n} de 5',
    comment: '¿Algo más? (opcional)',
    rated: '¡Gracias por tu opinión!',
    error: 'Algo salió mal. Inténtalo de nuevo.',
  },
};

/**
 * The first supported locale among the candidates ("de-AT" matches "de"), else English.
 * @param {Array<string | null | undefined>} candidates in order of preference
 * @returns {{locale: string, strings: Strings}}
 */
export function pickLocale(candidates) {
  for (const c of candidates) {
    const code = (c || '').toLowerCase().split(/[-_]/)[0];
    if (all[code]) return { locale: code, strings: all[code] };
  }
  return { locale: 'en', strings: en };
}

/**
 * Fills `{name}` placeholders.
 * @param {string} text
 * @param {Record<string, string | number>} values
 */
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}
