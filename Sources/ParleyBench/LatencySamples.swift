/// Collected latencies of one measured operation, summarized as percentiles.
struct LatencySamples {
    let name: String
    private(set) var microseconds: [Double] = []

    init(_ name: String) { self.name = name }

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        microseconds.append(Double(seconds) * 1_000_000 + Double(attoseconds) / 1_000_000_000_000)
    }

    func percentile(_ p: Double) -> Double {
        let sorted = microseconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[rank]
    }

    var summary: String {
        func ms(_ value: Double) -> String { String(format: "%7.2f ms", value / 1000) }
        return "\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) n=\(microseconds.count)  p50 \(ms(percentile(50)))  "
            + "p99 \(ms(percentile(99)))  max \(ms(percentile(100)))"
    }
}

/// SplitMix64: a fixed-seed generator so every run seeds the same data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
