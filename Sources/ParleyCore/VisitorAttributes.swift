import Foundation

/// What the browser says about a visitor when a widget session starts; shown to agents as hints
/// (all optional, all unverified).
public struct VisitorHints: Sendable, Equatable {
    public var locale: String?
    public var timezone: String?
    public var userAgent: String?

    public init(locale: String? = nil, timezone: String? = nil, userAgent: String? = nil) {
        self.locale = locale
        self.timezone = timezone
        self.userAgent = userAgent
    }
}

/// Custom attributes a site sets on its visitors through `Parley.identify`: flat, string-valued.
public enum VisitorAttributes {
    public static let maxCount = 50
    public static let maxKey = 64
    public static let maxValue = 500

    /// Keys of `A-Za-z0-9_.-`; values of at most 500 characters without control characters.
    public static func check(_ raw: [String: String]) throws(ValidationError) -> [String: String] {
        guard raw.count <= maxCount else {
            throw ValidationError(field: "attributes", reason: "must have at most \(maxCount) entries", limit: maxCount)
        }
        var checked: [String: String] = [:]
        for (key, value) in raw {
            guard (1...maxKey).contains(key.count),
                  key.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0)) })
            else {
                throw ValidationError(field: "attributes", reason: "keys must be 1 to \(maxKey) of A-Z, a-z, 0-9, _, . and -", limit: maxKey)
            }
            checked[key] = try TextRule(field: "attributes.\(key)", maxLength: maxValue, minLength: 0).check(value)
        }
        return checked
    }
}
