import Foundation
import ParleyCore
import SQLKit

/// A file whose bytes are in attachment storage under `storageKey`, and what clients are told of it.
public struct StoredAttachment: Sendable, Equatable {
    public let attachment: Attachment
    public let storageKey: String

    public init(attachment: Attachment, storageKey: String) {
        self.attachment = attachment
        self.storageKey = storageKey
    }
}

/// Attachment rows: written with their message, found again for links and downloads only while
/// that message exists and is not deleted, and only by those who may see it.
extension ParleyStore {
    struct AttachmentRow: Decodable {
        let id: String, filename: String, contentType: String, byteSize: Int, storageKey: String

        var stored: StoredAttachment {
            StoredAttachment(attachment: Attachment(id: id, filename: filename, contentType: contentType, byteSize: byteSize,
                                                    image: FileKind(mimeType: contentType)?.isImage ?? false),
                             storageKey: storageKey)
        }
    }

    func insertAttachment(_ db: any SQLDatabase, orgID: String, conversationID: String, messageID: String, stored: StoredAttachment,
                          now: Int) async throws {
        let file = stored.attachment
        try await db.exec("""
            INSERT INTO attachments (id, org_id, conversation_id, message_id, filename, content_type, byte_size, storage_key, created_at)
            VALUES (\(bind: file.id), \(bind: orgID), \(bind: conversationID), \(bind: messageID), \(bind: file.filename),
                    \(bind: file.contentType), \(bind: file.byteSize), \(bind: stored.storageKey), \(bind: now))
            """)
    }

    /// A member may link to any attachment of the organization, private notes included.
    public func attachment(_ scope: TenantScope, id: String) async throws -> StoredAttachment {
        try await findAttachment("a.org_id = \(bind: scope.orgID) AND a.id = \(bind: id)")
    }

    /// A visitor may link to the attachments of their own conversations, never to a private note's.
    public func attachment(_ visitor: VisitorScope, id: String) async throws -> StoredAttachment {
        try await findAttachment("""
            a.org_id = \(bind: visitor.orgID) AND a.id = \(bind: id) AND m.is_private = \(bind: false)
            AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = a.conversation_id AND c.visitor_id = \(bind: visitor.visitorID))
            """)
    }

    /// For a download whose signed URL named the organization and the attachment.
    public func attachment(orgID: String, id: String) async throws -> StoredAttachment {
        try await findAttachment("a.org_id = \(bind: orgID) AND a.id = \(bind: id)")
    }

    /// Those of `keys` (`<organization>/<attachment id>`) that no existing, undeleted message holds,
    /// of organizations this database knows. A key of an unknown organization is never returned:
    /// pointed at the wrong (say, an empty) database, Parley must not delete anyone's files.
    public func unheldAttachmentKeys(among keys: [String]) async throws -> [String] {
        let parsed = keys.compactMap { key -> (key: String, orgID: String, id: String)? in
            let parts = key.split(separator: "/")
            return parts.count == 2 ? (key, String(parts[0]), String(parts[1])) : nil
        }
        guard !parsed.isEmpty else { return [] }
        let (held, organizations) = try await engine.read { db in
            let held = try await db.raw("""
                SELECT a.storage_key FROM attachments a JOIN messages m ON m.id = a.message_id AND m.deleted_at IS NULL
                WHERE a.id IN (\(binds: parsed.map(\.id)))
                """).all(decodingColumn: "storage_key", as: String.self)
            let organizations = try await db.raw("SELECT id FROM organizations WHERE id IN (\(binds: Array(Set(parsed.map(\.orgID)))))")
                .all(decodingColumn: "id", as: String.self)
            return (Set(held), Set(organizations))
        }
        return parsed.filter { organizations.contains($0.orgID) && !held.contains($0.key) }.map(\.key)
    }

    private func findAttachment(_ condition: SQLQueryString) async throws -> StoredAttachment {
        let row = try await engine.read { db in
            try await db.raw("""
                SELECT a.id, a.filename, a.content_type, a.byte_size, a.storage_key FROM attachments a
                JOIN messages m ON m.id = a.message_id AND m.deleted_at IS NULL WHERE \(condition)
                """).first(decoding: AttachmentRow.self, with: self.rowDecoder)
        }
        guard let row else { throw StoreError.notFound("attachment") }
        return row.stored
    }
}
