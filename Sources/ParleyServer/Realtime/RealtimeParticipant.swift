import ParleyStore

/// Who is on a socket: a member of the organization (agent dashboard) or one website visitor.
/// The gateway proves it at the handshake; every command proves it again.
enum RealtimeParticipant: Sendable {
    case member(Identity, orgID: String)
    case visitor(VisitorScope)

    var orgID: String {
        switch self {
        case .member(_, let orgID): orgID
        case .visitor(let visitor): visitor.orgID
        }
    }
}
