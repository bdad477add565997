import Foundation

/// File names as senders give them are untrusted: they may carry directories (`../../x`, `C:\x`),
/// control characters, characters that break headers or shells, or be absurdly long.
public enum Filename {
    public static let maxLength = 120

    /// The last path component, without control characters or `"*:<>?|`, trimmed of spaces and
    /// dots at either end, at most 120 characters (keeping the extension); "file" when nothing is left.
    public static func sanitize(_ raw: String) -> String {
        let lastComponent = raw.precomposedStringWithCanonicalMapping
            .split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(String.UnicodeScalarView(lastComponent.unicodeScalars.filter { scalar in
            !"\"*:<>?|".unicodeScalars.contains(scalar) && !isControl(scalar)
        }))
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " .").union(.whitespacesAndNewlines))
        guard !name.isEmpty else { return "file" }
        guard name.count > maxLength else { return name }
        let ext = (name as NSString).pathExtension
        let keep = ext.isEmpty || ext.count > 10 ? "" : "." + ext
        return String(name.prefix(maxLength - keep.count)) + keep
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
