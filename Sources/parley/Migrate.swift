import ArgumentParser
import ParleyServer
import ParleyStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (or revert the last one).")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Revert the most recently applied migration instead.")
    var revertLast = false

    func run() async throws {
        let config = try common.configuration()
        let logger = common.bootstrapLogging(config)
        let runtime = try await ParleyRuntime.open(config: config, logger: logger, migrate: false)
        defer { Task { await runtime.shutdown() } }
        if revertLast {
            let version = try await runtime.migrator.revertLast()
            print(version.map { "reverted migration \($0)" } ?? "no migration to revert")
        } else {
            let applied = try await runtime.migrator.migrate()
            print(applied.isEmpty ? "schema is up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        }
        await runtime.shutdown()
    }
}
