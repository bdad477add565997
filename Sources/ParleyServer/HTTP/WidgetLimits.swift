import HTTPTypes
import Hummingbird
import ParleyRealtime
import ParleyStore

/// Abuse limits of the public widget API: writes (session starts, messages) are counted per client
/// address and per site, in memory on each instance. Exceeding either answers 429 with Retry-After.
public struct WidgetLimits: Sendable {
    let perAddress: KeyedRateLimiter
    let perSite: KeyedRateLimiter

    init(config: ParleyConfiguration) {
        perAddress = KeyedRateLimiter(capacity: config.widgetAddressBurst, refillPerSecond: config.widgetAddressRate)
        perSite = KeyedRateLimiter(capacity: config.widgetSiteBurst, refillPerSecond: config.widgetSiteRate)
    }

    func admit(site: WidgetSite, address: String) throws {
        guard perAddress.take(site.id + "|" + address) else { throw Self.refusal("from this address", perAddress) }
        guard perSite.take(site.id) else { throw Self.refusal("for this site", perSite) }
    }

    private static func refusal(_ scope: String, _ limiter: KeyedRateLimiter) -> Problem {
        let retry = max(1, Int((1 / limiter.refillPerSecond).rounded(.up)))
        return Problem(.tooManyRequests, code: "rate-limited", title: "Too many requests",
                       detail: "too many widget requests \(scope); retry in \(retry) s",
                       headers: [.retryAfter: String(retry)])
    }
}
