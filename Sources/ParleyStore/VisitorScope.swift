import ParleyCore
/// Proof that the caller is one website visitor of one site: made only by the store, from a visitor
/// row it found (`ParleyStore.visitorScope` or a session start). Visitor calls reach that visitor's
/// own conversations and nothing else of the organization.
public struct VisitorScope: Sendable, Equatable {
    public let orgID: String
    public let siteID: String
    public let visitorID: String

    init(orgID: String, siteID: String, visitorID: String) {
        self.orgID = orgID
        self.siteID = siteID
        self.visitorID = visitorID
    }

    /// The organization-wide scope the shared message and event helpers take; never handed out.
    var organization: TenantScope { TenantScope(orgID: orgID, userID: nil, role: .agent) }
}

/// A site as the public widget API sees it: found by its public key.
public struct WidgetSite: Sendable, Equatable {
    public let id: String
    public let orgID: String
    /// Normalized origins (`https://example.com`) allowed to embed the widget.
    public let allowedOrigins: [String]
    /// The key visitor identity hashes are made with (HMAC-SHA256 of the visitor's id).
    public let identitySecret: String
    public let identityRequired: Bool
    public let name: String
    public let settings: WidgetSettings

    public func allows(origin: String) -> Bool { allowedOrigins.contains(origin) }
}
