/// The address of the page a visitor is on, as the widget reports it: shown to agents, so it is
/// bounded and must be a plain http(s) URL (no `javascript:` or control characters to render).
public enum PageURL {
    public static let maxLength = 2048

    public static func check(_ raw: String, field: String = "page") throws(ValidationError) -> String {
        let lower = raw.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw ValidationError(field: field, reason: "must be an http:// or https:// URL")
        }
        guard raw.utf8.count <= maxLength else {
            throw ValidationError(field: field, reason: "must be at most \(maxLength) bytes", limit: maxLength)
        }
        guard raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !$0.properties.isWhitespace }) else {
            throw ValidationError(field: field, reason: "must not contain spaces or control characters")
        }
        return raw
    }
}
