import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import Logging
import ParleyCore
import ParleyServer
import Testing

/// Runs `body` against a real Parley server on a free port (HTTP and WebSocket), on `backend`.
func withLiveParley<R: Sendable>(
    _ backend: Backend, configure: (inout ParleyConfiguration) -> Void = { _ in }, _ body: @Sendable (TestAPI) async throws -> R
) async throws -> R {
    try await withTestRuntime(backend, clock: SystemClock(), configure: { config in
        config.port = 0
        configure(&config)
    }) { runtime in
        try await buildApplication(runtime: runtime).test(.live) { client in
            try await body(TestAPI(client: client, runtime: runtime, clock: ManualClock()))
        }
    }
}

/// One test WebSocket: send commands, read frames as JSON objects.
struct SocketProbe {
    let outbound: WebSocketOutboundWriter
    var messages: WebSocketInboundMessageStream.AsyncIterator

    typealias Frame = [String: any Sendable]

    mutating func next() async throws -> Frame? {
        while let message = try await messages.next() {
            guard case .text(let text) = message else { continue }
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? Frame
        }
        return nil
    }

    /// The next frame answering command `id` (ack or error); event frames before it are returned too.
    mutating func reply(to id: String) async throws -> (reply: Frame, events: [Frame]) {
        var events: [Frame] = []
        while let frame = try await next() {
            if frame["id"] as? String == id { return (frame, events) }
            events.append(frame)
        }
        throw ProbeError.closed
    }

    /// Event frames until one satisfies `until` (inclusive).
    mutating func events(until: (Frame) -> Bool) async throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try await next() {
            if frame["type"] as? String == "event" { frames.append(frame) }
            if until(frame) { return frames }
        }
        throw ProbeError.closed
    }

    func send(_ command: [String: any Sendable]) async throws {
        let data = try JSONSerialization.data(withJSONObject: command)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    enum ProbeError: Error { case closed }
}

extension TestAPI {
    /// Opens `/ws` as `account` on its organization (or `org`) and runs `body` with a probe.
    @discardableResult
    func socket(_ account: Account, org: String? = nil, token: String? = nil,
                _ body: @escaping @Sendable (inout SocketProbe) async throws -> Void) async throws -> WebSocketCloseFrame? {
        try await client.ws("/ws?access_token=\(token ?? account.accessToken)&org=\(org ?? account.orgID)") { inbound, outbound, _ in
            var probe = SocketProbe(outbound: outbound, messages: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
            try await body(&probe)
        }
    }
}

extension Dictionary where Key == String, Value == any Sendable {
    var data: [String: any Sendable]? { self["data"] as? [String: any Sendable] }
}
