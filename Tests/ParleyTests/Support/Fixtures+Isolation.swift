import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ParleyCore
import Testing

// Helpers shared by IsolationTests and BadInputTests: a JSON builder for deliberately wrong bodies,
// raw requests, problem assertions, and a tenant fixture whose every identifying string is known.

// MARK: - JSON bodies, right and wrong

/// A JSON value written by hand, so tests can send exactly what they mean (wrong types, huge numbers,
/// nulls), with members in a fixed order.
indirect enum TestJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([TestJSON])
    case object([(String, TestJSON)])
    /// JSON text sent as is (`1.5`, `1e400`, ...).
    case literal(String)

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: TestJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, TestJSON)...) { self = .object(elements) }
    init(nilLiteral: ()) { self = .null }

    var text: String {
        switch self {
        case .string(let value): Self.quote(value)
        case .integer(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { Self.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        case .literal(let text): text
        }
    }

    var bytes: [UInt8] { Array(text.utf8) }

    /// The object with `key` set (replaced in place, or appended).
    func setting(_ key: String, _ value: TestJSON) -> TestJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    /// The object without `key`.
    func removing(_ key: String) -> TestJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.0 != key })
    }

    /// The first member holding a string, if any.
    var firstStringMember: String? {
        guard case .object(let members) = self else { return nil }
        return members.first { if case .string = $0.1 { true } else { false } }?.0
    }

    private static func quote(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

// MARK: - Requests and problem checks

extension TestAPI {
    /// Sends exactly `bytes` (nil: no body) with the given content type (nil: no Content-Type header).
    @discardableResult
    func rawRequest(_ method: HTTPRequest.Method, _ path: String, bytes: [UInt8]?, contentType: String? = "application/json",
                    token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await request(method, path, raw: bytes.map { ByteBuffer(bytes: $0) }, token: token, headers: headers)
    }

    @discardableResult
    func jsonRequest(_ method: HTTPRequest.Method, _ path: String, _ body: TestJSON?, token: String? = nil) async throws -> TestResponse {
        try await rawRequest(method, path, bytes: body?.bytes, token: token)
    }

    /// A GET rendered as "status body", for before/after comparisons of stored state.
    func readState(_ path: String, token: String) async throws -> String {
        let response = try await request(.get, path, token: token)
        return "\(response.status.code) \(response.text)"
    }

    /// The items of a `Page` body, or of a plain array body; throws when the body is neither.
    func items<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> [T] {
        if let page = try? decode(ItemsPage<T>.self, response) { return page.items }
        return try decode([T].self, response)
    }
}

struct ItemsPage<T: Decodable>: Decodable {
    let items: [T]
}

extension TestResponse {
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }
}

/// The problem fields an assertion cares about (nil: not checked).
struct ExpectedProblem: Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var field: String?
    var limit: Int?
    var type: String?

    var description: String {
        "\(status.code)" + (field.map { " field=\($0)" } ?? "") + (limit.map { " limit=\($0)" } ?? "") + (type.map { " \($0)" } ?? "")
    }
}

/// Expects an `application/problem+json` answer with the given status (and field/limit/type when set).
func expectProblem(_ response: TestResponse, _ expected: ExpectedProblem, _ context: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == expected.status,
            "\(context): expected \(expected), got \(response.status.code) \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json",
            "\(context): content type \(response.headers[.contentType] ?? "none")", sourceLocation: sourceLocation)
    let problem = try? JSONCoding.makeDecoder().decode(TestAPI.ProblemReply.self, from: Data(buffer: response.body))
    #expect(problem != nil, "\(context): body is not a problem: \(response.text)", sourceLocation: sourceLocation)
    guard let problem else { return }
    #expect(problem.status == Int(response.status.code), "\(context): problem status", sourceLocation: sourceLocation)
    if let field = expected.field {
        #expect(problem.field == field, "\(context): expected field \(field), got \(problem.field ?? "none") (\(problem.detail ?? ""))",
                sourceLocation: sourceLocation)
    }
    if let limit = expected.limit {
        #expect(problem.limit == limit, "\(context): expected limit \(limit), got \(problem.limit.map(String.init) ?? "none")",
                sourceLocation: sourceLocation)
    }
    if let type = expected.type {
        #expect(problem.type == type, "\(context): expected type \(type), got \(problem.type)", sourceLocation: sourceLocation)
    }
}

// MARK: - Org-scoped routes as data

/// One route under `/api/v1/orgs/{org}`, written exactly as Hummingbird describes it (`Router.routes`),
/// with a valid body so that only the tenant scope can refuse it.
struct OrgScopedRoute: Sendable, CustomStringConvertible {
    let method: HTTPRequest.Method
    let template: String
    let body: TestJSON?
    /// Query string; `{word}` is replaced with the victim tenant's secret word.
    let query: String?

    init(_ method: HTTPRequest.Method, _ template: String, body: TestJSON? = nil, query: String? = nil) {
        self.method = method
        self.template = template
        self.body = body
        self.query = query
    }

    var description: String { "\(method) \(template)" }

