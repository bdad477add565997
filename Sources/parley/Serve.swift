import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ParleyServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Parley server (default command).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (PARLEY_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (PARLEY_PORT, default 8080; 0 picks a free one).")
    var port: Int?

    func run() async throws {
        let config = try common.configuration { config in
            if let host { config.host = host }
            if let port { config.port = port }
        }
        let logger = common.bootstrapLogging(config)
        // A second server on the same SQLite file would corrupt nothing but would serve stale
        // realtime state; refuse it while this one holds the lock.
        let lock = config.databaseURL == nil ? try DataDirectoryLock.acquire(directory: config.dataDirectory) : nil
        defer { lock?.release() }
        let runtime = try await ParleyRuntime.open(config: config, logger: logger)
        let firstRun = try await FirstRun.seedIfEmpty(runtime)
        do {
            try await serve(runtime: runtime) { port in
                Self.printBanner(config: config, port: port, firstRun: firstRun, database: runtime.store.dialect.rawValue)
            }
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
    }

    static func printBanner(config: ParleyConfiguration, port: Int, firstRun: FirstRun.Credentials?, database: String) {
        let url = config.publicURL ?? "http://\(config.host):\(port)"
        var lines = ["", "Parley is running at \(url)  (\(database), \(config.mode.rawValue) mode)",
                     "Dashboard: \(url)/app"]
        if let firstRun {
            lines += [
                "First run: created a demo organization, an owner and a site.",
                "  log in:    \(url)/app/login (or POST \(url)/api/v1/auth/login)",
                "  email:     \(firstRun.email)",
                "  password:  \(firstRun.password)",
                "  site key:  \(firstRun.siteKey)",
                "  widget:    \(url)/widget/demo.html?site=\(firstRun.siteKey)",
                "  (saved in \(config.dataDirectory)/initial-credentials.json)",
            ]
        }
        lines.append("API description: \(url)/openapi.json   health: \(url)/health")
        // Written straight to the file descriptor: print() is block-buffered when stdout is a pipe, and
        // whoever waits for the banner (systemd, scripts) would not see it.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n\n").utf8))
    }
}
