import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import ParleyCore
import Testing

/// A widget visitor's session as `POST /widget/{key}/sessions` returns it.
struct VisitorSession: Decodable, Sendable {
    let visitorId: String
    let visitorToken: String
    let anonymousToken: String
    let conversationId: String?
}

extension HTTPField.Name {
    static let origin = Self("Origin")!
}

extension TestAPI {
    static let siteOrigin = "https://example.com"

    /// Starts a widget session on `site` from a page on `origin` (the test sites allow https://example.com).
    func visitorSession(_ site: Site, origin: String = siteOrigin, anonymousToken: String? = nil) async throws -> VisitorSession {
        let response = try await request(.post, "/api/v1/widget/\(site.siteKey)/sessions",
                                         json: ["anonymous_token": anonymousToken], headers: [.origin: origin])
        #expect([.created, .ok].contains(response.status), "\(String(buffer: response.body))")
        return try decode(VisitorSession.self, response)
    }

    /// Sends as the visitor through the widget API.
    func visitorSend(_ site: Site, _ session: VisitorSession, _ body: String, clientID: String? = nil) async throws -> Message {
        let response = try await request(.post, "/api/v1/widget/\(site.siteKey)/messages", json: ["body": body, "client_id": clientID],
                                         token: session.visitorToken, headers: [.origin: Self.siteOrigin])
        #expect([.created, .ok].contains(response.status), "\(String(buffer: response.body))")
        return try decode(Message.self, response)
    }

    /// The Origin the test WebSocket client sends: it always sends its own, `scheme://host` of the
    /// URL, so visitor sockets connect through an http:// URL, like a page on http://localhost.
    static let socketOrigin = "http://localhost"

    /// A site that allows the REST tests' origin and the test WebSocket client's.
    func widgetSite(_ account: Account) async throws -> Site {
        try await createSite(account, origins: [Self.siteOrigin, Self.socketOrigin])
    }

    /// Opens `/ws` as the visitor (from `socketOrigin`).
    @discardableResult
    func visitorSocket(_ session: VisitorSession, page: String? = nil,
                       _ body: @escaping @Sendable (inout SocketProbe) async throws -> Void) async throws -> WebSocketCloseFrame? {
        let pagePart = page.map { "&page=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""
        let url = "http://localhost:\(client.port ?? 0)/ws?visitor_token=\(session.visitorToken)\(pagePart)"
        return try await WebSocketClient.connect(url: url, logger: quietLogger("visitor-socket")) { inbound, outbound, _ in
            var probe = SocketProbe(outbound: outbound, messages: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
            try await body(&probe)
        }
    }
}

extension SocketProbe {
    /// Sends a command and returns its answer (with any frames that arrived before it).
    mutating func command(_ id: String, _ fields: [String: any Sendable]) async throws -> (reply: Frame, events: [Frame]) {
        var frame = fields
        frame["id"] = id
        try await send(frame)
        return try await reply(to: id)
    }

    /// Frames (of any type) until one satisfies `until` (inclusive).
    mutating func frames(until: (Frame) -> Bool) async throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try await next() {
            frames.append(frame)
            if until(frame) { return frames }
        }
        throw ProbeError.closed
    }
}

/// Lets a test drive one socket from inside another socket's closure (an agent and a visitor
/// talking). @unchecked: the test uses it from one task at a time, strictly in sequence.
final class SharedProbe: @unchecked Sendable {
    var probe: SocketProbe
    init(_ probe: SocketProbe) { self.probe = probe }
}

/// A value carried out of one socket's closure into the next. @unchecked: used strictly in sequence.
final class SharedCursor: @unchecked Sendable {
    var value = 0
}
