import Foundation
import HummingbirdOTP
import ParleyCore

/// Time-based one-time passwords (RFC 6238, 6 digits, 30 s), accepting one step of clock drift.
enum TOTPVerifier {
    static func newSecret() -> String { RandomToken.make(length: 20) }

    static func verify(code: String, secret: String, at date: Date) -> Bool {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, let value = Int(digits) else { return false }
        let totp = TOTP(secret: secret)
        return [-30.0, 0, 30].contains { totp.compute(date: date.addingTimeInterval($0)) == value }
    }

    static func authenticatorURL(secret: String, email: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: email, issuer: "Parley")
    }
}
