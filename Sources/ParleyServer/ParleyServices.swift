import ParleyCore
import ParleyStore

/// The long-lived dependencies controllers are built from (constructor injection, no globals).
public struct ParleyServices: Sendable {
    public let config: ParleyConfiguration
    public let store: ParleyStore
    public let tokens: TokenService
    public let passwords: PasswordHasher
    public let metrics: ParleyMetrics
    public let clock: any WallClock
    /// Shared by every request, so the widget's abuse limits count across them.
    public let widgetLimits: WidgetLimits
    public let attachmentStorage: any AttachmentStorage
    public let attachmentLinks: AttachmentLinks

    public init(config: ParleyConfiguration, store: ParleyStore, tokens: TokenService, passwords: PasswordHasher,
                metrics: ParleyMetrics, clock: any WallClock) {
        self.config = config
        self.store = store
        self.tokens = tokens
        self.passwords = passwords
        self.metrics = metrics
        self.clock = clock
        self.widgetLimits = WidgetLimits(config: config)
        self.attachmentStorage = LocalDiskStorage(root: config.attachmentsDirectory)
        self.attachmentLinks = AttachmentLinks(secret: config.jwtSecret, ttl: config.attachmentURLTTL, clock: clock)
    }
}

extension ParleyServices {
    var authenticator: Authenticator { Authenticator(tokens: tokens, store: store) }
}
