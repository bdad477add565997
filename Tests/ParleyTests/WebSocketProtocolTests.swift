import Foundation
import HTTPTypes
import Testing

/// The WebSocket layer itself (Parley's own handlers, not a library's): the handshake, framing,
/// keep-alive and reading pauses.
@Suite("WebSocket protocol")
struct WebSocketProtocolTests {
    @Test("a refused handshake is answered like the REST API: 401 without a valid token, 404 for a foreign organization or another path, 403 from a foreign origin",
          arguments: Backend.allCases)
    func refusedHandshakes(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let stranger = try await api.signUp()
            let site = try await api.widgetSite(owner)
            let visitor = try await api.visitorSession(site)
            let refusals: [(path: String, origin: String?, status: HTTPResponse.Status, problem: String)] = [
                ("/ws", nil, .unauthorized, "unauthorized"),
                ("/ws?access_token=not-a-token&org=\(owner.orgID)", nil, .unauthorized, "invalid-token"),
                ("/ws?access_token=\(stranger.accessToken)&org=\(owner.orgID)", nil, .notFound, "not-found"),
                ("/elsewhere?access_token=\(owner.accessToken)&org=\(owner.orgID)", nil, .notFound, "not-found"),
                ("/ws?visitor_token=\(visitor.visitorToken)", "https://evil.example", .forbidden, "origin-not-allowed"),
            ]
            let port = try #require(api.client.port)
            for refusal in refusals {
                var headers = ["X-Request-Id": "handshake-\(refusal.status.code)"]
                if let origin = refusal.origin { headers["Origin"] = origin }
                let response = try await RawWebSocket.refusal(port: port, path: refusal.path, headers: headers)
                #expect(response.hasPrefix("HTTP/1.1 \(refusal.status.code) "), "\(refusal.path): \(response)")
                #expect(response.contains("\r\nX-Request-Id: handshake-\(refusal.status.code)\r\n"), "the client's request id is echoed")
                #expect(response.contains("\r\nContent-Type: application/problem+json\r\n"))
                let body = try #require(response.components(separatedBy: "\r\n\r\n").last)
                let problem = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                #expect(problem?["type"] as? String == "urn:parley:problem:\(refusal.problem)", "\(refusal.path)")
            }
            // The same handshakes, right, are admitted.
            let member = try await RawWebSocket.open(port: port, path: "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)")
            member.sendText(#"{"type":"ping","id":"p"}"#)
            #expect(try await member.readFrame().map { String(decoding: $0.payload, as: UTF8.self) } == #"{"type":"ack","id":"p"}"#)
        }
    }

