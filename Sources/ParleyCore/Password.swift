/// Password policy: long enough to resist guessing, bounded so hashing cost stays bounded.
public enum PasswordPolicy {
    public static func check(_ password: String, field: String = "password") throws(ValidationError) {
        if password.count < Limits.passwordMin {
            throw ValidationError(field: field, reason: "must be at least \(Limits.passwordMin) characters",
                                  limit: Limits.passwordMin)
        }
        // bcrypt stops at a NUL byte, so "secret\0anything" would equal "secret": refuse control characters.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError(field: field, reason: "must not contain control characters")
        }
        // bcrypt reads at most 72 bytes; longer inputs would silently collide, so refuse them.
        if password.utf8.count > 72 {
            throw ValidationError(field: field, reason: "must be at most 72 bytes of UTF-8", limit: 72)
        }
    }
}
