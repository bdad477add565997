/// The time step of each user's last accepted two-factor code, so a code works once (RFC 6238
/// §5.2): someone who watched it being typed cannot sign in with it within its 90 s of validity.
enum M012TOTPLastStep {
    static let migration = Migration(
        version: 12, name: "totp last step",
        up: { _ in ["ALTER TABLE users ADD COLUMN totp_last_step BIGINT"] },
        down: { _ in ["ALTER TABLE users DROP COLUMN totp_last_step"] })
}
