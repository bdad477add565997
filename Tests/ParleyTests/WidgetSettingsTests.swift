import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
import ParleyStore
import Testing

@Suite("Widget settings")
struct WidgetSettingsTests {
    @Test("a new site has the defaults; PATCH changes only the fields given and null clears", arguments: Backend.allCases)
    func patchAndRead(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let initial = try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings"))
            #expect(initial.themeColor == WidgetSettings.defaults.themeColor)
            #expect(initial.position == "right")
            #expect(initial.greeting == nil)
            #expect(initial.agentsOnline == false)
            #expect(initial.uploads.allowedTypes.contains("image/png"))

            let patched = try await api.patchWidget(owner, site, [
                "theme_color": "#FF0066", "position": "left", "greeting": "Hi <b>there</b>!", "reply_time": "hours", "locale": "de",
                "prechat": ["enabled": true, "fields": [
                    ["name": "email", "label": "Email", "type": "email", "required": true],
                    ["name": "order", "label": "Order number", "type": "text", "required": false],
                ]],
                "uploads": ["max_bytes": 1000, "allowed_types": ["image/png", "image/png"]],
            ])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try api.decode(Site.self, patched).widget.themeColor == "#ff0066")

            let shown = try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings"))
            #expect(shown.themeColor == "#ff0066")
            #expect(shown.position == "left")
            #expect(shown.greeting == "Hi <b>there</b>!", "text is stored as given; the widget renders it as text")
            #expect(shown.replyTime == "hours")
            #expect(shown.locale == "de")
            #expect(shown.prechat.enabled && shown.prechat.fields.map(\.name) == ["email", "order"])
            #expect(shown.uploads == WidgetSettings.Uploads(maxBytes: 1000, allowedTypes: ["image/png"]))

            // Leaving fields out keeps them; null clears the nullable ones.
            try await api.patchWidget(owner, site, ["greeting": nil, "csat_enabled": false])
            let cleared = try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings"))
            #expect(cleared.greeting == nil)
            #expect(cleared.csatEnabled == false)
            #expect(cleared.themeColor == "#ff0066" && cleared.locale == "de")
        }
    }

    @Test("bad settings are refused naming the field, and the stored settings stay as they were", arguments: Backend.allCases)
    func badSettings(_ backend: Backend) async throws {
        try await withParley(backend, configure: { $0.maxUploadBytes = 5_000_000 }) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            try await api.patchWidget(owner, site, ["greeting": "Welcome"])
            let cases: [(TestJSON, String)] = [
                (["theme_color": "red"], "widget.theme_color"),
                (["theme_color": "#12345g"], "widget.theme_color"),
                (["theme_color": "#\u{FF21}\u{FF22}\u{FF23}\u{FF24}\u{FF25}\u{FF26}"], "widget.theme_color"),  // full-width A-F
                (["locale": "xx"], "widget.locale"),
                (["greeting": .string(String(repeating: "a", count: 501))], "widget.greeting"),
                (["greeting": "bell\u{07}"], "widget.greeting"),
                (["prechat": ["enabled": true, "fields": [["name": "Email!", "label": "E", "type": "email", "required": true]]]],
                 "widget.prechat.fields[0].name"),
                (["prechat": ["enabled": true, "fields": [["name": "a", "label": "A", "type": "text", "required": true],
                                                          ["name": "a", "label": "B", "type": "text", "required": true]]]],
                 "widget.prechat.fields[1].name"),
                (["uploads": ["max_bytes": 5_000_001, "allowed_types": ["image/png"]]], "widget.uploads.max_bytes"),
                (["uploads": ["max_bytes": 100, "allowed_types": ["application/x-msdownload"]]], "widget.uploads.allowed_types"),
            ]
            for (widget, field) in cases {
                let response = try await api.patchWidget(owner, site, widget)
                #expect(response.status == .unprocessableContent, "\(widget.text)")
                #expect(try api.problem(response).field == field, "\(widget.text): \(response.text)")
            }
            let wrongType = try await api.patchWidget(owner, site, ["position": "middle"])
            #expect(wrongType.status == .badRequest || wrongType.status == .unprocessableContent)
            let settings = try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings"))
            #expect(settings.greeting == "Welcome")
            #expect(settings.themeColor == WidgetSettings.defaults.themeColor)
            #expect(settings.uploads.maxBytes == 5_000_000, "the widget is told the limit uploads will meet")
        }
    }

    @Test("agents_online follows the organization's online members", arguments: Backend.allCases)
    func agentsOnline(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let stranger = try await api.signUp(org: "Stranger")
            let strangerScope = try #require(try await api.store.memberScope(userID: stranger.userID, orgID: stranger.orgID))
            try await api.runtime.presence.set(strangerScope, connectionID: "stranger-socket", status: .online)
            #expect(try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings")).agentsOnline == false,
                    "another organization's agents do not count")

            let scope = try #require(try await api.store.memberScope(userID: owner.userID, orgID: owner.orgID))
            try await api.runtime.presence.set(scope, connectionID: "owner-socket", status: .online)
            #expect(try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings")).agentsOnline)
            try await api.runtime.presence.set(scope, connectionID: "owner-socket", status: .away)
            #expect(try api.decode(WidgetSettingsReply.self, try await api.widget(.get, site, "settings")).agentsOnline == false)
        }
    }
}
