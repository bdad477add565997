import ParleyCore
import ParleyStore

/// One committed event, encoded once as the JSON text frame every subscriber receives.
///
/// The stored payload is already JSON in the API's conventions, so it is spliced in verbatim
/// instead of being decoded and encoded again per socket.
public struct EventFrame: Sendable {
    public let orgID: String
    public let conversationID: String?
    public let seq: Int?
    public let membersOnly: Bool
    public let text: String

    public init(_ event: StoredEvent) {
        orgID = event.orgId
        conversationID = event.conversationId
        seq = event.seq
        membersOnly = event.membersOnly
        let conversation = event.conversationId.map { "\"\(JSONText.escape($0))\"" } ?? "null"
        text = #"{"type":"event","event":"\#(JSONText.escape(event.type))","event_id":\#(event.id),"#
            + #""conversation_id":\#(conversation),"seq":\#(event.seq.map(String.init) ?? "null"),"data":\#(event.payload)}"#
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
