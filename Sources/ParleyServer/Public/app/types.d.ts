// Types shared by the dashboard's modules (JSDoc imports them; browsers never load this file).
// Shapes follow Sources/ParleyServer/Resources/openapi.json.

export type Role = 'owner' | 'admin' | 'agent';
export type Status = 'open' | 'pending' | 'snoozed' | 'resolved' | 'closed';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';

/** `GET /me` → `user` */
export interface Me {
  id: string;
  email: string;
  name: string;
  totp_enabled: boolean;
  is_superadmin: boolean;
  created_at?: string;
}

export interface Org {
  id: string;
  slug: string;
  name: string;
  created_at?: string;
}

export interface Membership {
  organization: Org;
  role: Role;
}

export interface Member {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Attachment {
  id: string;
  filename: string;
  content_type?: string;
  byte_size?: number;
  image?: boolean;
}

export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author_type: 'member' | 'visitor' | 'system';
  author_id: string | null;
  body: string;
  private: boolean;
  client_id?: string | null;
  created_at: string;
  edited_at?: string | null;
  deleted_at?: string | null;
  attachment?: Attachment | null;
  edited?: boolean;
  deleted?: boolean;
}

export interface Rating {
  score: number;
  comment?: string | null;
  created_at: string;
}

export interface Visitor {
  id: string;
  name?: string | null;
  email?: string | null;
}

export interface Conversation {
  id: string;
  site_id: string;
  visitor: Visitor;
  status: Status;
  priority: Priority;
  assignee_id?: string | null;
  labels: string[];
  seq: number;
  last_activity_at: string;
  created_at: string;
  last_message?: Message | null;
  unread_count: number;
  rating?: Rating | null;
  /** The visitor's read marker (0 before they read anything). */
  visitor_read_seq: number;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface Site {
  id: string;
  name: string;
  site_key: string;
  allowed_origins: string[];
  identity_required?: boolean;
  widget?: any;
}

export interface Label {
  id: string;
  name: string;
  color: string;
  created_at?: string;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  body: string;
  created_at?: string;
  updated_at?: string;
}

export interface Counts {
  mine: number;
  unassigned: number;
  all: number;
}

/** The stored session (localStorage `parley.session`), shared by the tabs. */
export interface Session {
  access_token: string;
  refresh_token: string;
  /** When the access token expires (ms since the epoch). */
  expires_at: number;
  user_id?: string;
}

/** Any frame of the member socket. */
export interface Frame {
  type: string;
  id?: string;
  event?: string;
  conversation_id?: string;
  seq?: number;
  event_id?: number;
  cursor?: number;
  data?: any;
  user_id?: string;
  visitor_id?: string;
  state?: 'start' | 'stop';
  status?: string;
  page?: string | null;
  code?: string;
  message?: string;
  presence?: Record<string, string>;
  visitors?: Record<string, string | null>;
}

export interface Realtime {
  /** `type`: a frame type (`event`, `typing`, `presence`, `status`), an event name
   *  (`message.created`), or `*` for every frame. Returns the unsubscribe function. */
  on(type: string, fn: (frame: Frame) => void): () => void;
  /** Sends a command; resolves its ack, rejects with its error frame (or `{code: 'offline'}`). */
  send(type: string, fields?: object): Promise<any>;
}

/** What every view gets. */
export interface AppContext {
  me: Me;
  org: Org;
  role: Role;
  isAdmin: boolean;
  navigate(path: string): void;
  toast(text: string, kind?: 'info' | 'error'): void;
  realtime: Realtime;
  refreshMe(): Promise<void>;
}

/** The organization's data the inbox and conversation views share (loaded once per organization). */
export interface OrgData {
  members: Member[];
  sites: Site[];
  labels: Label[];
  canned: CannedResponse[];
  /** user id → name */
  memberName(id: string | null | undefined): string;
  labelColor(name: string): string;
  reload(what: 'members' | 'sites' | 'labels' | 'canned'): Promise<void>;
  /** Resolves once the lists first loaded. */
  loaded: Promise<void>;
  /** Called when the lists first loaded, and after a reload the data triggered itself (a member
   *  unknown so far). */
  onChange(fn: () => void): () => void;
  /** Agent presence by user id (from the inbox subscription). */
  presence: Record<string, string>;
  /** Connected visitors: visitor id → page. */
  visitors: Record<string, string | null>;
}

/** The B modules' exports, as A calls them. */
export interface VisitorPanelHandle {
  update(frame: Frame): void;
  destroy(): void;
}
