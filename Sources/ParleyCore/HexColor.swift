/// Colours as clients send them: `#rrggbb`, stored lower-cased.
public enum HexColor {
    public static func check(_ raw: String, field: String) throws(ValidationError) -> String {
        guard raw.count == 7, raw.first == "#", raw.dropFirst().allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw ValidationError(field: field, reason: "must be a colour like #4f46e5")
        }
        return raw.lowercased()
    }
}
