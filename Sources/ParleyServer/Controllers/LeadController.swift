import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore
import ParleyStore

/// Leads for the organization's members: a filtered, paged list, a CSV export, and deletion.
struct LeadController {
    let services: ParleyServices

    /// The export's row cap: beyond it, narrow the filter (the response says so in a header).
    static let exportLimit = 50_000

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("leads", use: list)
        group.get("leads.csv", use: export)
        group.delete("leads/:lead", use: delete)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Page<Lead>> {
        let query = QueryParameters(request: request)
        let page = try await services.store.leads(try context.requireScope(), filter: try Self.filter(query),
                                                  cursor: try query.string("cursor"), limit: try query.limit())
        return JSONResponse(page)
    }

    @Sendable func export(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let leads = try await services.store.allLeads(try context.requireScope(), filter: try Self.filter(QueryParameters(request: request)),
                                                      limit: Self.exportLimit + 1)
        var headers: HTTPFields = [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: #"attachment; filename="leads.csv""#,
        ]
        if leads.count > Self.exportLimit { headers[.truncatedAt] = String(Self.exportLimit) }
        let csv = LeadCSV.render(Array(leads.prefix(Self.exportLimit)))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    @Sendable func delete(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        try await services.store.deleteLead(try context.requireScope(), id: try context.parameters.require("lead"))
        return NoContent()
    }

    static func filter(_ query: QueryParameters) throws -> ParleyStore.LeadFilter {
        ParleyStore.LeadFilter(siteID: try query.string("site"), source: try query.enumeration("source", as: Lead.Source.self),
                               query: try query.string("q", maxLength: Limits.searchQuery), createdFrom: try query.date("from"),
                               createdBefore: try query.date("before"))
    }
}

/// Leads as RFC 4180 CSV: one column per pre-chat field seen, and cells that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'`.
enum LeadCSV {
    static func render(_ leads: [Lead]) -> String {
        let fieldNames = Set(leads.flatMap(\.fields.keys)).sorted()
        var lines = [(["id", "created_at", "source", "site_id", "visitor_id", "name", "email", "message"] + fieldNames).map(cell)
            .joined(separator: ",")]
        for lead in leads {
            let values = [lead.id, ISO8601.format(lead.createdAt), lead.source.rawValue, lead.siteId, lead.visitorId ?? "",
                          lead.name ?? "", lead.email ?? "", lead.message ?? ""] + fieldNames.map { lead.fields[$0] ?? "" }
            lines.append(values.map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ raw: String) -> String {
        var text = raw
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
