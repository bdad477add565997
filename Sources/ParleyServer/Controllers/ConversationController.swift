import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// The inbox: list and filter conversations, read one, change it, claim it.
struct ConversationController {
    let services: ParleyServices

    /// A partial update. `assignee_id: null` unassigns, while leaving it out keeps the assignee.
    struct UpdateRequest: Decodable {
        var status: ConversationStatus?
        var priority: Priority?
        var labels: [String]?
        var assigneeId: String??

        enum CodingKeys: String, CodingKey {
            case status, priority, labels, assigneeId
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            status = try container.decodeIfPresent(ConversationStatus.self, forKey: .status)
            priority = try container.decodeIfPresent(Priority.self, forKey: .priority)
            labels = try container.decodeIfPresent([String].self, forKey: .labels)
            if container.contains(.assigneeId) {
                assigneeId = .some(try container.decodeNil(forKey: .assigneeId) ? nil : try container.decode(String.self, forKey: .assigneeId))
            }
        }
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("conversations", use: list)
        group.get("conversations/counts", use: counts)
        group.get("conversations/:conversation", use: show)
        group.patch("conversations/:conversation", use: update)
        group.post("conversations/:conversation/claim", use: claim)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Page<Conversation>> {
        let query = QueryParameters(request: request)
        let page = try await services.store.conversations(try context.requireScope(), filter: try Self.filter(query),
                                                          cursor: try query.string("cursor"), limit: try query.limit())
        return JSONResponse(page)
    }

    /// The inbox's view counts (mine, unassigned, all) under the list's other filters.
    @Sendable func counts(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<InboxCounts> {
        let filter = try Self.filter(QueryParameters(request: request))
        return JSONResponse(try await services.store.inboxCounts(try context.requireScope(), filter: filter))
    }

    static func filter(_ query: QueryParameters) throws -> ConversationFilter {
        var filter = ConversationFilter()
        filter.status = try query.enumeration("status", as: ConversationStatus.self)
        filter.priority = try query.enumeration("priority", as: Priority.self)
        filter.siteID = try query.string("site")
        // Normalized like stored labels, so `?label=Billing` finds conversations labelled "billing".
        filter.label = try query.string("label", maxLength: Limits.label).map(Self.normalizedLabel)
        switch try query.string("assignee") {
        case nil: break
        case "me": filter.assignee = .me
        case "unassigned": filter.assignee = .unassigned
        case let id?: filter.assignee = .user(id)
        }
        return filter
    }

    @Sendable func show(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Conversation> {
        let id = try context.parameters.require("conversation")
        return JSONResponse(try await services.store.conversation(try context.requireScope(), id: id))
    }

    @Sendable func update(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Conversation> {
        let scope = try context.requireScope()
        let id = try context.parameters.require("conversation")
        let body = try await request.decodeJSON(UpdateRequest.self, limit: services.config.maxBodyBytes)
        guard body.status != nil || body.priority != nil || body.labels != nil || body.assigneeId != nil else {
            throw ValidationError(field: "body", reason: "must change at least one of status, priority, labels, assignee_id")
        }
        let changes = ParleyStore.ConversationChanges(status: body.status, priority: body.priority,
                                                      labels: try body.labels.map(Self.labels),
                                                      assigneeID: try body.assigneeId.map(Self.assignee))
        return JSONResponse(try await services.store.updateConversation(scope, id: id, changes: changes))
    }

    /// 200 with the conversation for the one claim that wins; 409 for everyone else.
    @Sendable func claim(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Conversation> {
        let id = try context.parameters.require("conversation")
        return JSONResponse(try await services.store.claim(try context.requireScope(), id: id))
    }

    /// Only a well-formed user id can name a member; anything else (a NUL byte, say, which PostgreSQL
    /// refuses in text) is turned away here instead of reaching the database.
    static func assignee(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        guard Identifier.isWellFormed(raw, prefix: "usr") else {
            throw ValidationError(field: "assignee_id", reason: "is not a member of this organization")
        }
        return raw
    }

    static func labels(_ raw: [String]) throws -> [String] {
        guard raw.count <= Limits.labelsPerConversation else {
            throw ValidationError(field: "labels", reason: "must have at most \(Limits.labelsPerConversation) entries",
                                  limit: Limits.labelsPerConversation)
        }
        var result: [String] = []
        for (index, label) in raw.enumerated() {
            let checked = Self.normalizedLabel(try TextRule(field: "labels[\(index)]", maxLength: Limits.label).check(label))
            if !result.contains(checked) { result.append(checked) }
        }
        return result.sorted()
    }

    /// Labels are stored trimmed and lower-cased; `text` has already passed the label `TextRule`.
    static func normalizedLabel(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
