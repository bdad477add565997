import Foundation
import Logging
import ParleyCore
import ParleyStore
import Prometheus

/// Opens the database chosen by the configuration, applies migrations and assembles the services.
/// `shutdown()` closes what `open` started, after the HTTP server has drained.
public final class ParleyRuntime: Sendable {
    public let services: ParleyServices
    public let engine: any DatabaseEngine
    public let migrator: Migrator
    public let logger: Logger
    private let poolTask: Task<Void, Never>?

    public static func open(config: ParleyConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
                            migrate: Bool = true) async throws -> ParleyRuntime {
        var config = config
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        try DevelopmentSecrets.fill(&config, logger: logger)
        let engine: any DatabaseEngine
        var poolTask: Task<Void, Never>?
        if let url = config.databaseURL {
            let postgres = try PostgresEngine(url: url, maxConnections: config.databaseMaxConnections, logger: logger)
            poolTask = Task { try? await postgres.run() }
            engine = postgres
        } else {
            engine = try await SQLiteEngine.open(path: config.sqlitePath, logger: logger)
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
        return ParleyRuntime(services: services, engine: engine, migrator: migrator, logger: logger, poolTask: poolTask)
    }

    private init(services: ParleyServices, engine: any DatabaseEngine, migrator: Migrator, logger: Logger,
                 poolTask: Task<Void, Never>?) {
        self.services = services
        self.engine = engine
        self.migrator = migrator
        self.logger = logger
        self.poolTask = poolTask
    }

    public var store: ParleyStore { services.store }

    public func shutdown() async {
        await engine.shutdown()
        poolTask?.cancel()
        await poolTask?.value
    }
}
