/// A request value that breaks a rule; the HTTP layer turns it into a 422 problem naming the field.
public struct ValidationError: Error, Sendable, Equatable {
    public let field: String
    public let reason: String
    public let limit: Int?

    public init(field: String, reason: String, limit: Int? = nil) {
        self.field = field
        self.reason = reason
        self.limit = limit
    }
}
