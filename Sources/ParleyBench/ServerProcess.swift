import Foundation

/// A `parley serve` child process for benchmarks, so its memory and CPU are measured apart from
/// the load generator's.
final class ServerProcess {
    let process = Process()
    let port: Int
    let dataDirectory: String

    /// Starts the server on a free port and waits for its banner.
    init(executable: String, databaseURL: String?, environment extra: [String: String]) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bench-server-\(UUID().uuidString)").path
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory] + (databaseURL.map { ["--database-url", $0] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_BCRYPT_COST"] = "4"
        environment["PARLEY_LOG_LEVEL"] = "error"
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        do {
            port = try Self.readPort(from: output.fileHandleForReading)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// The banner line "Parley is running at http://127.0.0.1:PORT" tells the chosen port.
    private static func readPort(from handle: FileHandle) throws -> Int {
        var text = ""
        while !text.contains("Parley is running at") {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { throw BenchError("the server exited before it was ready") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(text[match].split(separator: ":").last ?? "")
        else { throw BenchError("no port in the server banner: \(text)") }
        return port
    }

    /// Resident memory in bytes (from /proc).
    var residentBytes: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// User plus system CPU time used so far, in seconds.
    var cpuSeconds: Double {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
