import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`.
///
/// The client must be running (`run()`, a lifecycle service) for connections to be leased.
public final class PostgresEngine: DatabaseEngine, Service {
    public let dialect = SQLDialectKind.postgres
    public let client: PostgresClient
    public let configuration: PostgresClient.Configuration
    private let logger: Logger
    private let inUse = Atomic<Int>(0)

    public init(url: String, maxConnections: Int = 20, logger: Logger) throws {
        var configuration = try PostgresURL.parse(url)
        configuration.options.maximumConnections = maxConnections
        self.configuration = configuration
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        await client.run()
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    public func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            inUse.add(1, ordering: .relaxed)
            defer { inUse.subtract(1, ordering: .relaxed) }
            return try await body(PostgresSession(connection))
        }
    }

    public func autocommit<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await read(body)
    }

    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            inUse.add(1, ordering: .relaxed)
            defer { inUse.subtract(1, ordering: .relaxed) }
            return try await PostgresSession(connection).inTransaction(body)
        }
    }

    public func shutdown() async {}
}
