/// Email addresses are compared case-insensitively and stored lower-cased.
public enum Email {
    public static func normalize(_ raw: String, field: String = "email") throws(ValidationError) -> String {
        let text = try TextRule(field: field, maxLength: Limits.email).check(raw)
            .trimmingCharacters(in: .whitespaces).lowercased()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" })
        else {
            throw ValidationError(field: field, reason: "must be an email address like name@example.com")
        }
        return text
    }
}