    /// The placeholders in path order: ["org", "conversation", "message"].
    var placeholders: [String] {
        template.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    /// The concrete path, with each placeholder taken from `values` and the query appended.
    func path(_ values: [String: String], word: String) -> String {
        var path = template
        for name in placeholders {
            path = path.replacingOccurrences(of: "{\(name)}", with: values[name] ?? "missing-\(name)")
        }
        if let query { path += "?" + query.replacingOccurrences(of: "{word}", with: word) }
        return path
    }
}

// MARK: - A tenant with a bit of everything

/// An organization with an owner, an agent, a site, two conversations (one unassigned, one assigned to
/// the agent), visitor and member messages, a private note and a pending invitation. Every string that
/// identifies it carries a random part, so a leak into another tenant's response is unambiguous.
struct TenantFixture: Sendable {
    let label: String
    let owner: Account
    let agent: Account
    let orgName: String
    let orgSlug: String
    let site: Site
    /// Unassigned and open: the target of the routes that take a conversation.
    let conversation: Conversation
    /// Assigned to the agent, pending, high priority, labelled.
    let assigned: Conversation
    /// Written by the owner in `conversation` (member messages are the ones that can be edited).
    let message: Message
    let note: Message
    let invitation: Invitation
    /// Left by a visitor through the offline form.
    let lead: Lead
    /// Uploaded by the owner into `conversation`.
    let attachment: ParleyCore.Attachment
    let cannedResponse: CannedResponse
    let catalogLabel: LabelDefinition
    /// The owner's note on `conversation`'s visitor.
    let visitorNote: VisitorNote
    /// A word found only in this tenant's messages.
    let secretWord: String
    let conversationLabel: String

    /// Values for `OrgScopedRoute` placeholders.
    var placeholders: [String: String] {
        ["org": owner.orgID, "user": agent.userID, "invitation": invitation.id, "site": site.id,
         "conversation": conversation.id, "message": message.id, "lead": lead.id, "attachment": attachment.id,
         "response": cannedResponse.id, "label": catalogLabel.id, "visitor": conversation.visitor.id, "note": visitorNote.id]
    }

    /// Every id, name and text of this tenant; none may appear in what another tenant is shown.
    var fingerprints: [String] {
        var values = [owner.orgID, orgName, orgSlug, owner.userID, owner.email, agent.userID, agent.email,
                      site.id, site.name, site.siteKey, invitation.id, invitation.email, secretWord, conversationLabel,
                      message.id, message.body, note.id, note.body, lead.id, attachment.id, attachment.filename,
                      cannedResponse.id, cannedResponse.shortcut, cannedResponse.body, catalogLabel.id, catalogLabel.name,
                      visitorNote.id, visitorNote.body]
        values += [lead.name, lead.email, lead.message].compactMap { $0 }
        values += site.allowedOrigins
        if let secret = site.identitySecret { values.append(secret) }
        for conversation in [conversation, assigned] {
            values += [conversation.id, conversation.visitor.id]
            values += [conversation.visitor.name, conversation.visitor.email, conversation.lastMessage?.id,
                       conversation.lastMessage?.body].compactMap { $0 }
        }
        return values.filter { $0.count >= 6 }
    }

    /// The fingerprints found in `text` (empty when nothing leaked).
    func leaks(in text: String) -> [String] {
        fingerprints.filter { text.contains($0) }
    }

