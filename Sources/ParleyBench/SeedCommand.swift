import ArgumentParser
import Foundation
import Logging
import ParleyCore
import ParleyServer

/// Fills a data directory (SQLite) or an empty PostgreSQL database with one large organization, for
/// benchmarks that then run `parley serve` on it (the dashboard's load time, for one). Prints one
/// JSON line with the owner's credentials on standard output; progress goes to standard error.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Seed one large organization for benchmarks.")

    @Option(help: "The data directory `parley serve --data-dir` will use (SQLite lives there).")
    var dataDir: String

    @Option(help: "postgres://… to seed PostgreSQL instead (the database should be empty).")
    var databaseURL: String?

    @Option(help: "Conversations to seed.") var conversations = 10_000
    @Option(help: "Messages per conversation.") var messagesPerConversation = 5

    struct Credentials: Encodable {
        let email: String, password: String, orgId: String
    }

    func run() async throws {
        var logger = Logger(label: "parley-bench")
        logger.logLevel = .error
        var config = ParleyConfiguration()
        config.dataDirectory = dataDir
        config.databaseURL = databaseURL
        config.bcryptCost = 4
        config.jwtSecret = RandomToken.make(length: 48)
        config.logLevel = .error
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)

        let runtime = try await ParleyRuntime.open(config: config, logger: logger)
        let seeded: InboxSeeder.Seeded
        do {
            seeded = try await InboxSeeder(runtime: runtime, conversations: conversations, messagesPerConversation: messagesPerConversation)
                .seed { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
        let line = try JSONCoding.makeEncoder().encode(Credentials(email: seeded.ownerEmail, password: InboxSeeder.password, orgId: seeded.orgID))
        FileHandle.standardOutput.write(line + Data("\n".utf8))
    }
}
