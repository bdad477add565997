/// A member's role inside one organization.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case agent
    case admin
    case owner

    private var rank: Int {
        switch self {
        case .agent: 0
        case .admin: 1
        case .owner: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Owners and admins manage sites, members and invitations.
    public var canManageOrganization: Bool { self >= .admin }

    /// Whether a member with this role may grant `role` to someone (nobody grants more than they hold).
    public func canGrant(_ role: Role) -> Bool { canManageOrganization && role <= self }
}
