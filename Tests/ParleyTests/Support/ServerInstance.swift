import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A separate `parley serve` process (the built executable), for tests that need several instances
/// or need to kill one.
final class ServerInstance: @unchecked Sendable {
    // @unchecked: `process` is only started in init and signalled afterwards; Process itself is
    // thread-safe for these calls but not marked Sendable.
    private let process = Process()
    let port: Int
    let dataDirectory: String

    /// Starts one and waits for its banner, off the cooperative pool (reading the pipe blocks).
    static func start(databaseURL: String?, secret: String, dataDirectory: String? = nil) async throws -> ServerInstance {
        try await offThePool { try ServerInstance(databaseURL: databaseURL, secret: secret, dataDirectory: dataDirectory) }
    }

    /// On PostgreSQL at `databaseURL`, or on SQLite in `dataDirectory` (a fresh one by default).
    private init(databaseURL: String?, secret: String, dataDirectory: String?) throws {
        self.dataDirectory = dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("parley-instance-\(UUID().uuidString)").path
        process.executableURL = ParleyCommand.executable
        process.arguments = ["serve", "--port", "0", "--data-dir", self.dataDirectory] + (databaseURL.map { ["--database-url", $0] } ?? [])
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARLEY_") }
        environment["PARLEY_JWT_SECRET"] = secret
        environment["PARLEY_BCRYPT_COST"] = "4"
        environment["PARLEY_LOG_LEVEL"] = "error"
        // Test clients send as fast as acks come back; the per-socket rate limit is tested elsewhere.
        environment["PARLEY_WS_BURST"] = "10000"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var banner = ""
        while !banner.contains("Parley is running at") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = banner.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression),
            let port = Int(banner[range].split(separator: ":")[1])
        else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no banner from parley serve: \(banner)"])
        }
        self.port = port
    }

    /// Kills the instance without any chance to clean up, like a crashed machine.
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks for a graceful shutdown (SIGTERM), as a service manager or a rolling upgrade does.
    func terminate() {
        process.terminate()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
