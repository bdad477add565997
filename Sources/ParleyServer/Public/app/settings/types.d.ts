// Types of the settings area and the visitor panel (its modules). JSDoc imports them; browsers
// never load this file. Shapes follow Sources/ParleyServer/Resources/openapi.json.

export type Role = 'owner' | 'admin' | 'agent';

/** What B's views need of the dashboard's AppContext (A's app/types.d.ts has the full one; any
 *  AppContext is assignable to this). */
export interface Ctx {
  me: { id: string; email: string; name: string; totp_enabled: boolean; is_superadmin?: boolean };
  org: { id: string; slug?: string; name: string };
  role: Role;
  isAdmin: boolean;
  navigate(path: string): void;
  toast(text: string, kind?: 'info' | 'error'): void;
  refreshMe(): Promise<void>;
}

/** A section's renderer: draws into `container`, returns an optional cleanup. */
export type SectionRenderer = (container: HTMLElement, ctx: Ctx) => (void | (() => void));

export interface PrechatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'textarea';
  required: boolean;
}

export interface WidgetSettings {
  theme_color: string;
  position: 'right' | 'left';
  greeting?: string | null;
  reply_time?: 'minutes' | 'hours' | 'day' | null;
  locale?: string | null;
  prechat: { enabled: boolean; fields: PrechatField[] };
  csat_enabled: boolean;
  uploads: { max_bytes: number; allowed_types: string[] };
}

export interface Site {
  id: string;
  name: string;
  site_key: string;
  identity_secret?: string;
  allowed_origins: string[];
  identity_required: boolean;
  widget: WidgetSettings;
  created_at: string;
  updated_at: string;
}

export interface Member {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  created_at: string;
  expires_at: string;
  accepted_at?: string;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface Label {
  id: string;
  name: string;
  color: string;
  created_at: string;
}

export interface Rating {
  score: number;
  comment?: string | null;
  created_at: string;
}

export interface Conversation {
  id: string;
  site_id?: string;
  visitor: { id: string; name?: string | null; email?: string | null };
  status: string;
  priority?: string;
  labels?: string[];
  seq?: number;
  last_activity_at?: string;
  created_at?: string;
  last_message?: { body?: string; author_type?: string; deleted?: boolean; created_at?: string } | null;
  rating?: Rating | null;
}

export interface VisitorDetails {
  id: string;
  site_id: string;
  name?: string | null;
  email?: string | null;
  external_id?: string | null;
  verified: boolean;
  attributes?: Record<string, string> | null;
  locale?: string | null;
  timezone?: string | null;
  user_agent?: string | null;
  created_at?: string;
  last_seen_at?: string | null;
}

export interface VisitorNote {
  id: string;
  body: string;
  author_id?: string | null;
  author_name?: string | null;
  created_at: string;
}

export interface VisitorProfile {
  visitor: VisitorDetails;
  online: boolean;
  page?: string | null;
  conversations: Conversation[];
  notes: VisitorNote[];
}

/** A realtime frame as the dashboard's socket delivers it (only the fields B reads). */
export interface Frame {
  type: string;
  event?: string;
  conversation_id?: string;
  visitor_id?: string;
  status?: string;
  page?: string | null;
  data?: any;
  /** subscribe_inbox ack: `{visitor_id: page or null}` of every connected visitor. */
  visitors?: Record<string, string | null>;
}
