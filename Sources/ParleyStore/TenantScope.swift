import ParleyCore

/// Proof that the caller may act inside one organization, and with which role.
///
/// Only this module can make one, and only by checking a membership row (`ParleyStore.memberScope`)
/// or by an operator path named as such (`ParleyStore.operatorScope`). Every store call on tenant data
/// takes a scope, so no query on a tenant table can be written without one.
public struct TenantScope: Sendable, Equatable {
    public let orgID: String
    /// The acting member; nil when an operator command or a system job acts for the organization.
    public let userID: String?
    public let role: Role

    init(orgID: String, userID: String?, role: Role) {
        self.orgID = orgID
        self.userID = userID
        self.role = role
    }

    /// Throws `StoreError.forbidden` unless the role may manage the organization.
    func requireManager() throws(StoreError) {
        guard role.canManageOrganization else { throw .forbidden("requires the owner or admin role") }
    }
}
