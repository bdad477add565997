import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a bare socket, for what a well-behaved client library cannot do: never
/// read (a slow consumer, with a tiny receive buffer), send fragments, invalid UTF-8 or several
/// frames in one write, and see every frame the server sends, pings and close frames included.
/// @unchecked: the descriptor never changes after the handshake, and calls may come from any thread.
final class RawWebSocket: @unchecked Sendable {
    private let descriptor: Int32

    struct Frame: Equatable {
        let fin: Bool
        let opcode: UInt8
        let payload: [UInt8]

        static let text: UInt8 = 1, continuation: UInt8 = 0, close: UInt8 = 8, ping: UInt8 = 9, pong: UInt8 = 10

        /// A close frame's status code.
        var closeCode: Int? {
            opcode == Self.close && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// Connects and shakes hands off the cooperative pool (the handshake blocks in `recv`).
    static func open(port: Int, path: String, receiveBuffer: Int32? = nil) async throws -> RawWebSocket {
        try await offThePool { try RawWebSocket(port: port, path: path, receiveBuffer: receiveBuffer) }
    }

    private init(port: Int, path: String, receiveBuffer: Int32?) throws {
        descriptor = try Self.connect(port: port, receiveBuffer: receiveBuffer)
        Self.write(Self.handshake(port: port, path: path), to: descriptor)
        // Read just the handshake response (it ends with an empty line), byte by byte so no frame is consumed.
        var response = [UInt8]()
        var byte: UInt8 = 0
        while !response.suffix(4).elementsEqual([13, 10, 13, 10]), recv(descriptor, &byte, 1, 0) == 1 { response.append(byte) }
        guard String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw POSIXError(.EPROTO) }
    }

    /// The server's whole answer to a handshake it refuses (it closes the connection after it).
    static func refusal(port: Int, path: String, headers: [String: String]) async throws -> String {
        try await offThePool {
            let descriptor = try connect(port: port, receiveBuffer: nil)
            defer { close(descriptor) }
            write(handshake(port: port, path: path, headers: headers), to: descriptor)
            var response = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while case let received = recv(descriptor, &chunk, chunk.count, 0), received > 0 { response += chunk[..<received] }
            return String(decoding: response, as: UTF8.self)
        }
    }

    private static func connect(port: Int, receiveBuffer: Int32?) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        return descriptor
    }

    private static func handshake(port: Int, path: String, headers: [String: String] = [:]) -> [UInt8] {
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        return Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extra)\r\n").utf8)
    }

    /// One masked frame's bytes (clients must mask).
    static func frame(opcode: UInt8, fin: Bool = true, payload: [UInt8]) -> [UInt8] {
        let mask: [UInt8] = [1, 2, 3, 4]
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    func sendText(_ text: String) {
        sendBytes(Self.frame(opcode: Frame.text, payload: Array(text.utf8)))
    }

    /// Writes bytes as they are: one frame, several, or part of one.
    func sendBytes(_ bytes: [UInt8]) {
        Self.write(bytes, to: descriptor)
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// The next frame from the server (unmasked), or nil once the server closed the connection.
    func readFrame() async throws -> Frame? {
        try await offThePool { [self] in
            guard let head = read(2) else { return nil }
            var length = Int(head[1] & 0x7F)
            if length >= 126 {
                guard let extended = read(length == 126 ? 2 : 8) else { return nil }
                length = extended.reduce(0) { $0 << 8 | Int($1) }
            }
            guard let payload = read(length) else { return nil }
            return Frame(fin: head[0] & 0x80 != 0, opcode: head[0] & 0x0F, payload: payload)
        }
    }

    /// Frames until one satisfies `until` (inclusive), or the connection closes.
    func readFrames(until: (Frame) -> Bool) async throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try await readFrame() {
            frames.append(frame)
            if until(frame) { break }
        }
        return frames
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let received = bytes[got...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return nil }
            got += received
        }
        return bytes
    }

    deinit { close(descriptor) }
}