    @Test("a plain GET of /ws (no WebSocket handshake) gets 426 naming what is missing, not a 404", arguments: Backend.allCases)
    func plainRequest(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let response = try await api.request(.get, "/ws")
            #expect(response.status == .upgradeRequired)
            #expect(response.headers[.upgrade] == "websocket")
            #expect(try api.problem(response).type == "urn:parley:problem:websocket-required")
        }
    }

    @Test("a fragmented text message is reassembled into one command; pings are answered with their payload; a client's close is echoed",
          arguments: Backend.allCases)
    func framing(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let socket = try await RawWebSocket.open(port: try #require(api.client.port), path: "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)")
            let command = Array(#"{"type":"ping","id":"in-three-parts"}"#.utf8)
            socket.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.text, fin: false, payload: Array(command[..<10]))
                + RawWebSocket.frame(opcode: RawWebSocket.Frame.ping, payload: Array("are you there".utf8))  // control frames may interleave
                + RawWebSocket.frame(opcode: RawWebSocket.Frame.continuation, fin: false, payload: Array(command[10..<20]))
                + RawWebSocket.frame(opcode: RawWebSocket.Frame.continuation, payload: Array(command[20...])))
            let pong = try #require(try await socket.readFrame())
            #expect(pong.opcode == RawWebSocket.Frame.pong && pong.payload == Array("are you there".utf8))
            let ack = try #require(try await socket.readFrame())
            #expect(String(decoding: ack.payload, as: UTF8.self) == #"{"type":"ack","id":"in-three-parts"}"#)

            socket.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.close, payload: [0x03, 0xE8]))
            let frames = try await socket.readFrames { _ in false }
            #expect(frames.map(\.closeCode) == [1000], "the close is echoed, then the connection ends")
        }
    }

    @Test("text that is not UTF-8 closes the socket with 1007, a message over 64 KiB in fragments with 1009, a message inside a fragmented one with 1002; the server keeps serving others")
    func badMessages() async throws {
        try await withLiveParley(.sqlite) { api in
            let owner = try await api.signUp()
            let port = try #require(api.client.port)
            let path = "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)"

            let garbled = try await RawWebSocket.open(port: port, path: path)
            garbled.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.text, payload: Array(#"{"type":"ping","id":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D]))
            #expect(try await garbled.readFrames { $0.opcode == RawWebSocket.Frame.close }.compactMap(\.closeCode) == [1007])

            let oversized = try await RawWebSocket.open(port: port, path: path)
            let part = [UInt8](repeating: 0x20, count: 40 * 1024)  // each frame is under the limit, the message is not
            oversized.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.text, fin: false, payload: part)
                + RawWebSocket.frame(opcode: RawWebSocket.Frame.continuation, payload: part))
            #expect(try await oversized.readFrames { $0.opcode == RawWebSocket.Frame.close }.compactMap(\.closeCode) == [1009])

            let interleaved = try await RawWebSocket.open(port: port, path: path)
            interleaved.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.text, fin: false, payload: Array(#"{"type":"#.utf8))
                + RawWebSocket.frame(opcode: RawWebSocket.Frame.text, payload: Array(#"{"type":"ping","id":"x"}"#.utf8)))
            #expect(try await interleaved.readFrames { $0.opcode == RawWebSocket.Frame.close }.compactMap(\.closeCode) == [1002])

            let calm = try await RawWebSocket.open(port: port, path: path)
            calm.sendText(#"{"type":"ping","id":"still"}"#)
            #expect(try await calm.readFrame().map { String(decoding: $0.payload, as: UTF8.self) } == #"{"type":"ack","id":"still"}"#)
        }
    }

    @Test("200 commands in one write, far more than may wait before reading pauses, are all answered, in order",
          .timeLimit(.minutes(1)))
    func backlog() async throws {
        try await withLiveParley(.sqlite, configure: { $0.realtimeBurst = 500 }) { api in
            let owner = try await api.signUp()
            let socket = try await RawWebSocket.open(port: try #require(api.client.port), path: "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)")
            let ids = (0..<200).map { "c\($0)" }  // far more than the 32 that may wait before reading pauses
            socket.sendBytes(ids.flatMap { RawWebSocket.frame(opcode: RawWebSocket.Frame.text, payload: Array(#"{"type":"ping","id":"\#($0)"}"#.utf8)) })
            let answers = try await socket.readFrames { $0.payload.starts(with: Array(#"{"type":"ack","id":"c199""#.utf8)) }
            #expect(answers.map { String(decoding: $0.payload, as: UTF8.self) } == ids.map { #"{"type":"ack","id":"\#($0)"}"# })
        }
    }

    @Test("a client that answers nothing is pinged, then closed with 1001; one that answers stays")
    func keepAlive() async throws {
        try await withLiveParley(.sqlite, configure: { $0.realtimePingInterval = 0.2 }) { api in
            let owner = try await api.signUp()
            let port = try #require(api.client.port)
            let path = "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)"
            let silent = try await RawWebSocket.open(port: port, path: path)
            let lively = try await RawWebSocket.open(port: port, path: path)

            // The lively one answers three pings (the silent one is closed meanwhile) and is still served.
            for _ in 0..<3 {
                let ping = try #require(try await lively.readFrame())
                #expect(ping.opcode == RawWebSocket.Frame.ping)
                lively.sendBytes(RawWebSocket.frame(opcode: RawWebSocket.Frame.pong, payload: ping.payload))
            }
            let heard = try await silent.readFrames { $0.opcode == RawWebSocket.Frame.close }
            #expect(heard.first?.opcode == RawWebSocket.Frame.ping)
            #expect(heard.last?.closeCode == 1001)
            #expect(String(decoding: heard.last?.payload.dropFirst(2) ?? [], as: UTF8.self) == "ping timeout")
            lively.sendText(#"{"type":"ping","id":"alive"}"#)
            let reply = try await lively.readFrames { $0.opcode == RawWebSocket.Frame.text }
            #expect(reply.last.map { String(decoding: $0.payload, as: UTF8.self) } == #"{"type":"ack","id":"alive"}"#)
        }
    }
}
