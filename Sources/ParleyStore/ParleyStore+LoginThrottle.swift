import Foundation
import SQLKit

/// Failed-login counting in the database, so a lockout holds across restarts and instances.
extension ParleyStore {
    public struct ThrottlePolicy: Sendable {
        public var maxFailures: Int
        public var window: TimeInterval
        public var lockout: TimeInterval

        public init(maxFailures: Int, window: TimeInterval, lockout: TimeInterval) {
            self.maxFailures = maxFailures
            self.window = window
            self.lockout = lockout
        }
    }

    /// When the key is locked out, the moment the lock ends.
    public func loginLockedUntil(key: String) async throws -> Date? {
        let until = try await engine.read { db in
            try await db.raw("SELECT locked_until FROM login_throttle WHERE throttle_key = \(bind: key)")
                .first(decodingColumn: "locked_until", as: Int?.self)
        }
        guard let until = until ?? nil, until > nowMS else { return nil }
        return Timestamp.date(until)
    }

    /// Counts one failure; returns the lock end when this failure reached the limit.
    @discardableResult
    public func recordLoginFailure(key: String, policy: ThrottlePolicy) async throws -> Date? {
        let now = nowMS
        let windowStart = now - Int(policy.window * 1000)
        let lockUntil = now + Int(policy.lockout * 1000)
        return try await engine.transaction { db in
            // One upsert: a stale window restarts the count, otherwise it grows; crossing the limit locks.
            let row = try await db.raw("""
                INSERT INTO login_throttle (throttle_key, failures, window_started_at, locked_until)
                VALUES (\(bind: key), 1, \(bind: now), NULL)
                ON CONFLICT (throttle_key) DO UPDATE SET
                    failures = CASE WHEN login_throttle.window_started_at < \(bind: windowStart) THEN 1 ELSE login_throttle.failures + 1 END,
                    window_started_at = CASE WHEN login_throttle.window_started_at < \(bind: windowStart) THEN \(bind: now) ELSE login_throttle.window_started_at END
                RETURNING failures
                """).first(decodingColumn: "failures", as: Int.self) ?? 0
            guard row >= policy.maxFailures else { return nil }
            try await db.exec("""
                UPDATE login_throttle SET locked_until = \(bind: lockUntil), failures = 0, window_started_at = \(bind: now)
                WHERE throttle_key = \(bind: key)
                """)
            return Timestamp.date(lockUntil)
        }
    }

    public func clearLoginFailures(key: String) async throws {
        try await engine.transaction { db in
            try await db.exec("DELETE FROM login_throttle WHERE throttle_key = \(bind: key)")
        }
    }
}
