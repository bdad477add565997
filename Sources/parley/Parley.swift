import ArgumentParser
import Foundation
import Logging
import ParleyServer

@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley: multi-tenant live chat and customer support.",
        subcommands: [Serve.self, Migrate.self, OrgCommand.self, UserCommand.self],
        defaultSubcommand: Serve.self)
}

/// Flags shared by every command; each overrides its environment variable.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (PARLEY_DATA_DIR, default ./parley-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://… to use PostgreSQL (DATABASE_URL); SQLite otherwise.")
    var databaseURL: String?

    @Option(name: .customLong("env"), help: "development or production (PARLEY_ENV).")
    var mode: String?

    func configuration(_ extra: (inout ParleyConfiguration) -> Void = { _ in }) throws -> ParleyConfiguration {
        var environment = ProcessInfo.processInfo.environment
        if let mode { environment["PARLEY_ENV"] = mode }
        return try ConfigurationLoader.load(environment: environment) { config in
            if let dataDirectory { config.dataDirectory = dataDirectory }
            if let databaseURL { config.databaseURL = databaseURL }
            extra(&config)
        }
    }

    func bootstrapLogging(_ config: ParleyConfiguration) -> Logger {
        LoggingSystem.bootstrap { label in
            switch config.logFormat {
            case .json:
                return JSONLogHandler(label: label, level: config.logLevel)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = config.logLevel
                return handler
            }
        }
        return Logger(label: "parley")
    }
}
