/// The inbox's view counts under the current filters.
public struct InboxCounts: Codable, Sendable, Equatable {
    public var mine: Int
    public var unassigned: Int
    public var all: Int

    public init(mine: Int, unassigned: Int, all: Int) {
        self.mine = mine
        self.unassigned = unassigned
        self.all = all
    }
}
