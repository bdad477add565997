import Foundation
import Logging
import PostgresNIO
import ParleyStore

/// A signal that is shown live and never stored (typing, presence). It reaches every instance's
/// subscribers of the conversation — or, without one, of the organization's inbox — except the
/// connection it came from.
public struct EphemeralSignal: Codable, Sendable, Equatable {
    public let orgID: String
    public let conversationID: String?
    /// The connection that sent it, which must not get it back.
    public let senderSinkID: String
    /// The frame as subscribers receive it.
    public let text: String
    /// Also for the organization's inbox subscribers, not only the conversation's.
    /// (Optional so that instances of the previous release, which do not send it, still decode.)
    public let inbox: Bool?
    /// For members only: never handed to a visitor's socket.
    public let membersOnly: Bool?
    /// For the organization's visitor sockets only (agent availability), not for members.
    public let visitors: Bool?

    public init(orgID: String, conversationID: String?, senderSinkID: String, text: String, inbox: Bool = false,
                membersOnly: Bool = false, visitors: Bool = false) {
        self.orgID = orgID
        self.conversationID = conversationID
        self.senderSinkID = senderSinkID
        self.text = text
        self.inbox = inbox
        self.membersOnly = membersOnly
        self.visitors = visitors
    }
}

/// Carries ephemeral signals to every instance (including this one).
public protocol EphemeralBus: Sendable {
    func publish(_ signal: EphemeralSignal) async throws
    /// Runs until cancelled, handing every published signal to `deliver`.
    func run(deliver: @escaping @Sendable (EphemeralSignal) async -> Void) async throws
}

/// SQLite runs one instance, so the bus is a stream inside the process.
public final class InProcessEphemeralBus: EphemeralBus {
    private let stream: AsyncStream<EphemeralSignal>
    private let continuation: AsyncStream<EphemeralSignal>.Continuation

    public init() {
        // Typing is worth nothing late: under pressure the oldest signals are dropped.
        (stream, continuation) = AsyncStream.makeStream(of: EphemeralSignal.self, bufferingPolicy: .bufferingNewest(1024))
    }

    public func publish(_ signal: EphemeralSignal) async throws {
        continuation.yield(signal)
    }

    public func run(deliver: @escaping @Sendable (EphemeralSignal) async -> Void) async throws {
        for await signal in stream { await deliver(signal) }
    }
}

/// PostgreSQL: NOTIFY on `parley_ephemeral` with the signal as JSON (far below the 8000-byte
/// payload limit: typing frames are tiny), LISTENed by every instance.
public struct PostgresEphemeralBus: EphemeralBus {
    public static let channel = "parley_ephemeral"
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func publish(_ signal: EphemeralSignal) async throws {
        let payload = String(decoding: try JSONEncoder().encode(signal), as: UTF8.self)
        try await client.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
    }

    public func run(deliver: @escaping @Sendable (EphemeralSignal) async -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.channel) { notifications in
                for try await notification in notifications {
                    guard let signal = try? JSONDecoder().decode(EphemeralSignal.self, from: Data(notification.payload.utf8)) else {
                        continue
                    }
                    await deliver(signal)
                }
            }
        }
    }
}