    /// Paths whose answers, read by the owner, capture everything another tenant could try to change.
    var statePaths: [String] {
        let org = "/api/v1/orgs/\(owner.orgID)"
        return [org, "\(org)/members", "\(org)/invitations", "\(org)/sites", "\(org)/sites/\(site.id)",
                "\(org)/conversations?limit=100", "\(org)/conversations/\(conversation.id)", "\(org)/conversations/\(assigned.id)",
                "\(org)/conversations/\(conversation.id)/messages?limit=100", "\(org)/conversations/\(assigned.id)/messages?limit=100",
                "\(org)/search?q=\(secretWord)", "\(org)/leads?limit=100", "\(org)/canned-responses", "\(org)/labels",
                "\(org)/visitors/\(conversation.visitor.id)", "\(org)/conversations/counts"]
    }
}

/// The answer to `POST /orgs/{org}/invitations` (the token is not needed here).
private struct CreatedInvitation: Decodable {
    let invitation: Invitation
}

extension TestAPI {
    /// Builds a `TenantFixture` through the API (conversations through the store, as the widget API is not there yet).
    func tenantFixture(_ label: String) async throws -> TenantFixture {
        let tag = RandomToken.make(length: 10).lowercased().filter { $0.isLetter || $0.isNumber }
        let secretWord = "\(label)secret\(tag)"
        let owner = try await signUp("\(label)-owner-\(tag)@\(label)-\(tag).example", org: "\(label) Org \(tag)")
        let agent = try await addMember(to: owner, role: .agent, email: "\(label)-agent-\(tag)@\(label)-\(tag).example")
        let site = try await createSite(owner, name: "\(label) Site \(tag)", origins: ["https://\(label)-\(tag).example"])
        let org = try decode(Organization.self, try await request(.get, "/api/v1/orgs/\(owner.orgID)", token: owner.accessToken))

        let conversation = try await startConversation(owner, site: site, visitor: "\(label) Visitor \(tag)",
                                                       email: "visitor-\(tag)@\(label)-\(tag).example",
                                                       message: "\(label) visitor asks about \(secretWord)")
        let sent = try await sendMessage(owner, conversation, "\(label) owner answers \(secretWord) \(tag)")
        #expect(sent.status == .created)
        let message = try decode(Message.self, sent)
        let noted = try await sendMessage(owner, conversation, "\(label) private note \(secretWord) \(tag)", private: true)
        #expect(noted.status == .created)
        let note = try decode(Message.self, noted)

        let second = try await startConversation(owner, site: site, visitor: "\(label) Second Visitor \(tag)",
                                                 email: "second-\(tag)@\(label)-\(tag).example",
                                                 message: "\(label) second visitor mentions \(secretWord)")
        let conversationLabel = "\(label)-label-\(tag)"
        let patched = try await jsonRequest(.patch, "/api/v1/orgs/\(owner.orgID)/conversations/\(second.id)", [
            "status": "pending", "priority": "high", "labels": [.string(conversationLabel)], "assignee_id": .string(agent.userID),
        ], token: owner.accessToken)
        #expect(patched.status == .ok, "fixture: assigning the second conversation: \(patched.text)")
        let assigned = try decode(Conversation.self, patched)

        let invited = try await jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/invitations", [
            "email": .string("\(label)-invitee-\(tag)@\(label)-\(tag).example"), "role": "agent",
        ], token: owner.accessToken)
        #expect(invited.status == .created)
        let invitation = try decode(CreatedInvitation.self, invited).invitation

        let origin = site.allowedOrigins[0]
        let visitor = try await visitorSession(site, origin: origin)
        let left = try await request(.post, "/api/v1/widget/\(site.siteKey)/leads", json: [
            "source": "offline", "name": "\(label) Lead \(tag)", "email": "lead-\(tag)@\(label)-\(tag).example",
            "message": "\(label) lead asks about \(secretWord)",
        ], token: visitor.visitorToken, headers: [.origin: origin])
        #expect(left.status == .created, "fixture: leaving a lead: \(left.text)")
        let uploaded = try await request(.post, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/uploads?filename=\(label)-file-\(tag).txt",
                                         raw: .init(string: "\(label) file about \(secretWord)"), token: owner.accessToken)
        #expect(uploaded.status == .created, "fixture: uploading a file: \(uploaded.text)")
        let attachment = try #require(try decode(Message.self, uploaded).attachment)
        let canned = try await jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/canned-responses", [
            "shortcut": .string("\(label)-canned-\(tag)"), "body": .string("\(label) canned reply about \(secretWord)"),
        ], token: owner.accessToken)
        #expect(canned.status == .created, "fixture: a canned response: \(canned.text)")
        let labelled = try await jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/labels", [
            "name": .string("\(label)-catalog-\(tag)"), "color": "#123456",
        ], token: owner.accessToken)
        #expect(labelled.status == .created, "fixture: a catalog label: \(labelled.text)")
        let visitorNoted = try await jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/visitors/\(conversation.visitor.id)/notes", [
            "body": .string("\(label) visitor note about \(secretWord)"),
        ], token: owner.accessToken)
        #expect(visitorNoted.status == .created, "fixture: a visitor note: \(visitorNoted.text)")

        return TenantFixture(label: label, owner: owner, agent: agent, orgName: org.name, orgSlug: org.slug, site: site,
                             conversation: try await conversationSeenByOwner(owner, conversation.id), assigned: assigned,
                             message: message, note: note, invitation: invitation, lead: try decode(Lead.self, left),
                             attachment: attachment, cannedResponse: try decode(CannedResponse.self, canned),
                             catalogLabel: try decode(LabelDefinition.self, labelled), visitorNote: try decode(VisitorNote.self, visitorNoted),
                             secretWord: secretWord,
                             conversationLabel: conversationLabel)
    }

    private func conversationSeenByOwner(_ owner: Account, _ id: String) async throws -> Conversation {
        try decode(Conversation.self, try await request(.get, "/api/v1/orgs/\(owner.orgID)/conversations/\(id)", token: owner.accessToken))
    }

    /// Everything the tenant's owner can read, path by path.
    func snapshot(_ tenant: TenantFixture) async throws -> [String: String] {
        var state: [String: String] = [:]
        for path in tenant.statePaths {
            state[path] = try await readState(path, token: tenant.owner.accessToken)
        }
        return state
    }
}

/// Expects two snapshots to be equal, naming each path whose answer changed.
func expectUnchanged(_ before: [String: String], _ after: [String: String], _ context: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    for (path, old) in before.sorted(by: { $0.key < $1.key }) where after[path] != old {
        Issue.record("\(context): \(path) changed\n  before: \(old)\n  after:  \(after[path] ?? "missing")",
                     sourceLocation: sourceLocation)
    }
}
