import Foundation
import ParleyCore
import SQLKit

/// Users and their credentials.
extension ParleyStore {
    struct UserRow: Decodable {
        let id: String
        let email: String
        let name: String
        let passwordHash: String
        let isSuperadmin: Bool
        let totpSecret: String?
        let totpEnabled: Bool
        let createdAt: Int

        var user: User {
            User(id: id, email: email, name: name, isSuperadmin: isSuperadmin, totpEnabled: totpEnabled,
                 createdAt: Timestamp.date(createdAt))
        }
    }

    /// What login needs to check a password and a second factor.
    public struct Credentials: Sendable {
        public let user: User
        public let passwordHash: String
        public let totpSecret: String?
    }

    static let userColumns: SQLQueryString =
        "id, email, name, password_hash, is_superadmin, totp_secret, totp_enabled, created_at"

    /// Creates a user; a taken email is a conflict.
    public func createUser(email: String, name: String, passwordHash: String, isSuperadmin: Bool = false) async throws -> User {
        try await engine.transaction { db in
            try await self.insertUser(db, email: email, name: name, passwordHash: passwordHash, isSuperadmin: isSuperadmin)
        }
    }

    func insertUser(_ db: any SQLDatabase, email: String, name: String, passwordHash: String, isSuperadmin: Bool) async throws -> User {
        let user = User(id: Identifier.make("usr"), email: email, name: name, isSuperadmin: isSuperadmin,
                        totpEnabled: false, createdAt: Timestamp.date(nowMS))
        do {
            try await db.exec("""
                INSERT INTO users (id, email, name, password_hash, is_superadmin, totp_enabled, created_at)
                VALUES (\(bind: user.id), \(bind: email), \(bind: name), \(bind: passwordHash), \(bind: isSuperadmin), \(false), \(bind: Timestamp.milliseconds(user.createdAt)))
                """)
        } catch where isUniqueViolation(error) {
            throw StoreError.conflict("a user with this email already exists")
        }
        return user
    }

    public func credentials(email: String) async throws -> Credentials? {
        try await engine.read { db in
            try await db.raw("SELECT \(Self.userColumns) FROM users WHERE email = \(bind: email)")
                .first(decoding: UserRow.self, with: self.rowDecoder)
        }.map { Credentials(user: $0.user, passwordHash: $0.passwordHash, totpSecret: $0.totpSecret) }
    }

    public func credentials(userID: String) async throws -> Credentials? {
        try await engine.read { db in
            try await db.raw("SELECT \(Self.userColumns) FROM users WHERE id = \(bind: userID)")
                .first(decoding: UserRow.self, with: self.rowDecoder)
        }.map { Credentials(user: $0.user, passwordHash: $0.passwordHash, totpSecret: $0.totpSecret) }
    }

    public func setPasswordHash(userID: String, hash: String) async throws {
        try await engine.transaction { db in
            let rows = try await db.raw("UPDATE users SET password_hash = \(bind: hash) WHERE id = \(bind: userID) RETURNING id").all()
            guard !rows.isEmpty else { throw StoreError.notFound("user") }
        }
    }

    /// Stores a not-yet-enabled TOTP secret (enabling needs a code proving the user's app has it).
    public func setPendingTOTPSecret(userID: String, secret: String) async throws {
        try await engine.transaction { db in
            try await db.exec("""
                UPDATE users SET totp_secret = \(bind: secret), totp_enabled = \(false), totp_last_step = NULL WHERE id = \(bind: userID)
                """)
        }
    }

    /// Records `step` (a 30 s TOTP time step) as the user's last accepted code; false when that
    /// step or a later one was already accepted, so each code works once (RFC 6238 §5.2).
    public func claimTOTPStep(userID: String, step: Int) async throws -> Bool {
        try await engine.transaction { db in
            let claimed = try await db.raw("""
                UPDATE users SET totp_last_step = \(bind: step)
                WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                """).all()
            return !claimed.isEmpty
        }
    }

    public func setTOTPEnabled(userID: String, enabled: Bool) async throws {
        try await engine.transaction { db in
            if enabled {
                try await db.exec("UPDATE users SET totp_enabled = \(true) WHERE id = \(bind: userID)")
            } else {
                try await db.exec("UPDATE users SET totp_enabled = \(false), totp_secret = NULL WHERE id = \(bind: userID)")
            }
        }
    }

    public func setSuperadmin(userID: String, _ value: Bool) async throws {
        try await engine.transaction { db in
            try await db.exec("UPDATE users SET is_superadmin = \(bind: value) WHERE id = \(bind: userID)")
        }
    }
}

extension ParleyStore {
    /// Number of user accounts; zero means a fresh installation.
    public func userCount() async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }
}
