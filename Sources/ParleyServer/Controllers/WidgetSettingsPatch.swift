import ParleyCore

/// `PATCH /sites/{id}` with `widget`: the fields given replace the site's current ones; the
/// nullable ones (`greeting`, `reply_time`, `locale`) are cleared with an explicit `null`.
struct WidgetSettingsPatch: Decodable {
    private var changes: [(inout WidgetSettings) -> Void] = []
    private var setsUploads = false

    private enum Key: String, CodingKey {
        case themeColor, position, greeting, replyTime, locale, prechat, csatEnabled, uploads
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func set<T: Decodable>(_ key: Key, _ path: WritableKeyPath<WidgetSettings, T>) throws {
            if let value = try c.decodeIfPresent(T.self, forKey: key) { changes.append { $0[keyPath: path] = value } }
        }
        func setNullable<T: Decodable>(_ key: Key, _ path: WritableKeyPath<WidgetSettings, T?>) throws {
            guard c.contains(key) else { return }
            let value = try c.decodeNil(forKey: key) ? nil : try c.decode(T.self, forKey: key)
            changes.append { $0[keyPath: path] = value }
        }
        try set(.themeColor, \.themeColor)
        try set(.position, \.position)
        try setNullable(.greeting, \.greeting)
        try setNullable(.replyTime, \.replyTime)
        try setNullable(.locale, \.locale)
        try set(.prechat, \.prechat)
        try set(.csatEnabled, \.csatEnabled)
        try set(.uploads, \.uploads)
        setsUploads = c.contains(.uploads)
    }

    func applied(to current: WidgetSettings, maxUploadBytes: Int) throws -> WidgetSettings {
        var settings = current
        for change in changes { change(&settings) }
        return try settings.validated(maxUploadBytes: setsUploads ? maxUploadBytes : nil)
    }
}
