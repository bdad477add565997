import Foundation

/// How a site's widget looks and behaves: stored with the site, edited by its admins, read by the
/// widget on every page load.
public struct WidgetSettings: Codable, Sendable, Equatable {
    public enum Position: String, Codable, Sendable, CaseIterable { case right, left }
    /// Shown as "usually replies in a few minutes / hours / within a day".
    public enum ReplyTime: String, Codable, Sendable, CaseIterable { case minutes, hours, day }

    public struct PrechatField: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable { case text, email, tel, textarea }
        public var name: String
        public var label: String
        public var type: Kind
        public var required: Bool

        public init(name: String, label: String, type: Kind, required: Bool) {
            self.name = name
            self.label = label
            self.type = type
            self.required = required
        }
    }

    public struct Prechat: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var fields: [PrechatField]

        public init(enabled: Bool, fields: [PrechatField]) {
            self.enabled = enabled
            self.fields = fields
        }
    }

    public struct Uploads: Codable, Sendable, Equatable {
        public var maxBytes: Int
        public var allowedTypes: [String]

        public init(maxBytes: Int, allowedTypes: [String]) {
            self.maxBytes = maxBytes
            self.allowedTypes = allowedTypes
        }
    }

    public var themeColor: String
    public var position: Position
    public var greeting: String?
    public var replyTime: ReplyTime?
    /// Forces the widget's language; nil follows the visitor's page and browser.
    public var locale: String?
    public var prechat: Prechat
    public var csatEnabled: Bool
    public var uploads: Uploads

    public init(themeColor: String, position: Position, greeting: String?, replyTime: ReplyTime?, locale: String?,
                prechat: Prechat, csatEnabled: Bool, uploads: Uploads) {
        self.themeColor = themeColor
        self.position = position
        self.greeting = greeting
        self.replyTime = replyTime
        self.locale = locale
        self.prechat = prechat
        self.csatEnabled = csatEnabled
        self.uploads = uploads
    }

    public static let defaults = WidgetSettings(
        themeColor: "#4f46e5", position: .right, greeting: nil, replyTime: nil, locale: nil,
        prechat: Prechat(enabled: false, fields: [
            PrechatField(name: "name", label: "Name", type: .text, required: false),
            PrechatField(name: "email", label: "Email", type: .email, required: true),
        ]),
        csatEnabled: true,
        uploads: Uploads(maxBytes: 10 << 20, allowedTypes: FileKind.defaultAllowed.map(\.mimeType)))

    /// Languages the widget ships strings for.
    public static let locales = ["en", "de", "fr", "es"]
    public static let maxPrechatFields = 10
    public static let greetingRule = TextRule(field: "widget.greeting", maxLength: 500, allowsNewlines: true)

    /// Throws naming the first field that breaks a rule; returns the settings with text normalized.
    /// `maxUploadBytes` bounds the upload limit when it is being set (nil: it is kept as stored;
    /// uploads are bounded by the server's limit as well in any case).
    public func validated(maxUploadBytes: Int?) throws(ValidationError) -> WidgetSettings {
        var checked = self
        checked.themeColor = try HexColor.check(themeColor, field: "widget.theme_color")
        checked.greeting = try Self.greetingRule.check(optional: greeting)
        if let locale, !Self.locales.contains(locale) {
            throw ValidationError(field: "widget.locale", reason: "must be one of \(Self.locales.joined(separator: ", ")) or null")
        }
        guard prechat.fields.count <= Self.maxPrechatFields else {
            throw ValidationError(field: "widget.prechat.fields", reason: "must have at most \(Self.maxPrechatFields) fields",
                                  limit: Self.maxPrechatFields)
        }
        var names: Set<String> = []
        for (index, field) in prechat.fields.enumerated() {
            let path = "widget.prechat.fields[\(index)]"
            guard let first = field.name.first, first.isASCII, first.isLowercase, field.name.count <= 32,
                  field.name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw ValidationError(field: path + ".name", reason: "must be a lower-case identifier (a-z, 0-9, _) of at most 32 characters")
            }
            guard names.insert(field.name).inserted else { throw ValidationError(field: path + ".name", reason: "is used twice") }
            checked.prechat.fields[index].label = try TextRule(field: path + ".label", maxLength: 100).check(field.label)
        }
        let bound = maxUploadBytes ?? Int.max
        guard (1...bound).contains(uploads.maxBytes) else {
            throw ValidationError(field: "widget.uploads.max_bytes", reason: "must be between 1 and \(bound)", limit: bound)
        }
        for type in uploads.allowedTypes where FileKind(mimeType: type) == nil {
            throw ValidationError(field: "widget.uploads.allowed_types",
                                  reason: "'\(type)' is not one of \(FileKind.allCases.map(\.mimeType).joined(separator: ", "))")
        }
        checked.uploads.allowedTypes = []
        for type in uploads.allowedTypes where !checked.uploads.allowedTypes.contains(type) { checked.uploads.allowedTypes.append(type) }
        return checked
    }
}
