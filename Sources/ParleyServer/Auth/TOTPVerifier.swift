import Foundation
import HummingbirdOTP
import ParleyCore

/// Time-based one-time passwords (RFC 6238, 6 digits, 30 s), accepting one step of clock drift.
/// Each code is accepted once: the verified step is claimed in the store (`claimTOTPStep`).
enum TOTPVerifier {
    static func newSecret() -> String { RandomToken.make(length: 20) }

    static let stepSeconds = 30.0

    /// The time step (seconds since 1970 / 30) whose code `code` is, or nil when it is none of
    /// the previous, current or next one. Callers claim the step so that each code works once.
    static func matchingStep(code: String, secret: String, at date: Date) -> Int? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, let value = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        return [-stepSeconds, 0, stepSeconds].lazy.map { date.addingTimeInterval($0) }
            .first { totp.compute(date: $0) == value }
            .map { Int(($0.timeIntervalSince1970 / stepSeconds).rounded(.down)) }
    }

    static func authenticatorURL(secret: String, email: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: email, issuer: "Parley")
    }

    /// What a person types into an authenticator app instead of scanning: the key's bytes in
    /// RFC 4648 base32 without padding (the same value as the URL's `secret` parameter).
    static func manualEntryKey(secret: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var key = ""
        var buffer = 0, bits = 0
        for byte in secret.utf8 {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                key.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { key.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return key
    }
}
