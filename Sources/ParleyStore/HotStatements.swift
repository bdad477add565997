import PostgresNIO

/// The per-command membership check of a realtime socket, prepared once per PostgreSQL connection.
struct MembershipRoleStatement: PostgresPreparedStatement {
    static let name = "parley_membership_role_v1"
    static let sql = "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2"

    let orgID: String
    let userID: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(orgID)
        bindings.append(userID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String {
        try row.decode(String.self)
    }
}

/// The events a batch of notifications announced, in each organization's commit order.
struct EventsByIDStatement: PostgresPreparedStatement {
    static let name = "parley_events_by_id_v1"
    static let sql = """
        SELECT id, org_id, conversation_id, seq, org_seq, type, payload, members_only, created_at
        FROM events WHERE id = ANY($1) ORDER BY org_seq, id
        """

    let ids: [Int]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> StoredEvent {
        let (id, orgID, conversationID, seq, orgSeq, type, payload, membersOnly, createdAt) =
            try row.decode((Int, String, String?, Int?, Int, String, String, Bool, Int).self)
        return StoredEvent(id: id, orgId: orgID, conversationId: conversationID, seq: seq, orgSeq: orgSeq, type: type, payload: payload,
                           membersOnly: membersOnly, createdAt: createdAt)
    }
}
