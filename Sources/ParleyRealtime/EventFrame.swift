import Foundation
import NIOCore
import ParleyCore
import ParleyStore

/// One committed event, encoded once as the WebSocket frame every subscriber receives (a
/// `WireFrame` that every socket writes without copying).
///
/// The stored payload is already JSON in the API's conventions, so it is spliced in verbatim
/// instead of being decoded and encoded again per socket. Visitors get their own rendering, also
/// made once: no private notes, no organization-wide ids or counters, and conversation changes
/// reduced to the status.
public struct EventFrame: Sendable {
    public let orgID: String
    public let conversationID: String?
    public let seq: Int?
    /// The organization feed position (`cursor` in the frame).
    public let orgSeq: Int
    public let membersOnly: Bool
    /// The frame for member sockets.
    public let member: WireFrame
    /// The frame for visitor sockets; nil when visitors must not see this event.
    public let visitor: WireFrame?

    public init(_ event: StoredEvent) {
        orgID = event.orgId
        conversationID = event.conversationId
        seq = event.seq
        orgSeq = event.orgSeq
        membersOnly = event.membersOnly
        let conversation = event.conversationId.map { "\"\(JSONText.escape($0))\"" } ?? "null"
        let head = #"{"type":"event","event":"\#(JSONText.escape(event.type))","conversation_id":\#(conversation),"#
            + #""seq":\#(event.seq.map(String.init) ?? "null")"#
        member = WireFrame(text: head + #","event_id":\#(event.id),"cursor":\#(event.orgSeq),"data":\#(event.payload)}"#)
        visitor = Self.visitorData(event).map { WireFrame(text: head + #","data":\#($0)}"#) }
    }

    private static func visitorData(_ event: StoredEvent) -> String? {
        guard !event.membersOnly, event.conversationId != nil else { return nil }
        guard event.type == "conversation.updated" else { return event.payload }
        // Assignee, priority and labels are the team's business; the visitor learns the status.
        struct Status: Codable { let id: String, status: String, seq: Int }
        guard let status = try? JSONDecoder().decode(Status.self, from: Data(event.payload.utf8)),
            let data = try? JSONEncoder().encode(status) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// JSON string escaping for frames assembled as text (ids, event names, client-supplied command ids).
public enum JSONText {
    public static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
