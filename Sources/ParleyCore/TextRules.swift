import Foundation

/// Normalizes and checks user-supplied text the same way everywhere.
///
/// Text is NFC-normalized (so "é" typed two ways compares equal), length is counted in
/// user-perceived characters after normalization, and control characters are refused
/// rather than silently stripped: a client that sends them has a bug worth seeing.
public struct TextRule: Sendable {
    public let field: String
    public let maxLength: Int
    public let minLength: Int
    public let allowsNewlines: Bool

    public init(field: String, maxLength: Int, minLength: Int = 1, allowsNewlines: Bool = false) {
        self.field = field
        self.maxLength = maxLength
        self.minLength = minLength
        self.allowsNewlines = allowsNewlines
    }

    /// Returns the normalized text or throws a `ValidationError` naming the field.
    public func check(_ raw: String) throws(ValidationError) -> String {
        let text = raw.precomposedStringWithCanonicalMapping
        for scalar in text.unicodeScalars where Self.isForbidden(scalar, allowsNewlines: allowsNewlines) {
            let code = String(scalar.value, radix: 16, uppercase: true)
            throw ValidationError(field: field, reason: "must not contain control character U+\(code)")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).count < minLength {
            throw ValidationError(field: field, reason: minLength == 1 ? "must not be empty" : "is too short",
                                  limit: minLength)
        }
        if text.count > maxLength {
            throw ValidationError(field: field, reason: "must be at most \(maxLength) characters", limit: maxLength)
        }
        return text
    }

    /// Like `check`, for optional fields: nil stays nil.
    public func check(optional raw: String?) throws(ValidationError) -> String? {
        guard let raw else { return nil }
        return try check(raw)
    }

    private static func isForbidden(_ scalar: Unicode.Scalar, allowsNewlines: Bool) -> Bool {
        if allowsNewlines, scalar == "\n" || scalar == "\t" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        // U+2028/U+2029 end lines in JavaScript and log viewers, so they count as control characters here.
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}

/// The limits Parley enforces on text fields; one place so docs and code agree.
public enum Limits {
    public static let messageBody = 10_000
    public static let name = 200
    public static let email = 254
    public static let label = 50
    public static let labelsPerConversation = 20
    public static let originsPerSite = 50
    public static let pageSize = 100
    public static let searchQuery = 200
    public static let passwordMin = 10
}

public enum Rules {
    public static let messageBody = TextRule(field: "body", maxLength: Limits.messageBody, allowsNewlines: true)
    public static func name(_ field: String = "name") -> TextRule { TextRule(field: field, maxLength: Limits.name) }
    public static let label = TextRule(field: "labels", maxLength: Limits.label)
    public static let searchQuery = TextRule(field: "q", maxLength: Limits.searchQuery)
}

extension Limits {
    /// Unread counts stop counting here; clients show "99+" style badges past it.
    public static let unreadCap = 100
    /// The largest sequence a client may name in a query (far beyond any real conversation; the
    /// OpenAPI document states the same bound).
    public static let sequenceMax = Int(Int32.max) * 1024
}
