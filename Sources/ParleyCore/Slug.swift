/// Organization slugs: lower-case ASCII letters, digits and single hyphens.
public enum Slug {
    public static func make(from name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        // Trim after cutting to length, so the cut cannot leave a trailing hyphen.
        slug = String(slug.prefix(40))
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.count < 2 ? "org" : slug
    }

    public static func check(_ raw: String, field: String = "slug") throws(ValidationError) -> String {
        let valid = (2...48).contains(raw.count) && !raw.hasPrefix("-") && !raw.hasSuffix("-")
            && raw.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "-" || ("a"..."z").contains($0) || ("0"..."9").contains($0)) }
        guard valid else {
            throw ValidationError(field: field, reason: "must be 2-48 characters of a-z, 0-9 and '-'", limit: 48)
        }
        return raw
    }
}
