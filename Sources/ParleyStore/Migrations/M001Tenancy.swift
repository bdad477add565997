/// Organizations, users, memberships, sites, auth tokens and invitations.
enum M001Tenancy {
    static let migration = Migration(
        version: 1, name: "tenancy",
        up: { _ in
            [
                """
                CREATE TABLE organizations (
                    id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT NOT NULL,
                    is_superadmin BOOLEAN NOT NULL DEFAULT FALSE, totp_secret TEXT,
                    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE memberships (
                    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    role TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (org_id, user_id))
                """,
                "CREATE INDEX memberships_user ON memberships(user_id)",
                """
                CREATE TABLE sites (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, site_key TEXT NOT NULL UNIQUE, identity_secret TEXT NOT NULL,
                    allowed_origins TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX sites_org ON sites(org_id, created_at)",
                """
                CREATE TABLE token_families (
                    id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL, revoked_at BIGINT, revoked_reason TEXT)
                """,
                "CREATE INDEX token_families_user ON token_families(user_id)",
                """
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    family_id TEXT NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id)",
                """
                CREATE TABLE login_throttle (
                    throttle_key TEXT PRIMARY KEY, failures BIGINT NOT NULL, window_started_at BIGINT NOT NULL,
                    locked_until BIGINT)
                """,
                """
                CREATE TABLE invitations (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    email TEXT NOT NULL, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, invited_by TEXT,
                    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, accepted_at BIGINT, revoked_at BIGINT)
                """,
                "CREATE INDEX invitations_org ON invitations(org_id, created_at)",
            ]
        },
        down: { _ in
            ["invitations", "login_throttle", "refresh_tokens", "token_families", "sites", "memberships", "users",
             "organizations"].map { "DROP TABLE \($0)" }
        })
}
