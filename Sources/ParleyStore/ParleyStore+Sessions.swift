import Foundation
import ParleyCore
import SQLKit

/// Refresh-token families: each login starts a family; every refresh rotates the token inside it.
///
/// Presenting a token that was already rotated means it leaked (or a client replayed it), so the
/// whole family is revoked: the thief and the victim both have to log in again.
extension ParleyStore {
    public enum RefreshOutcome: Sendable, Equatable {
        case rotated(userID: String, familyID: String)
        /// The token was already used: the family is now revoked.
        case reuseDetected
        case invalid
    }

    /// Starts a family with its first refresh token (stored as a hash only).
    public func startSession(userID: String, tokenHash: String, expiresAt: Date) async throws -> String {
        let familyID = Identifier.make("ses")
        try await engine.transaction { db in
            try await db.exec("INSERT INTO token_families (id, user_id, created_at) VALUES (\(bind: familyID), \(bind: userID), \(bind: self.nowMS))")
            try await self.insertRefreshToken(db, familyID: familyID, tokenHash: tokenHash, expiresAt: expiresAt)
        }
        return familyID
    }

    private func insertRefreshToken(_ db: any SQLDatabase, familyID: String, tokenHash: String, expiresAt: Date) async throws {
        try await db.exec("""
            INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
            VALUES (\(bind: tokenHash), \(bind: familyID), \(bind: nowMS), \(bind: Timestamp.milliseconds(expiresAt)))
            """)
    }

    /// Exchanges a refresh token for its successor, atomically.
    public func rotateRefreshToken(presentedHash: String, newHash: String, expiresAt: Date) async throws -> RefreshOutcome {
        struct Row: Decodable {
            let familyId: String, userId: String, expiresAt: Int, usedAt: Int?, revokedAt: Int?
        }
        let now = nowMS
        return try await engine.transaction { db in
            let row = try await db.raw("""
                SELECT t.family_id, f.user_id, t.expires_at, t.used_at, f.revoked_at FROM refresh_tokens t
                JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = \(bind: presentedHash)
                """).first(decoding: Row.self, with: self.rowDecoder)
            guard let row, row.revokedAt == nil, row.expiresAt > now else { return .invalid }
            // Conditional update: of two concurrent uses of one token, only one sees used_at still NULL.
            let claimed = try await db.raw("""
                UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: presentedHash) AND used_at IS NULL RETURNING token_hash
                """).all()
            if row.usedAt != nil || claimed.isEmpty {
                try await self.revokeFamily(db, familyID: row.familyId, reason: "refresh token reuse")
                return .reuseDetected
            }
            try await self.insertRefreshToken(db, familyID: row.familyId, tokenHash: newHash, expiresAt: expiresAt)
            return .rotated(userID: row.userId, familyID: row.familyId)
        }
    }

    /// True while the family exists, is not revoked, and its user still exists.
    public func isSessionActive(familyID: String, userID: String) async throws -> Bool {
        try await engine.read { db in
            try await db.raw("""
                SELECT id FROM token_families WHERE id = \(bind: familyID) AND user_id = \(bind: userID) AND revoked_at IS NULL
                """).first() != nil
        }
    }

    public func revokeSession(familyID: String, reason: String) async throws {
        try await engine.transaction { db in try await self.revokeFamily(db, familyID: familyID, reason: reason) }
    }

    /// Signs the user out everywhere.
    public func revokeAllSessions(userID: String, reason: String) async throws {
        try await engine.transaction { db in
            try await db.exec("""
                UPDATE token_families SET revoked_at = \(bind: self.nowMS), revoked_reason = \(bind: reason)
                WHERE user_id = \(bind: userID) AND revoked_at IS NULL
                """)
        }
    }

    private func revokeFamily(_ db: any SQLDatabase, familyID: String, reason: String) async throws {
        try await db.exec("""
            UPDATE token_families SET revoked_at = \(bind: nowMS), revoked_reason = \(bind: reason)
            WHERE id = \(bind: familyID) AND revoked_at IS NULL
            """)
    }
}
