import Foundation

/// Times are stored as integer milliseconds since 1970 in both databases: portable, compact, and
/// ordered the same way everywhere.
enum Timestamp {
    static func now() -> Int { milliseconds(Date()) }
    static func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ milliseconds: Int) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
    static func optionalDate(_ milliseconds: Int?) -> Date? { milliseconds.map { date($0) } }
}
