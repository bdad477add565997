import Foundation
import ParleyCore
import ParleyRealtime
import Testing

@Suite("Core rules")
struct CoreRulesTests {
    @Test("derived slugs are always valid slugs", arguments: [
        "Acme", "  Ünïcode Café  ", String(repeating: "a", count: 47) + " bc", "---", "x", "a  b--c", String(repeating: "ab ", count: 40),
    ])
    func slugs(_ name: String) throws {
        let slug = Slug.make(from: name)
        #expect(try Slug.check(slug) == slug, "\(name) gave \(slug)")
        #expect(!slug.hasSuffix("-") && !slug.contains("--"))
    }

    @Test("ids have their prefix, 26 base32 characters, and sort by creation time")
    func identifiers() {
        let early = Identifier.make("msg", now: Date(timeIntervalSince1970: 1_700_000_000))
        let late = Identifier.make("msg", now: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(Identifier.isWellFormed(early, prefix: "msg"))
        #expect(!Identifier.isWellFormed(early, prefix: "cnv"))
        #expect(!Identifier.isWellFormed("msg_../../etc/passwd", prefix: "msg"))
        #expect(early < late)
    }

    @Test("a token bucket allows its burst, refuses beyond it, and refills with time")
    func tokenBucket() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 2)
        let start = ContinuousClock.now
        // `#expect` can't call a mutating method, so take tokens first and check the answers.
        func take(_ count: Int, at instant: ContinuousClock.Instant) -> [Bool] {
            (0..<count).map { _ in bucket.take(at: instant) }
        }
        #expect(take(4, at: start) == [true, true, true, false])
        #expect(take(2, at: start + .milliseconds(500)) == [true, false])  // one token back after half a second
        #expect(take(4, at: start + .seconds(60)) == [true, true, true, false])  // refills only up to capacity
    }
}
