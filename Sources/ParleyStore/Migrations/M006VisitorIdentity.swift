/// Verified visitor identity: a site may require it, and a verified visitor is one row per site and
/// external id (the partial unique index), whichever device they come from.
enum M006VisitorIdentity {
    static let migration = Migration(
        version: 6, name: "visitor_identity",
        up: { _ in
            [
                "ALTER TABLE sites ADD COLUMN identity_required BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE visitors ADD COLUMN external_id TEXT",
                "ALTER TABLE visitors ADD COLUMN verified BOOLEAN NOT NULL DEFAULT FALSE",
                "CREATE UNIQUE INDEX visitors_external ON visitors(site_id, external_id) WHERE verified",
            ]
        },
        down: { _ in
            [
                "DROP INDEX visitors_external",
                "ALTER TABLE visitors DROP COLUMN verified",
                "ALTER TABLE visitors DROP COLUMN external_id",
                "ALTER TABLE sites DROP COLUMN identity_required",
            ]
        })
}
