import Foundation
import Logging
import ParleyCore
import ParleyStore
import ParleyRealtime
import Prometheus

/// Opens the database chosen by the configuration, applies migrations and assembles the services.
/// `shutdown()` closes what `open` started, after the HTTP server has drained.
public final class ParleyRuntime: Sendable {
    public let services: ParleyServices
    public let engine: any DatabaseEngine
    public let migrator: Migrator
    public let logger: Logger
    /// This instance's realtime subscriptions, fed by `feedTask` with committed events.
    public let hub: Hub
    private let poolTask: Task<Void, Never>?
    private let feedTask: Task<Void, Never>

    public static func open(config: ParleyConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
                            migrate: Bool = true) async throws -> ParleyRuntime {
        var config = config
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        try DevelopmentSecrets.fill(&config, logger: logger)
        let engine: any DatabaseEngine
        var poolTask: Task<Void, Never>?
        let makeFeed: (ParleyStore) -> any EventFeed
        if let url = config.databaseURL {
            let postgres = try PostgresEngine(url: url, maxConnections: config.databaseMaxConnections, logger: logger)
            poolTask = Task { try? await postgres.run() }
            engine = postgres
            makeFeed = { PostgresEventFeed(client: postgres.client, store: $0) }
        } else {
            let sqlite = try await SQLiteEngine.open(path: config.sqlitePath, logger: logger)
            engine = sqlite
            makeFeed = { SQLiteEventFeed(store: $0, commits: sqlite.commits) }
        }
        let migrator = Migrator(engine: engine, logger: logger)
        if migrate {
            do {
                try await migrator.migrate()
            } catch {
                poolTask?.cancel()
                await engine.shutdown()
                throw error
            }
        }
        let store = ParleyStore(engine: engine, clock: clock, logger: logger)
        let tokens = await TokenService(secret: config.jwtSecret, previousSecrets: config.jwtPreviousSecrets,
                                        accessTTL: config.accessTokenTTL, refreshTTL: config.refreshTokenTTL, clock: clock)
        let services = ParleyServices(config: config, store: store, tokens: tokens,
                                      passwords: PasswordHasher(cost: config.bcryptCost),
                                      metrics: ParleyMetrics(engine: engine), clock: clock)
        let hub = Hub()
        let feedTask = Task { await Self.runFeed(makeFeed(store), into: hub, logger: logger) }
        return ParleyRuntime(services: services, engine: engine, migrator: migrator, logger: logger, hub: hub,
                             poolTask: poolTask, feedTask: feedTask)
    }

    private init(services: ParleyServices, engine: any DatabaseEngine, migrator: Migrator, logger: Logger, hub: Hub,
                 poolTask: Task<Void, Never>?, feedTask: Task<Void, Never>) {
        self.services = services
        self.engine = engine
        self.migrator = migrator
        self.logger = logger
        self.hub = hub
        self.poolTask = poolTask
        self.feedTask = feedTask
    }

    /// Keeps the event feed running: a lost LISTEN connection is re-established after a pause.
    /// Clients lose nothing meanwhile: they resume from the database by sequence.
    private static func runFeed(_ feed: any EventFeed, into hub: Hub, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await feed.run { hub.deliver($0) }
            } catch is CancellationError {
                return
            } catch {
                logger.error("realtime event feed stopped; restarting", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    public var store: ParleyStore { services.store }

    public func shutdown() async {
        feedTask.cancel()
        await feedTask.value
        await engine.shutdown()
        poolTask?.cancel()
        await poolTask?.value
    }
}
