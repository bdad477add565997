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
    /// Carries typing signals to every instance.
    public let ephemeral: any EphemeralBus
    public let presence: PresenceTracker
    /// This instance's open WebSockets (closed with 1001 on graceful shutdown).
    public let sockets: SocketRegistry
    private let poolTask: Task<Void, Never>?
    private let feedTasks: [Task<Void, Never>]

    public static func open(config: ParleyConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
                            migrate: Bool = true) async throws -> ParleyRuntime {
        var config = config
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        try DevelopmentSecrets.fill(&config, logger: logger)
        let engine: any DatabaseEngine
        var poolTask: Task<Void, Never>?
        let makeFeed: (ParleyStore) -> any EventFeed
        let ephemeral: any EphemeralBus
        if let url = config.databaseURL {
            let postgres = try PostgresEngine(url: url, maxConnections: config.databaseMaxConnections, logger: logger)
            poolTask = Task { try? await postgres.run() }
            engine = postgres
            makeFeed = { _ in PostgresEventFeed(client: postgres.client, logger: logger) }
            ephemeral = PostgresEphemeralBus(client: postgres.client, logger: logger)
        } else {
            let sqlite = try await SQLiteEngine.open(path: config.sqlitePath, logger: logger)
            engine = sqlite
            makeFeed = { SQLiteEventFeed(store: $0, commits: sqlite.commits) }
            ephemeral = InProcessEphemeralBus()
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
                                        accessTTL: config.accessTokenTTL, refreshTTL: config.refreshTokenTTL,
                                        visitorTTL: config.visitorTokenTTL, clock: clock)
        let services = ParleyServices(config: config, store: store, tokens: tokens,
                                      passwords: PasswordHasher(cost: config.bcryptCost),
                                      metrics: ParleyMetrics(engine: engine), clock: clock)
        let hub = Hub()
        let sockets = SocketRegistry()
        let feed = makeFeed(store)
        let presence = PresenceTracker(store: store, bus: ephemeral, clock: clock, logger: logger)
        let feedTasks = [
            Task {
                await Self.keepRunning("event feed", logger: logger) {
                    try await feed.run { events in
                        sockets.revokeLostAccess(events)  // first: nothing of the batch reaches them
                        hub.deliver(events)
                    }
                }
            },
            Task { await Self.keepRunning("ephemeral bus", logger: logger) { try await ephemeral.run { hub.deliver($0) } } },
            Task { await presence.run() },
            Task {
                await AttachmentSweeper(store: store, storage: services.attachmentStorage, clock: clock, logger: logger)
                    .run(every: config.attachmentSweepInterval)
            },
        ]
        return ParleyRuntime(services: services, engine: engine, migrator: migrator, logger: logger, hub: hub, sockets: sockets,
                             ephemeral: ephemeral, presence: presence, poolTask: poolTask, feedTasks: feedTasks)
    }

    private init(services: ParleyServices, engine: any DatabaseEngine, migrator: Migrator, logger: Logger, hub: Hub, sockets: SocketRegistry,
                 ephemeral: any EphemeralBus, presence: PresenceTracker, poolTask: Task<Void, Never>?,
                 feedTasks: [Task<Void, Never>]) {
        self.presence = presence
        self.services = services
        self.engine = engine
        self.migrator = migrator
        self.logger = logger
        self.hub = hub
        self.sockets = sockets
        self.ephemeral = ephemeral
        self.poolTask = poolTask
        self.feedTasks = feedTasks
    }

    /// Keeps a realtime feed running: a lost LISTEN connection is re-established after a pause.
    /// Clients lose no events meanwhile: they resume from the database by sequence.
    private static func keepRunning(_ name: String, logger: Logger, _ body: @Sendable () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await body()
            } catch is CancellationError {
                return
            } catch {
                logger.error("realtime \(name) stopped; restarting", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    public var store: ParleyStore { services.store }

    public func shutdown() async {
        // Sockets the server left open (a drain that timed out, or tests) record their departure first.
        await sockets.closeAll(within: .seconds(5))
        for task in feedTasks { task.cancel() }
        for task in feedTasks { await task.value }
        await engine.shutdown()
        poolTask?.cancel()
        await poolTask?.value
    }
}
