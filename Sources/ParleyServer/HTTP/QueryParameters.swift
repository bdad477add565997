import Foundation
import Hummingbird
import ParleyCore

/// Typed access to query parameters with problems that name the parameter.
struct QueryParameters {
    private let query: FormQuery

    init(request: Request) {
        query = FormQuery(request.uri.query)
    }

    func string(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let value = try query.value(name) else { return nil }
        return try TextRule(field: name, maxLength: maxLength).check(value)
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = try query.value(name) else { return nil }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: name, reason: "must be one of: \(allowed)")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = try query.value(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw ValidationError(field: name, reason: "must be an integer from \(range.lowerBound) to \(range.upperBound)",
                                  limit: range.upperBound)
        }
        return value
    }

    /// `true` or `false`.
    func bool(_ name: String) throws -> Bool? {
        guard let raw = try query.value(name) else { return nil }
        guard let value = Bool(raw) else { throw ValidationError(field: name, reason: "must be true or false") }
        return value
    }

    /// An ISO 8601 date-time (`2026-11-22T10:00:00Z`).
    func date(_ name: String) throws -> Date? {
        guard let raw = try query.value(name) else { return nil }
        guard let date = ISO8601.parse(raw) else {
            throw ValidationError(field: name, reason: "must be an ISO 8601 date-time like 2026-11-22T10:00:00Z")
        }
        return date
    }

    /// Page size: default 25, at most `Limits.pageSize`.
    func limit() throws -> Int { try integer("limit", in: 1...Limits.pageSize) ?? 25 }
}
