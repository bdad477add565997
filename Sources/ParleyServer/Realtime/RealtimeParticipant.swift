import ParleyStore

/// Who is on a socket: a member of the organization (agent dashboard) or one website visitor.
/// The gateway proves it at the handshake; every command proves it again.
enum RealtimeParticipant: Sendable {
    /// The scope proven at the handshake; commands prove membership again, but the socket's own
    /// bookkeeping (presence on close) must work even after the membership was revoked.
    case member(Identity, TenantScope)
    case visitor(VisitorScope)

    var orgID: String {
        switch self {
        case .member(_, let scope): scope.orgID
        case .visitor(let visitor): visitor.orgID
        }
    }
}
