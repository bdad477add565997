import Foundation
import ParleyCore
import ParleyRealtime
import ParleyStore

/// A frame a client sends. Every command carries an `id` that its `ack` or `error` answer echoes.
struct ClientCommand: Decodable {
    enum Kind: String, Decodable {
        case subscribe, unsubscribe, subscribeInbox = "subscribe_inbox", send, read, typing, presence, ping
    }

    let type: Kind
    let id: String
    let conversationId: String?
    /// `subscribe`: replay events after this sequence before going live.
    let afterSeq: Int?
    /// `subscribe_inbox`: replay the organization's events after this cursor before going live.
    let afterCursor: Int?
    /// `send`
    let body: String?
    let clientId: String?
    let `private`: Bool?
    /// `read`
    let seq: Int?
    /// `typing`: "start" or "stop"
    let state: String?
    /// `presence`: "online" or "away" (members)
    let status: String?
    /// `presence`: the page the visitor is on
    let page: String?

    func requireConversation() throws -> String {
        guard let conversationId, Identifier.isWellFormed(conversationId, prefix: "cnv") else {
            throw CommandError(code: "not-found", message: "conversation not found")
        }
        return conversationId
    }

    func typingState() throws -> String {
        guard let state, ["start", "stop"].contains(state) else {
            throw CommandError(code: "validation", message: "state must be 'start' or 'stop'")
        }
        return state
    }

    func draft(isPrivate: Bool) throws -> MessageDraft {
        MessageDraft(body: try Rules.messageBody.check(body ?? ""), isPrivate: isPrivate,
                     clientID: try clientId.map(MessageController.clientID))
    }

    func readSeq() throws -> Int {
        guard let seq, seq >= 0 else { throw CommandError(code: "validation", message: "seq must be a sequence number") }
        return seq
    }
}

/// An `error` frame answering one command.
struct CommandError: Error {
    let code: String
    let message: String
}

/// The frames the server writes besides events.
enum ServerFrame {
    static func ack(_ id: String, extra: String = "") -> String {
        #"{"type":"ack","id":"\#(escape(id))"\#(extra)}"#
    }

    static func error(_ id: String?, code: String, message: String) -> String {
        let idPart = id.map { #","id":"\#(escape($0))""# } ?? ""
        return #"{"type":"error"\#(idPart),"code":"\#(escape(code))","message":"\#(escape(message))"}"#
    }

    static func json(_ value: some Encodable) -> String {
        (try? JSONCoding.makeEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    private static func escape(_ text: String) -> String { JSONText.escape(text) }
}
