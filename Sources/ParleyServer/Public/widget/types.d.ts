// Types shared by the widget's modules (JSDoc imports them; browsers never load this file).

/** `GET settings` */
export interface Settings {
  name?: string;
  theme_color?: string;
  position?: 'right' | 'left';
  greeting?: string | null;
  reply_time?: 'minutes' | 'hours' | 'day' | null;
  /** Forces a locale; null: the page decides. */
  locale?: string | null;
  prechat?: { enabled: boolean; fields: Field[] } | null;
  csat_enabled?: boolean;
  agents_online?: boolean;
  uploads?: { max_bytes?: number; allowed_types?: string[] } | null;
}

export interface Field {
  name: string;
  label: string;
  type: string;
  required?: boolean;
}

export interface Attachment {
  id: string;
  filename: string;
  content_type?: string;
  byte_size?: number;
  image?: boolean;
}

/** A message as the API and event frames carry it. */
export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author_type: string;
  body: string;
  client_id?: string | null;
  created_at?: string;
  private?: boolean;
  deleted?: boolean;
  attachment?: Attachment | null;
}

/** A row of the message list: a server message, or the visitor's pending one (no id yet). */
export interface Item {
  /** Stable while pending → confirmed, so the UI updates the row in place. */
  key: string;
  id?: string;
  conv?: string;
  seq: number;
  /** The conversation's order of appearance on this page; pending rows come last. */
  rank: number;
  author: string;
  body: string;
  clientId?: string;
  at?: string;
  attachment?: Attachment | null;
  deleted?: boolean;
  pending?: boolean;
  failed?: boolean;
}

export interface State {
  open: boolean;
  items: Item[];
  /** The visitor's current conversation. */
  conv: string | null;
  ranks: Record<string, number>;
  /** Highest seq seen in `conv`: where a (re)subscription resumes. */
  lastSeq: number;
  /** More history before the oldest message shown. */
  older: boolean;
  unread: number;
  /** The team's read marker in `conv` ("Seen"). */
  readBy: number;
  agents: boolean;
  /** Someone of the team is typing. */
  typing: boolean;
  reconnecting: boolean;
  csat: '' | 'ask' | 'done';
  prechatDone: boolean;
  offlineDone: boolean;
  error: string;
}

type Submit = (values: Record<string, string>) => Promise<void>;

/** What the UI asks of the rest of the widget. */
export interface Actions {
  open(): void;
  close(): void;
  send(text: string): void;
  typing(): void;
  files(files: File[]): void;
  older(): void;
  prechat: Submit;
  offline: Submit;
  rate(score: number, comment: string): Promise<void>;
  /** A fresh signed link (relative URLs made absolute) and when it expires (ms). */
  link(a: Attachment): Promise<{ url: string; expires: number }>;
}

/** An `error` frame answering a command, or code `offline` / `timeout`. */
export interface CommandError {
  code: string;
  message?: string;
}

export interface SocketHooks {
  /** The handshake URL; may renew the visitor token first. */
  url(): Promise<string>;
  /** Every frame that is not the answer to a command. */
  frame(f: any): void;
  status(open: boolean, code?: number): void;
}

/** A call made on the loader's stub before the widget was up. */
export type Call = [string, unknown[], (v: unknown) => void, (e: unknown) => void];

/** What widget.js hands to main.js's `start`. */
export interface Config {
  host: HTMLElement;
  base: string;
  site: string;
  locale?: string | null;
  open?: boolean;
  nonce?: string | null;
  /** window.Parley: replaced in place once the widget is up. */
  stub: Record<string, unknown> & { q: Call[] };
}
