import Foundation

/// Generates the opaque, time-ordered identifiers used for every row Parley creates.
///
/// Ids are `prefix_` + 26 Crockford base32 characters: 48 bits of milliseconds then 80 random bits
/// (the ULID layout). Time order keeps B-tree inserts local; the prefix tells a reader what an id names.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func make(_ prefix: String, now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix, milliseconds: UInt64(now.timeIntervalSince1970 * 1000), using: &generator)
    }

    static func make(_ prefix: String, milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        var chars = [UInt8](repeating: 0, count: 26)
        var time = milliseconds
        for index in stride(from: 9, through: 0, by: -1) {
            chars[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        for index in 10..<26 {
            chars[index] = alphabet[Int(generator.next() & 31)]
        }
        return prefix + "_" + String(decoding: chars, as: UTF8.self)
    }

    /// True when `value` has the shape of an id with this prefix (used to reject path tricks early).
    public static func isWellFormed(_ value: String, prefix: String) -> Bool {
        guard value.hasPrefix(prefix + "_") else { return false }
        let body = value.utf8.dropFirst(prefix.utf8.count + 1)
        return body.count == 26 && body.allSatisfy { alphabet.contains($0) }
    }
}
