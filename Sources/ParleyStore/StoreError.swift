import ParleyCore

/// What can go wrong in the store, in terms the HTTP layer maps to status codes.
public enum StoreError: Error, Sendable, Equatable {
    /// The resource does not exist in the caller's organization (404, never 403, for other tenants' data).
    case notFound(String)
    /// The request collides with the current state (409), e.g. a claimed conversation or a taken email.
    case conflict(String)
    /// The caller is a member but their role does not allow this (403).
    case forbidden(String)
    /// A value breaks a rule (422).
    case invalid(ValidationError)
}
