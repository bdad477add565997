/// One numbered, reversible schema change. Released migrations are never edited: add a new one.
///
/// Statements are written once in the SQL both engines accept; the few dialect differences are
/// placeholders that `SchemaSQL` expands (`{{autoid}}`).
struct Migration: Sendable {
    let version: Int
    let name: String
    let up: @Sendable (SQLDialectKind) -> [String]
    let down: @Sendable (SQLDialectKind) -> [String]
}

enum SchemaSQL {
    /// Expands the dialect placeholders in a DDL statement.
    static func expand(_ statement: String, for dialect: SQLDialectKind) -> String {
        let autoID = dialect == .sqlite
            ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        return statement.replacingOccurrences(of: "{{autoid}}", with: autoID)
    }
}

/// Every migration, in order. Append only.
enum Migrations {
    static let all: [Migration] = [
        M001Tenancy.migration,
        M002Conversations.migration,
        M003Search.migration,
        M004Presence.migration,
        M005VisitorSessions.migration,
        M006VisitorIdentity.migration,
        M007WidgetFeatures.migration,
        M008Dashboard.migration,
        M009PresenceStatusIndex.migration,
        M010DropEventsOrgIndex.migration,
        M011SearchIndexWithoutPendingList.migration,
        M012TOTPLastStep.migration,
    ]
}
