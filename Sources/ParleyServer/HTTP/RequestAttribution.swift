import Logging
import Synchronization

/// Who a request turned out to be for (user, organization), filled in by inner middleware and read
/// by the access log outside them. Contexts are values copied down the chain, so this is the one
/// shared, reference-typed piece of per-request state.
public final class RequestAttribution: Sendable {
    private let values = Mutex<Logger.Metadata>([:])

    init() {}

    func set(_ key: String, _ value: String) {
        values.withLock { $0[key] = .string(value) }
    }

    var metadata: Logger.Metadata { values.withLock { $0 } }
}

extension ParleyRequestContext {
    /// Adds `key` to this request's log metadata and to the access-log line.
    mutating func attribute(_ key: String, _ value: String) {
        logger[metadataKey: key] = .string(value)
        attribution.set(key, value)
    }
}
