import Foundation

/// A saved reply agents insert by typing `/shortcut` in the composer.
public struct CannedResponse: Codable, Sendable, Equatable {
    public var id: String
    public var shortcut: String
    public var body: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, shortcut: String, body: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.shortcut = shortcut
        self.body = body
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let maxBody = 5_000
    public static let maxShortcut = 32
    public static let perOrganization = 1_000

    /// Lower-cased; 1–32 of `a-z`, `0-9`, `_` and `-`, so it can follow a `/` as one word.
    public static func shortcut(_ raw: String, field: String = "shortcut") throws(ValidationError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard (1...maxShortcut).contains(text.count),
              text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") })
        else {
            throw ValidationError(field: field, reason: "must be 1 to \(maxShortcut) of a-z, 0-9, _ and -", limit: maxShortcut)
        }
        return text
    }
}
