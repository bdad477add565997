/// `{"items": [...]}`: a whole, unpaged collection (paged ones are `Page`).
struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
}
