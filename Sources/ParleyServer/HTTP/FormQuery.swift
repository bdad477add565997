import Foundation
import ParleyCore

/// A query string read the way browsers write it (HTML forms, `URLSearchParams`): `+` is a space
/// and `%2B` a plus. Hummingbird's `queryParameters` keeps `+` as is, so a label filter of
/// "needs review" sent as `label=needs+review` would match nothing.
struct FormQuery: Sendable {
    /// Each name with its value; a value that is not valid percent-encoded UTF-8 is nil.
    private let pairs: [(name: String, value: String?)]

    init(_ query: String?) {
        pairs = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0]) ?? String(parts[0])
            return (name, parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, or nil when absent; a value that does not decode is refused.
    func value(_ name: String) throws(ValidationError) -> String? {
        guard let pair = pairs.first(where: { $0.name == name }) else { return nil }
        guard let value = pair.value else { throw ValidationError(field: name, reason: "is not valid percent-encoded UTF-8") }
        return value
    }

    private static func decode(_ raw: Substring) -> String? {
        raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
