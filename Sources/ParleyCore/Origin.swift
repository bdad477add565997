/// A web origin (`scheme://host[:port]`) as browsers send it in the `Origin` header.
public enum Origin {
    public static func normalize(_ raw: String, field: String = "allowed_origins") throws(ValidationError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let scheme: String
        if text.hasPrefix("https://") { scheme = "https" } else if text.hasPrefix("http://") { scheme = "http" } else {
            throw ValidationError(field: field, reason: "must start with http:// or https://")
        }
        var rest = text.dropFirst(scheme.count + 3)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host = rest.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        let hostOK = !host.isEmpty && host.count <= 253
            && host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "*" } && host.allSatisfy(\.isASCII)
        let port = rest.split(separator: ":", maxSplits: 1).dropFirst().first
        let portOK = port.map { p in Int(p).map { (1...65535).contains($0) } ?? false } ?? true
        guard hostOK, portOK, !rest.contains("/"), !rest.contains("@") else {
            throw ValidationError(field: field, reason: "must be an origin like https://example.com (no path)")
        }
        return "\(scheme)://\(rest)"
    }
}
