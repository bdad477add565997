import Foundation
import Logging
import ParleyCore
import SQLKit

/// All persistence for Parley. Tenant data is reached only through a `TenantScope`.
///
/// The store is split by concept across `ParleyStore+*.swift` files; this file holds what they share.
public final class ParleyStore: Sendable {
    public let engine: any DatabaseEngine
    let clock: any WallClock
    let logger: Logger
    let rowDecoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)
    /// Members' sends without an attachment on PostgreSQL, written together per organization.
    let messageWrites: GroupCommit<RenderedMessage, Int>

    public init(engine: any DatabaseEngine, clock: any WallClock = SystemClock(), logger: Logger) {
        self.engine = engine
        // 64 messages' event ids stay far below NOTIFY's 8000-byte payload limit. Two writes in flight
        // overlap one's round trip with the other's time under the lock; more only made batches
        // smaller (about 10% more database CPU in the fan-out benchmark with four).
        self.messageWrites = GroupCommit(maxBatch: 64, maxWriters: 2) { orgID, messages in
            await Self.writeGroup(engine, orgID: orgID, messages)
        }
        self.clock = clock
        self.logger = logger
    }

    public var dialect: SQLDialectKind { engine.dialect }

    var nowMS: Int { Timestamp.milliseconds(clock.now()) }

    /// Runs a trivial query; `/ready` uses it to prove the database answers.
    public func ping() async throws {
        _ = try await engine.read { db in try await db.raw("SELECT 1 AS one").first() }
    }

    /// Encodes an event or payload with the public API's JSON conventions.
    static func encodeJSON(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.makeEncoder().encode(value), as: UTF8.self)
    }
}
