import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOPosix
import Logging
import NIOCore
import ParleyCore
import ParleyServer
import Synchronization

/// Realtime load: fan-out latency and throughput, and memory per idle connection, against a
/// `parley serve` child process (so server figures exclude the load generator).
struct RealtimeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "realtime", abstract: "WebSocket fan-out and idle-connection figures.",
                                                    subcommands: [FanOut.self, Idle.self])

    struct Common: ParsableArguments {
        @Option(help: "The parley executable to benchmark.") var server = ".build-release/release/parley"
        @Option(help: "postgres://… (an empty database) to run on PostgreSQL; SQLite otherwise.") var databaseURL: String?

        /// Rate limits out of the way: one organization's load generator is not an abuser.
        static let unlimited = ["PARLEY_WS_RATE": "100000", "PARLEY_WS_BURST": "100000", "PARLEY_WS_ORG_RATE": "1000000",
                                "PARLEY_WS_ORG_BURST": "1000000"]
    }

    struct FanOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fanout",
                                                        abstract: "R conversations × M subscribed members, one sender each.")
        @OptionGroup var common: Common
        @Option(help: "Conversations (R).") var conversations = 10
        @Option(help: "Subscribed members per conversation (M), the sender included.") var members = 50
        @Option(help: "Messages per second per sender.") var rate = 100
        @Option(help: "Seconds of sending.") var seconds = 10

        func run() async throws {
            let server = try ServerProcess(executable: common.server, databaseURL: common.databaseURL, environment: Common.unlimited)
            defer { server.stop() }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = http.shutdown() }
            let api = BenchClient(http: http, base: "http://127.0.0.1:\(server.port)")
            let (orgID, tokens) = try await api.team(agents: members - 1)
            let conversationIDs = try await Self.startConversations(conversations, orgID: orgID, server: server, databaseURL: common.databaseURL)

            let recorder = FanOutRecorder()
            let origin = ContinuousClock.now
            let path = "/ws?org=\(orgID)&access_token="
            let port = server.port
            let (ready, readySignal) = AsyncStream.makeStream(of: Void.self)
            let start = Latch()
            let sockets = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (number, conversation) in conversationIDs.enumerated() {
                        // Senders are spread over the interval, as independent people are, instead of
                        // all sending in the same instant.
                        let phase = Duration.seconds(1) / rate * number / conversationIDs.count
                        for (index, token) in tokens.enumerated() {
                            group.addTask {
                                try await Self.socket(port: port, path: path + token, conversation: conversation,
                                                      sender: index == 0 ? phase : nil, rate: rate,
                                                      seconds: seconds, origin: origin, recorder: recorder, ready: readySignal,
                                                      start: start)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var readyCount = 0
            for await _ in ready {
                readyCount += 1
                if readyCount == conversations * members { break }
            }
            Report.line("Fan-out on \(common.databaseURL == nil ? "sqlite" : "postgres"): \(conversations) conversations × \(members) members, "
                  + "\(rate) msg/s per sender for \(seconds) s (\(conversations * members) sockets)")
            let cpuBefore = server.cpuSeconds
            let began = ContinuousClock.now
            start.open()
            let expected = conversations * rate * seconds * members
            await recorder.waitForDeliveries(expected, graceAfterSending: .seconds(seconds * 3 + 10))
            let elapsed = ContinuousClock.now - began
            let cpu = server.cpuSeconds - cpuBefore
            sockets.cancel()
            recorder.report(expected: expected, elapsed: elapsed, serverCPU: cpu, members: members)
        }

        static func startConversations(_ count: Int, orgID: String, server: ServerProcess, databaseURL: String?) async throws -> [String] {
            var config = ParleyConfiguration()
            config.dataDirectory = server.dataDirectory
            config.databaseURL = databaseURL
            config.bcryptCost = 4
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let runtime = try await ParleyRuntime.open(config: config, logger: logger, migrate: false)
            defer { Task { await runtime.shutdown() } }
            guard let scope = try await runtime.store.operatorScope(orgID: orgID) else { throw BenchError("no organization") }
            let site = try await runtime.store.createSite(scope, name: "Bench", allowedOrigins: [])
            var ids: [String] = []
            for index in 0..<count {
                ids.append(try await runtime.store.startConversation(scope, siteID: site.id, visitorName: "V\(index)", visitorEmail: nil,
                                                                     firstMessage: nil).id)
            }
            return ids
        }

        /// One member's socket; with `sender`, it also sends `rate` messages a second, starting `sender` after the start.
        static func socket(port: Int, path: String, conversation: String, sender: Duration?, rate: Int, seconds: Int,
                           origin: ContinuousClock.Instant, recorder: FanOutRecorder, ready: AsyncStream<Void>.Continuation,
                           start: Latch) async throws {
            let subscribed = Latch()
            let socket = try await LeanWebSocket.connect(port: port, path: path, group: MultiThreadedEventLoopGroup.singleton) { frame in
                if let sent = FanOutRecorder.sentNanoseconds(in: frame) {
                    recorder.delivered(latencyNanoseconds: (ContinuousClock.now - origin).nanoseconds - sent)
                } else if FanOutRecorder.isMessageAck(frame) {
                    recorder.acked()
                } else if frame.readableBytesView.starts(with: #"{"type":"ack","id":"s""#.utf8) {
                    subscribed.open()
                }
            }
            defer { socket.close() }
            socket.send(#"{"type":"subscribe","id":"s","conversation_id":"\#(conversation)"}"#)
            await subscribed.wait()
            ready.yield()
            if let phase = sender {
                await start.wait()
                let interval = Duration.seconds(1) / rate
                var next = ContinuousClock.now + phase
                for index in 0..<(rate * seconds) {
                    next += interval
                    try await Task.sleep(until: next)  // pacing the load generator, not waiting for a result
                    let sent = (ContinuousClock.now - origin).nanoseconds
                    socket.send(#"{"type":"send","id":"\#(index)","conversation_id":"\#(conversation)","body":"t=\#(sent)","client_id":"b\#(index)"}"#)
                }
            }
            try? await Task.sleep(for: .seconds(24 * 3600))  // until the run is over and cancels us
        }
    }

    struct Idle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "idle", abstract: "Server memory per idle authenticated connection.")
        @OptionGroup var common: Common
        @Option(help: "Connections to open.") var connections = 10_000

        func run() async throws {
            let server = try ServerProcess(executable: common.server, databaseURL: common.databaseURL, environment: Common.unlimited)
            defer { server.stop() }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = http.shutdown() }
            let (orgID, tokens) = try await BenchClient(http: http, base: "http://127.0.0.1:\(server.port)").team(agents: 0)
            let path = "/ws?org=\(orgID)&access_token=\(tokens[0])"
            let port = server.port
            let before = server.residentBytes
            // Clients arrive in waves, as they do in life, rather than 10,000 in the same instant.
            var sockets: [LeanWebSocket] = []
            for wave in stride(from: 0, to: connections, by: Self.wave) {
                sockets += try await withThrowingTaskGroup(of: LeanWebSocket.self) { group in
                    for _ in wave..<min(wave + Self.wave, connections) {
                        group.addTask { try await Self.answeredSocket(port: port, path: path) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let after = server.residentBytes
            Report.line("Idle connections: \(connections) open; server RSS \(before / 1024) KiB → \(after / 1024) KiB, "
                  + String(format: "%.1f KiB per connection", Double(after - before) / 1024 / Double(connections)))
            for socket in sockets { socket.close() }
        }

        static let wave = 500

        /// A socket that is authenticated and has had its ping answered: nothing of it is still in flight.
        static func answeredSocket(port: Int, path: String) async throws -> LeanWebSocket {
            let answered = Latch()
            let socket = try await LeanWebSocket.connect(port: port, path: path, group: MultiThreadedEventLoopGroup.singleton) { frame in
                if frame.readableBytesView.starts(with: #"{"type":"ack","id":"p""#.utf8) { answered.open() }
            }
            socket.send(#"{"type":"ping","id":"p"}"#)
            await answered.wait()
            return socket
        }
    }
}

/// Counts deliveries and keeps their latencies.
final class FanOutRecorder: Sendable {
    private let latencies = Mutex<[Int64]>([])
    private let acks = Atomic<Int>(0)

    func delivered(latencyNanoseconds: Int64) { latencies.withLock { $0.append(latencyNanoseconds) } }
    func acked() { acks.add(1, ordering: .relaxed) }

    var deliveries: Int { latencies.withLock { $0.count } }

    /// Waits (checking every 100 ms) until `expected` deliveries arrived or the grace period ends.
    func waitForDeliveries(_ expected: Int, graceAfterSending: Duration) async {
        let deadline = ContinuousClock.now + graceAfterSending
        while deliveries < expected, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private static let eventPrefix = Array(#"{"type":"event""#.utf8)
    private static let ackPrefix = Array(#"{"type":"ack""#.utf8)
    private static let sentMarker = Array(#""body":"t="#.utf8)
    private static let messageMarker = Array(#""message""#.utf8)

    /// The send time a benchmark message carries in its body (`t=<ns>`), if the frame is one.
    static func sentNanoseconds(in frame: ByteBuffer) -> Int64? {
        frame.withUnsafeReadableBytes { bytes -> Int64? in
            guard bytes.starts(with: eventPrefix), let start = find(sentMarker, in: bytes).map({ $0 + sentMarker.count }) else { return nil }
            var value: Int64 = 0
            var index = start
            while index < bytes.count, (48...57).contains(bytes[index]) {
                value = value * 10 + Int64(bytes[index] - 48)
                index += 1
            }
            return index > start ? value : nil
        }
    }

    static func isMessageAck(_ frame: ByteBuffer) -> Bool {
        frame.withUnsafeReadableBytes { $0.starts(with: ackPrefix) && find(messageMarker, in: $0) != nil }
    }

    /// The offset of `needle` in `bytes`, by a plain loop: Foundation's generic `firstRange(of:)`
    /// cost the load generator a quarter of the machine at 35,000 frames a second.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == first {
                var matched = 1
                while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    func report(expected: Int, elapsed: Duration, serverCPU: Double, members: Int) {
        let sorted = latencies.withLock { $0.sorted() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func ms(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "-" }
            return String(format: "%.2f ms", Double(sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count - 1)))]) / 1e6)
        }
        let messages = acks.load(ordering: .relaxed)
        // Lost = deliveries owed for acked messages that never arrived (unsent messages are not losses).
        Report.line(String(format: "  messages acked %d of %d (%.0f/s), deliveries %d (%.0f/s), lost %d", messages, expected / members,
                     Double(messages) / seconds, sorted.count, Double(sorted.count) / seconds, max(0, messages * members - sorted.count)))
        Report.line("  latency send→delivery p50 \(ms(50))  p99 \(ms(99))  max \(ms(100))")
        Report.line(String(format: "  server CPU %.2f s, %.1f µs per delivery", serverCPU, sorted.isEmpty ? 0 : serverCPU * 1e6 / Double(sorted.count)))
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
