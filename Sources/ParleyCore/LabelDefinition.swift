import Foundation

/// A label in the organization's catalog: the name agents pick from, with its colour. Conversations
/// keep plain label names, so removing one from the catalog leaves tagged conversations as they are.
public struct LabelDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var color: String
    public var createdAt: Date

    public init(id: String, name: String, color: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.color = color
        self.createdAt = createdAt
    }

    public static let defaultColor = "#64748b"
    public static let perOrganization = 500
}
