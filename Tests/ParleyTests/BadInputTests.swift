import Foundation
import HTTPTypes
import HummingbirdOTP
import ParleyCore
import ParleyServer
import Testing

/// Bad input gets a clear 4xx problem naming the field (and the limit), never a 500, never a partial
/// write: every write route is attacked with broken envelopes and broken fields, and the state it
/// would change is re-read after each attempt.
@Suite("Bad input", .serialized)
struct BadInputTests {
    /// Every write route that takes a JSON body.
    enum WriteRoute: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case signUp, login, refresh, acceptInvitation, acceptInvitationAsMember, changePassword, enableTOTP, disableTOTP
        case renameOrganization, changeRole, invite, createSite, updateSite, updateConversation, sendMessage, editMessage, markRead

        var testDescription: String { rawValue }
    }

    static let smallBodyLimit = 2048

    // MARK: - Envelope: size, syntax, encoding, media type

    @Test("oversized, malformed, non-UTF-8, empty and non-JSON bodies are refused without a write",
          arguments: Backend.allCases, WriteRoute.allCases)
    func brokenEnvelopes(_ backend: Backend, _ route: WriteRoute) async throws {
        try await withParley(backend, configure: { $0.maxBodyBytes = Self.smallBodyLimit; $0.loginMaxFailures = 1 }) { api in
            // setup
            let target = try await Self.writeCase(route, api, try await BadInputWorld.make(api))
            let valid = target.valid.text
            let before = try await target.state()

            // Invalid UTF-8 goes inside a string the route reads (or an ignored member when it reads none).
            let marker = "INVALID-UTF8-GOES-HERE"
            let withMarker = target.valid.setting(target.valid.firstStringMember ?? "padding", .string(marker)).text
            func replacingMarker(_ bytes: [UInt8]) -> [UInt8] {
                Array(withMarker.replacingOccurrences(of: marker, with: "\u{1}").utf8).flatMap { $0 == 1 ? bytes : [$0] }
            }

            let probes: [(name: String, bytes: [UInt8]?, contentType: String?, expected: ExpectedProblem)] = [
                ("one byte over the limit", Self.padded(target.valid, to: Self.smallBodyLimit + 1), "application/json",
                 .init(status: .contentTooLarge, field: "body", limit: Self.smallBodyLimit)),
                ("far over the limit", target.valid.setting("padding", .string(String(repeating: "x", count: 64 * 1024))).bytes,
                 "application/json", .init(status: .contentTooLarge, field: "body", limit: Self.smallBodyLimit)),
                ("truncated JSON", Array(valid.dropLast().utf8), "application/json", .init(status: .badRequest)),
                ("trailing garbage", Array((valid + "}x").utf8), "application/json", .init(status: .badRequest)),
                ("single-quoted JSON", Array(valid.replacingOccurrences(of: "\"", with: "'").utf8), "application/json",
                 .init(status: .badRequest)),
                ("not JSON at all", Array("name=value&x=1".utf8), "application/json", .init(status: .badRequest)),
                ("invalid UTF-8 byte 0xFF", replacingMarker([0x61, 0xFF, 0x62]), "application/json", .init(status: .badRequest)),
                ("truncated UTF-8 sequence", replacingMarker([0x61, 0xE2, 0x82]), "application/json", .init(status: .badRequest)),
                ("overlong UTF-8 encoding", replacingMarker([0xC0, 0xAF]), "application/json", .init(status: .badRequest)),
                ("empty body", [], "application/json", .init(status: .badRequest)),
                ("no body", nil, "application/json", .init(status: .badRequest)),
                ("text/plain", Array(valid.utf8), "text/plain", .init(status: .unsupportedMediaType)),
                ("form encoded", Array("name=value".utf8), "application/x-www-form-urlencoded", .init(status: .unsupportedMediaType)),
                ("multipart", Array(valid.utf8), "multipart/form-data; boundary=xyz", .init(status: .unsupportedMediaType)),
                ("XML", Array("<name>value</name>".utf8), "application/xml", .init(status: .unsupportedMediaType)),
            ]

            for probe in probes {
                // act
                let response = try await api.rawRequest(target.method, target.path, bytes: probe.bytes,
                                                        contentType: probe.contentType, token: target.token)
                // check
                expectProblem(response, probe.expected, "\(route) \(probe.name)")
                #expect(try await target.state() == before, "\(route) \(probe.name) changed the stored state")
            }

            // A body that is JSON but not an object is a 4xx too (400 or 422 naming the body), never a 500.
            for shape in ["[]", "null", "42", "\"text\"", "[\(valid)]"] {
                let response = try await api.rawRequest(target.method, target.path, bytes: Array(shape.utf8), token: target.token)
                #expect([.badRequest, .unprocessableContent].contains(response.status), "\(route) body \(shape): \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(route) body \(shape)")
                #expect(try await target.state() == before, "\(route) body \(shape) changed the stored state")
            }

            // The valid body, padded to exactly the limit, still works: the refusals above were about the input.
            try await target.expectValidWriteSucceeds(api, bytes: Self.padded(target.valid, to: Self.smallBodyLimit), before: before)
        }
    }

    // MARK: - Fields: presence, types, limits, control characters, enumerations

    @Test("missing, null, mistyped, over-long, control-character and unknown-enum fields get a 422 naming the field",
          arguments: Backend.allCases, WriteRoute.allCases)
    func invalidFields(_ backend: Backend, _ route: WriteRoute) async throws {
        try await withParley(backend, configure: { $0.loginMaxFailures = 1 }) { api in
            // setup
            let target = try await Self.writeCase(route, api, try await BadInputWorld.make(api))
            let before = try await target.state()

            var probes: [(name: String, body: TestJSON, expected: ExpectedProblem)] = []
            for field in target.required {
                probes.append(("missing \(field)", target.valid.removing(field), .init(status: .unprocessableContent, field: field)))
                probes.append(("null \(field)", target.valid.setting(field, .null), .init(status: .unprocessableContent, field: field)))
            }
            for probe in target.wrongTypes {
                probes.append(("\(probe.member) = \(probe.value.text)", target.valid.setting(probe.member, probe.value),
                               .init(status: .unprocessableContent, field: probe.reported)))
            }
            for probe in target.invalid {
                probes.append(("\(probe.member) = \(probe.value.text.prefix(60))", target.valid.setting(probe.member, probe.value),
                               .init(status: .unprocessableContent, field: probe.reported, limit: probe.limit)))
            }
            for field in target.textFields {
                let controls = field.multiline ? Self.controlCharacters : Self.controlCharacters + Self.lineBreaks
                for control in controls {
                    let text = "bad\(control)text"
                    let value: TestJSON = field.inArray ? .array(["fine", .string(text)]) : .string(text)
                    probes.append(("\(field.member) with U+\(String(control.unicodeScalars.first!.value, radix: 16))",
                                   target.valid.setting(field.member, value),
                                   .init(status: .unprocessableContent, field: field.reported)))
                }
            }
            #expect(!probes.isEmpty)

            for probe in probes {
                // act
                let response = try await api.jsonRequest(target.method, target.path, probe.body, token: target.token)
                // check
                expectProblem(response, probe.expected, "\(route) \(probe.name)")
                #expect(try await target.state() == before, "\(route) \(probe.name) changed the stored state")
            }

            try await target.expectValidWriteSucceeds(api, bytes: target.valid.bytes, before: before)
        }
    }

    /// Kept apart from `brokenEnvelopes`: when a UTF-16 body is accepted, it is written, and every later
    /// probe of that test would report a changed state.
    @Test("a UTF-16 body (valid UTF-8 bytes, but not UTF-8 JSON) is refused with 400 and writes nothing",
          arguments: Backend.allCases)
    func utf16Body(_ backend: Backend) async throws {
        for route in WriteRoute.allCases {
            try await withParley(backend, configure: { $0.loginMaxFailures = 1 }) { api in
                // setup
                let target = try await Self.writeCase(route, api, try await BadInputWorld.make(api))
                let before = try await target.state()
                // act: UTF-16LE without a byte order mark: ASCII interleaved with NUL bytes.
                let utf16 = Array(target.valid.text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
                let response = try await api.rawRequest(target.method, target.path, bytes: utf16, token: target.token)
                // check
                expectProblem(response, .init(status: .badRequest), "\(route) UTF-16 body")
                #expect(try await target.state() == before, "\(route) UTF-16 body changed the stored state")
            }
        }
    }

    /// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: refused everywhere.
    static let controlCharacters = ["\u{0}", "\u{7}", "\u{8}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}"]
    /// Refused in single-line fields, allowed in message bodies.
    static let lineBreaks = ["\n", "\r", "\t"]

    // MARK: - Text is data

    static let hostile = [
        #"<script>alert('pwned')</script>"#,
        #"<img src=x onerror="alert(document.cookie)">"#,
        #"</textarea><svg/onload=alert(1)>&lt;b&gt; &amp; &#x3C;"#,
        #"'; DROP TABLE messages; -- " OR "1"="1"#,
        #"{{constructor.constructor('alert(1)')()}} ${7*7} %s %n %00 \u0000 \\"#,
        "\u{202E}fdp.exe \u{200B}zero width 👩‍👩‍👧‍👦 𝕏 ﷽",
    ]

    @Test("hostile HTML and script text is stored and returned verbatim as JSON data", arguments: Backend.allCases)
    func hostileTextRoundTrips(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup
            let world = try await BadInputWorld.make(api)
            let org = "/api/v1/orgs/\(world.owner.orgID)"
            let messagesPath = "\(org)/conversations/\(world.conversation.id)/messages"

            for text in Self.hostile {
                // act + check: message body, sent then read back.
                let body = "before\n" + text + "\nafter"
                let sent = try await api.sendMessage(world.owner, world.conversation, body)
                #expect(sent.status == .created, "sending \(text): \(sent.text)")
                #expect(sent.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(!sent.text.contains("&lt;script") && !sent.text.contains("&quot;"), "HTML-escaped: \(sent.text)")
                let message = try api.decode(Message.self, sent)
                #expect(Array(message.body.unicodeScalars) == Array(body.unicodeScalars))
                let listed = try api.items(Message.self, try await api.request(.get, "\(messagesPath)?limit=100", token: world.owner.accessToken))
                #expect(listed.first(where: { $0.id == message.id }).map { Array($0.body.unicodeScalars) } == Array(body.unicodeScalars))

                // Edited body.
                let edited = try await api.jsonRequest(.patch, "\(messagesPath)/\(message.id)", ["body": .string(text + " (edited)")],
                                                       token: world.owner.accessToken)
                #expect(edited.status == .ok)
                #expect(try api.decode(Message.self, edited).body.unicodeScalars.elementsEqual((text + " (edited)").unicodeScalars))

                // Names: organization, site, conversation labels are lower-cased so they are not checked verbatim.
                let name = String(text.prefix(Limits.name))
                let renamed = try await api.jsonRequest(.patch, org, ["name": .string(name)], token: world.owner.accessToken)
                #expect(renamed.status == .ok, "renaming to \(name): \(renamed.text)")
                let organization = try api.decode(Organization.self, try await api.request(.get, org, token: world.owner.accessToken))
                #expect(organization.name.unicodeScalars.elementsEqual(name.unicodeScalars))
                let site = try await api.jsonRequest(.patch, "\(org)/sites/\(world.site.id)", ["name": .string(name)],
                                                     token: world.owner.accessToken)
                #expect(site.status == .ok)
                let reread = try api.decode(Site.self, try await api.request(.get, "\(org)/sites/\(world.site.id)", token: world.owner.accessToken))
                #expect(reread.name.unicodeScalars.elementsEqual(name.unicodeScalars))

                // Search with the same text is data too: 200, never a query error.
                let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let search = try await api.request(.get, "\(org)/search?q=\(query)", token: world.owner.accessToken)
                #expect(search.status == .ok, "searching \(text): \(search.text)")
            }

            // A user's name at sign-up.
            let signUp = try await api.jsonRequest(.post, "/api/v1/auth/signup", [
                "email": "hostile@example.com", "password": .string(TestAPI.password), "name": .string(Self.hostile[0]),
                "organization_name": .string(Self.hostile[1]),
            ])
            #expect(signUp.status == .created)
            let reply = try api.decode(TestAPI.TokenReply.self, signUp)
            #expect(reply.user.name == Self.hostile[0])
            let me = try api.decode(TestAPI.MeReply.self, try await api.request(.get, "/api/v1/me", token: reply.accessToken))
            #expect(me.user.name == Self.hostile[0])
            #expect(me.memberships.first?.organization.name == Self.hostile[1])
        }
    }

    // MARK: - Unicode normalization

    @Test("text is stored NFC-normalized, and limits count characters after normalization", arguments: Backend.allCases)
    func nfcNormalization(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup
            let world = try await BadInputWorld.make(api)
            let org = "/api/v1/orgs/\(world.owner.orgID)"
            let decomposed = "Cafe\u{301} cre\u{300}me \u{1100}\u{1161}"  // e + combining acute, e + grave, Hangul jamo
            let composed = "Caf\u{E9} cr\u{E8}me \u{AC00}"
            func scalars(_ text: String?) -> [Unicode.Scalar] { Array((text ?? "").unicodeScalars) }

            // act + check: message body, edit, org name, site name, labels, sign-up name.
            let sent = try api.decode(Message.self, try await api.sendMessage(world.owner, world.conversation, decomposed))
            #expect(scalars(sent.body) == scalars(composed))
            let listed = try api.items(Message.self, try await api.request(
                .get, "\(org)/conversations/\(world.conversation.id)/messages?limit=100", token: world.owner.accessToken))
            #expect(scalars(listed.first(where: { $0.id == sent.id })?.body) == scalars(composed))
            #expect(!listed.contains(where: { $0.body.unicodeScalars.contains("\u{301}") }), "a decomposed body was stored")

            let edited = try api.decode(Message.self, try await api.jsonRequest(
                .patch, "\(org)/conversations/\(world.conversation.id)/messages/\(sent.id)", ["body": .string("Ame\u{301}lie")],
                token: world.owner.accessToken))
            #expect(scalars(edited.body) == scalars("Am\u{E9}lie"))

            _ = try await api.jsonRequest(.patch, org, ["name": .string(decomposed)], token: world.owner.accessToken)
            let organization = try api.decode(Organization.self, try await api.request(.get, org, token: world.owner.accessToken))
            #expect(scalars(organization.name) == scalars(composed))

            _ = try await api.jsonRequest(.patch, "\(org)/sites/\(world.site.id)", ["name": .string(decomposed)], token: world.owner.accessToken)
            let site = try api.decode(Site.self, try await api.request(.get, "\(org)/sites/\(world.site.id)", token: world.owner.accessToken))
            #expect(scalars(site.name) == scalars(composed))

            let labelled = try await api.jsonRequest(.patch, "\(org)/conversations/\(world.conversation.id)",
                                                     ["labels": ["E\u{301}te\u{301}"]], token: world.owner.accessToken)
            #expect(labelled.status == .ok)
            #expect(try api.decode(Conversation.self, labelled).labels.map(scalars) == [scalars("\u{E9}t\u{E9}")])

            let signUp = try await api.jsonRequest(.post, "/api/v1/auth/signup", [
                "email": "nfc@example.com", "password": .string(TestAPI.password), "name": .string(decomposed), "organization_name": "NFC",
            ])
            #expect(scalars(try api.decode(TestAPI.TokenReply.self, signUp).user.name) == scalars(composed))

            // 200 decomposed "é" are 400 scalars but 200 characters: accepted, and stored as 200 scalars.
            let longName = String(repeating: "e\u{301}", count: Limits.name)
            let renamed = try await api.jsonRequest(.patch, org, ["name": .string(longName)], token: world.owner.accessToken)
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(try api.decode(Organization.self, renamed).name.unicodeScalars.count == Limits.name)
        }
    }

    // MARK: - Limits are inclusive

    @Test("values exactly at each limit are accepted", arguments: Backend.allCases)
    func limitsAreInclusive(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let world = try await BadInputWorld.make(api)
            let org = "/api/v1/orgs/\(world.owner.orgID)"
            let token = world.owner.accessToken
            let origins = (0..<Limits.originsPerSite).map { TestJSON.string("https://site\($0).example") }
            let labels = (0..<Limits.labelsPerConversation).map { TestJSON.string("l\($0)" + String(repeating: "x", count: Limits.label - 3)) }
            let cases: [(name: String, method: HTTPRequest.Method, path: String, body: TestJSON, token: String?)] = [
                ("organization name of \(Limits.name)", .patch, org, ["name": .string(String(repeating: "n", count: Limits.name))], token),
                ("site with \(Limits.originsPerSite) origins", .post, "\(org)/sites",
                 ["name": .string(String(repeating: "s", count: Limits.name)), "allowed_origins": .array(origins)], token),
                ("\(Limits.labelsPerConversation) labels of \(Limits.label)", .patch, "\(org)/conversations/\(world.conversation.id)",
                 ["labels": .array(labels)], token),
                ("message of \(Limits.messageBody) with a client id of 64", .post, "\(org)/conversations/\(world.conversation.id)/messages",
                 ["body": .string(String(repeating: "b", count: Limits.messageBody)), "client_id": .string(String(repeating: "c", count: 64))], token),
                ("invitation to an email of \(Limits.email)", .post, "\(org)/invitations",
                 ["email": .string(String(repeating: "a", count: Limits.email - 12) + "@example.com"), "role": "agent"], token),
                ("sign-up with a 72-byte password", .post, "/api/v1/auth/signup",
                 ["email": "limits@example.com", "password": .string(String(repeating: "p", count: 72)), "name": "Limits",
                  "organization_name": "Limits"], nil),
            ]
            for item in cases {
                let response = try await api.jsonRequest(item.method, item.path, item.body, token: item.token)
                #expect((200..<300).contains(Int(response.status.code)), "\(item.name): \(response.status.code) \(response.text.prefix(300))")
            }
        }
    }

    // MARK: - Query parameters

    @Test("bad query parameters on list routes get a 422 naming the parameter; odd search text is data",
          arguments: Backend.allCases)
    func badQueryParameters(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let world = try await BadInputWorld.make(api)
            let org = "/api/v1/orgs/\(world.owner.orgID)"
            let conversations = "\(org)/conversations"
            let messages = "\(org)/conversations/\(world.conversation.id)/messages"
            let search = "\(org)/search"
            let long = { (count: Int) in String(repeating: "q", count: count) }
            let refused: [(path: String, query: String, field: String, limit: Int?)] = [
                (conversations, "limit=0", "limit", Limits.pageSize),
                (conversations, "limit=101", "limit", Limits.pageSize),
                (conversations, "limit=1000", "limit", Limits.pageSize),
                (conversations, "limit=-1", "limit", Limits.pageSize),
                (conversations, "limit=ten", "limit", Limits.pageSize),
                (conversations, "limit=", "limit", Limits.pageSize),
                (conversations, "limit=99999999999999999999999", "limit", Limits.pageSize),
                (conversations, "status=bogus", "status", nil),
                (conversations, "status=OPEN", "status", nil),
                (conversations, "priority=critical", "priority", nil),
                (conversations, "cursor=garbage", "cursor", nil),
                (conversations, "cursor=12~cnv_tooshort", "cursor", nil),
                (conversations, "cursor=%7E", "cursor", nil),
                (conversations, "label=\(long(Limits.label + 1))", "label", Limits.label),
                (conversations, "site=%00", "site", nil),
                (conversations, "assignee=%1B", "assignee", nil),
                (conversations, "label=%FF", "label", nil),  // not UTF-8
                (conversations, "label=50%", "label", nil),  // not percent-encoding
                (messages, "limit=0", "limit", Limits.pageSize),
                (messages, "limit=1000", "limit", Limits.pageSize),
                (messages, "before=-1", "before", nil),
                (messages, "before=abc", "before", nil),
                (messages, "after=1.5", "after", nil),
                (messages, "before=2&after=1", "after", nil),
                (search, "", "q", nil),
                (search, "q=", "q", nil),
                (search, "q=%20%20", "q", nil),
                (search, "q=\(long(Limits.searchQuery + 1))", "q", Limits.searchQuery),
                (search, "q=a%00b", "q", nil),
                (search, "q=hello&cursor=garbage", "cursor", nil),
                (search, "q=hello&limit=0", "limit", Limits.pageSize),
            ]
            for item in refused {
                let response = try await api.request(.get, item.query.isEmpty ? item.path : "\(item.path)?\(item.query)",
                                                     token: world.owner.accessToken)
                expectProblem(response, .init(status: .unprocessableContent, field: item.field, limit: item.limit),
                              "\(item.path.split(separator: "/").last!)?\(item.query.prefix(60))")
            }

            // Search text that looks like query syntax of either engine is just text.
            let odd = [#""unbalanced"#, "a* OR b NEAR(c d)", #"%_\"#, "'; DROP TABLE messages; --", "-", "***", "^title:x",
                       "caf\u{E9}", "&", "a:b", "(((", "NOT"]
            for text in odd {
                let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let response = try await api.request(.get, "\(search)?q=\(query)", token: world.owner.accessToken)
                #expect(response.status == .ok, "search \(text): \(response.status.code) \(response.text)")
            }
            // The boundaries themselves are fine.
            for query in ["limit=1", "limit=\(Limits.pageSize)", "status=open&priority=none", "assignee=me", "assignee=unassigned"] {
                let response = try await api.request(.get, "\(conversations)?\(query)", token: world.owner.accessToken)
                #expect(response.status == .ok, "conversations?\(query): \(response.text)")
            }
        }
    }

    // MARK: - Malformed ids in the path

    @Test("malformed ids in the path answer 404, never a 500", arguments: Backend.allCases)
    func malformedPathIDs(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let world = try await BadInputWorld.make(api)
            let org = "/api/v1/orgs/\(world.owner.orgID)"
            let ids = ["%00", "cnv_%00", "%FF", "%C0%AF", "..%2F..%2Fetc%2Fpasswd", "%F0%9F%92%A5", "'%20OR%20'1'='1",
                       "cnv_" + String(repeating: "a", count: 4000), "%E2%80%A8"]
            for id in ids {
                let paths: [(HTTPRequest.Method, String, TestJSON?)] = [
                    (.get, "/api/v1/orgs/\(id)", nil),
                    (.get, "\(org)/sites/\(id)", nil),
                    (.patch, "\(org)/sites/\(id)", ["name": "x"]),
                    (.get, "\(org)/conversations/\(id)", nil),
                    (.get, "\(org)/conversations/\(id)/messages", nil),
                    (.post, "\(org)/conversations/\(id)/messages", ["body": "x"]),
                    (.patch, "\(org)/conversations/\(world.conversation.id)/messages/\(id)", ["body": "x"]),
                    (.post, "\(org)/conversations/\(id)/read", ["seq": 1]),
                    (.patch, "\(org)/members/\(id)", ["role": "agent"]),
                    (.delete, "\(org)/invitations/\(id)", nil),
                ]
                for (method, path, body) in paths {
                    let response = try await api.jsonRequest(method, path, body, token: world.owner.accessToken)
                    expectProblem(response, .init(status: .notFound), "\(method) \(path.prefix(120))")
                }
            }
        }
    }

    // MARK: - Passwords

    @Test("a password containing NUL is refused (bcrypt would silently cut it there)", arguments: Backend.allCases)
    func passwordWithNUL(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // act
            let response = try await api.jsonRequest(.post, "/api/v1/auth/signup", [
                "email": "nul@example.com", "password": .string(TestAPI.password + "\u{0}anything"), "name": "Nul",
                "organization_name": "Nul",
            ])
            // check
            expectProblem(response, .init(status: .unprocessableContent, field: "password"), "sign-up with NUL in the password")
            #expect(try await api.store.credentials(email: "nul@example.com") == nil, "the user was created")
            // Were it accepted, the part before NUL alone would open the account.
            let truncated = try await api.jsonRequest(.post, "/api/v1/auth/login", [
                "email": "nul@example.com", "password": .string(TestAPI.password),
            ])
            #expect(truncated.status == .unauthorized)
        }
    }
}

// MARK: - The world the write routes act on

/// An organization with an owner (who has started, not finished, two-factor set-up), an agent, a site,
/// a conversation with the owner's message, and two pending invitations: one for a new user, one for
/// `joiner`, who already has an account. `totpUser` has two-factor enabled.
struct BadInputWorld: Sendable {
    let owner: Account
    let agent: Account
    let site: Site
    let conversation: Conversation
    let ownerMessage: Message
    let newcomerToken: String
    let joiner: Account
    let joinerToken: String
    let ownerTOTPSecret: String
    let totpUser: Account
    let totpUserSecret: String

    static func make(_ api: TestAPI) async throws -> BadInputWorld {
        let owner = try await api.signUp("owner@example.com", org: "Acme")
        let agent = try await api.addMember(to: owner)
        let site = try await api.createSite(owner)
        let started = try await api.startConversation(owner, site: site)
        let sent = try await api.sendMessage(owner, started, "The owner's answer")
        let ownerMessage = try api.decode(Message.self, sent)
        let conversation = try api.decode(Conversation.self, try await api.request(
            .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(started.id)", token: owner.accessToken))

        func invite(_ email: String) async throws -> String {
            let response = try await api.jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/invitations", ["email": .string(email), "role": "agent"],
                                                     token: owner.accessToken)
            #expect(response.status == .created)
            return try api.decode(InvitationToken.self, response).token
        }
        let newcomerToken = try await invite("newcomer@example.com")
        let joiner = try await api.signUp("joiner@example.com", org: "Joiner Org")
        let joinerToken = try await invite("joiner@example.com")

        func setUpTOTP(_ account: Account) async throws -> String {
            let response = try await api.request(.post, "/api/v1/me/totp/setup", token: account.accessToken)
            return try api.decode(TOTPSecret.self, response).secret
        }
        let ownerTOTPSecret = try await setUpTOTP(owner)
        let totpUser = try await api.signUp("totp@example.com", org: "TOTP Org")
        let totpUserSecret = try await setUpTOTP(totpUser)
        let enabled = try await api.jsonRequest(.post, "/api/v1/me/totp/enable",
                                                ["code": .string(totpCode(totpUserSecret, api))], token: totpUser.accessToken)
        #expect(enabled.status == .noContent)
        return BadInputWorld(owner: owner, agent: agent, site: site, conversation: conversation, ownerMessage: ownerMessage,
                             newcomerToken: newcomerToken, joiner: joiner, joinerToken: joinerToken, ownerTOTPSecret: ownerTOTPSecret,
                             totpUser: totpUser, totpUserSecret: totpUserSecret)
    }

    private struct InvitationToken: Decodable { let token: String }
    private struct TOTPSecret: Decodable { let secret: String }

    /// The code of the current time step, or of a later one (each code works once, so a second
    /// use in the same step needs the next code, still accepted as clock drift).
    static func totpCode(_ secret: String, _ api: TestAPI, stepsAhead: Double = 0) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: api.clock.now().addingTimeInterval(30 * stepsAhead)))
    }
}

/// One write route under attack: a body that succeeds, what is wrong with each field, and the state it writes.
struct WriteCase: Sendable {
    struct Probe: Sendable {
        /// The member set in the body, and the field the problem must name.
        let member: String
        let value: TestJSON
        let reported: String
        let limit: Int?

        init(_ member: String, _ value: TestJSON, reported: String? = nil, limit: Int? = nil) {
            self.member = member
            self.value = value
            self.reported = reported ?? member
            self.limit = limit
        }
    }

    /// A text field checked by the text rules; `inArray` puts the text inside an array (labels).
    struct TextField: Sendable {
        let member: String
        var reported: String
        var inArray = false
        var multiline = false

        init(_ member: String, reported: String? = nil, inArray: Bool = false, multiline: Bool = false) {
            self.member = member
            self.reported = reported ?? member
            self.inArray = inArray
            self.multiline = multiline
        }
    }

    let method: HTTPRequest.Method
    let path: String
    let token: String?
    let valid: TestJSON
    let success: HTTPResponse.Status
    var required: [String] = []
    var wrongTypes: [Probe] = []
    /// Values of the right type that break a rule: too long, too short, unknown enum value, bad format.
    var invalid: [Probe] = []
    var textFields: [TextField] = []
    /// What the route writes, read back; equal before and after every refused attempt.
    let state: @Sendable () async throws -> String
    /// False for routes whose success writes nothing `state` can see (login, refresh).
    var successChangesState = true

    /// Sends the valid body and expects it to succeed (and to change the state when it should): proof
    /// that the route and the state reader work, so the refusals before were about the input alone.
    func expectValidWriteSucceeds(_ api: TestAPI, bytes: [UInt8], before: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await api.rawRequest(method, path, bytes: bytes, token: token)
        #expect(response.status == success, "the valid body for \(method) \(path): \(response.status.code) \(response.text)",
                sourceLocation: sourceLocation)
        if successChangesState {
            #expect(try await state() != before, "the valid write to \(method) \(path) changed nothing visible",
                    sourceLocation: sourceLocation)
        }
    }
}

extension BadInputTests {
    /// `body` with whitespace appended so that it is exactly `size` bytes (still valid JSON).
    static func padded(_ body: TestJSON, to size: Int) -> [UInt8] {
        let bytes = body.bytes
        return bytes + [UInt8](repeating: UInt8(ascii: " "), count: max(0, size - bytes.count))
    }

    static func writeCase(_ route: WriteRoute, _ api: TestAPI, _ world: BadInputWorld) async throws -> WriteCase {
        let owner = world.owner
        let org = "/api/v1/orgs/\(owner.orgID)"
        let conversationPath = "\(org)/conversations/\(world.conversation.id)"
        let tooLongName = TestJSON.string(String(repeating: "n", count: Limits.name + 1))
        let tooLongEmail = TestJSON.string(String(repeating: "a", count: Limits.email + 1 - 12) + "@example.com")
        let tooLongPassword = TestJSON.string(String(repeating: "p", count: 73))
        func read(_ path: String, _ token: String) -> @Sendable () async throws -> String {
            { try await api.readState(path, token: token) }
        }
        func nameProbes(_ member: String) -> [WriteCase.Probe] {
            [.init(member, tooLongName, limit: Limits.name), .init(member, ""), .init(member, "   ")]
        }

        switch route {
        case .signUp:
            return WriteCase(
                method: .post, path: "/api/v1/auth/signup", token: nil,
                valid: ["email": "fresh@example.com", "password": .string(TestAPI.password), "name": "Fresh", "organization_name": "Fresh Org"],
                success: .created, required: ["email", "password", "name", "organization_name"],
                wrongTypes: [.init("email", 1), .init("password", 123_456_789_012), .init("name", true), .init("organization_name", ["x"]),
                             .init("name", ["first": "F"])],
                invalid: nameProbes("name") + nameProbes("organization_name") + [
                    .init("email", tooLongEmail, limit: Limits.email), .init("email", "not-an-email"), .init("email", "a@b"),
                    .init("email", "<a@example.com>"), .init("password", tooLongPassword, limit: 72),
                    .init("password", "short", limit: Limits.passwordMin),
                ],
                textFields: [.init("name"), .init("organization_name"), .init("email")],
                state: {
                    let users = try await api.store.userCount()
                    let fresh = try await api.store.credentials(email: "fresh@example.com") != nil
                    return "users=\(users) fresh=\(fresh)"
                })

        case .login:
            return WriteCase(
                method: .post, path: "/api/v1/auth/login", token: nil,
                valid: ["email": .string(owner.email), "password": .string(TestAPI.password)], success: .ok,
                required: ["email", "password"],
                wrongTypes: [.init("email", 1), .init("password", false), .init("totp_code", 123456)],
                invalid: [.init("email", tooLongEmail, limit: Limits.email), .init("email", "nobody"),
                          .init("password", .string(String(repeating: "p", count: 1025)), limit: 1024)],
                textFields: [.init("email")],
                state: {
                    let locked = try await api.store.loginLockedUntil(key: "login:" + owner.email) != nil
                    return "locked=\(locked)"
                },
                successChangesState: false)

        case .refresh:
            return WriteCase(
                method: .post, path: "/api/v1/auth/refresh", token: nil, valid: ["refresh_token": .string(owner.refreshToken)],
                success: .ok, required: ["refresh_token"], wrongTypes: [.init("refresh_token", 42), .init("refresh_token", [])],
                state: read("/api/v1/me", owner.accessToken), successChangesState: false)

        case .acceptInvitation:
            return WriteCase(
                method: .post, path: "/api/v1/invitations/accept", token: nil,
                valid: ["token": .string(world.newcomerToken), "name": "Newcomer", "password": .string(TestAPI.password)],
                success: .created, required: ["token", "name", "password"],
                wrongTypes: [.init("token", 1), .init("name", 2), .init("password", [])],
                invalid: nameProbes("name") + [.init("password", tooLongPassword, limit: 72),
                                               .init("password", "short", limit: Limits.passwordMin)],
                textFields: [.init("name")],
                state: {
                    let invitations = try await api.readState("\(org)/invitations", token: owner.accessToken)
                    let users = try await api.store.userCount()
                    return "users=\(users) \(invitations)"
                })

        case .acceptInvitationAsMember:
            return WriteCase(
                method: .post, path: "/api/v1/me/invitations/accept", token: world.joiner.accessToken,
                valid: ["token": .string(world.joinerToken)], success: .ok, required: ["token"],
                wrongTypes: [.init("token", ["t": "x"]), .init("token", 7)],
                state: {
                    let me = try await api.readState("/api/v1/me", token: world.joiner.accessToken)
                    return me + (try await api.readState("\(org)/invitations", token: owner.accessToken))
                })

        case .changePassword:
            return WriteCase(
                method: .post, path: "/api/v1/me/password", token: owner.accessToken,
                valid: ["current_password": .string(TestAPI.password), "new_password": "another long password"], success: .noContent,
                required: ["current_password", "new_password"],
                wrongTypes: [.init("current_password", 1), .init("new_password", false)],
                invalid: [.init("new_password", tooLongPassword, limit: 72), .init("new_password", "short", limit: Limits.passwordMin),
                          .init("current_password", "not the password")],
                state: {
                    let hash = try await api.store.credentials(userID: owner.userID)?.passwordHash ?? "none"
                    return hash + (try await api.readState("/api/v1/me", token: owner.accessToken))
                })

        case .enableTOTP:
            return WriteCase(
                method: .post, path: "/api/v1/me/totp/enable", token: owner.accessToken,
                valid: ["code": .string(BadInputWorld.totpCode(world.ownerTOTPSecret, api))], success: .noContent, required: ["code"],
                wrongTypes: [.init("code", .integer(123456)), .init("code", [])],
                invalid: [.init("code", "12345"), .init("code", "abcdef"), .init("code", .string(String(repeating: "1", count: 5000)))],
                state: read("/api/v1/me", owner.accessToken))

        case .disableTOTP:
            let user = world.totpUser
            return WriteCase(
                method: .post, path: "/api/v1/me/totp/disable", token: user.accessToken,
                valid: ["code": .string(BadInputWorld.totpCode(world.totpUserSecret, api, stepsAhead: 1))], success: .noContent,
                required: ["code"],
                wrongTypes: [.init("code", .integer(123456)), .init("code", ["1"])],
                invalid: [.init("code", "1234567"), .init("code", "")],
                state: read("/api/v1/me", user.accessToken))

        case .renameOrganization:
            return WriteCase(
                method: .patch, path: org, token: owner.accessToken, valid: ["name": "Renamed"], success: .ok, required: ["name"],
                wrongTypes: [.init("name", 1), .init("name", ["Renamed"])], invalid: nameProbes("name"), textFields: [.init("name")],
                state: read(org, owner.accessToken))

        case .changeRole:
            return WriteCase(
                method: .patch, path: "\(org)/members/\(world.agent.userID)", token: owner.accessToken, valid: ["role": "admin"],
                success: .ok, required: ["role"], wrongTypes: [.init("role", 1), .init("role", ["admin"])],
                invalid: [.init("role", "superuser"), .init("role", "ADMIN"), .init("role", ""), .init("role", "admin ")],
                state: read("\(org)/members", owner.accessToken))

        case .invite:
            return WriteCase(
                method: .post, path: "\(org)/invitations", token: owner.accessToken, valid: ["email": "another@example.com", "role": "agent"],
                success: .created, required: ["email", "role"],
                wrongTypes: [.init("email", 1), .init("role", true)],
                invalid: [.init("role", "king"), .init("role", "Owner"), .init("email", tooLongEmail, limit: Limits.email),
                          .init("email", "not-an-email"), .init("email", "")],
                textFields: [.init("email")],
                state: read("\(org)/invitations", owner.accessToken))

        case .createSite:
            return WriteCase(
                method: .post, path: "\(org)/sites", token: owner.accessToken,
                valid: ["name": "Second site", "allowed_origins": ["https://second.example"]], success: .created, required: ["name"],
                wrongTypes: [.init("name", 1), .init("allowed_origins", "https://second.example"),
                             .init("allowed_origins", [1], reported: "allowed_origins[0]")],
                invalid: nameProbes("name") + Self.originProbes,
                textFields: [.init("name")],
                state: read("\(org)/sites", owner.accessToken))

        case .updateSite:
            return WriteCase(
                method: .patch, path: "\(org)/sites/\(world.site.id)", token: owner.accessToken, valid: ["name": "Renamed site"],
                success: .ok, wrongTypes: [.init("name", 1), .init("allowed_origins", ["https://a.example": "x"])],
                invalid: nameProbes("name") + Self.originProbes,
                textFields: [.init("name")],
                state: read("\(org)/sites/\(world.site.id)", owner.accessToken))

        case .updateConversation:
            let labels = (0...Limits.labelsPerConversation).map { TestJSON.string("label\($0)") }
            return WriteCase(
                method: .patch, path: conversationPath, token: owner.accessToken, valid: ["status": "pending"], success: .ok,
                wrongTypes: [.init("status", 1), .init("priority", true), .init("labels", "vip"), .init("labels", [1], reported: "labels[0]"),
                             .init("assignee_id", 5), .init("assignee_id", ["usr"])],
                invalid: [
                    .init("status", "archived"), .init("status", "OPEN"), .init("status", ""), .init("priority", "critical"),
                    .init("labels", .array(labels), limit: Limits.labelsPerConversation),
                    .init("labels", [.string(String(repeating: "l", count: Limits.label + 1))], reported: "labels[0]", limit: Limits.label),
                    .init("labels", ["ok", ""], reported: "labels[1]"),
                    .init("assignee_id", "usr_nobody"), .init("assignee_id", .string(world.joiner.userID)),
                    .init("assignee_id", "usr_\u{0}"), .init("assignee_id", .string(String(repeating: "u", count: 5000))),
                ],
                textFields: [.init("labels", reported: "labels[1]", inArray: true)],
                state: read(conversationPath, owner.accessToken))

        case .sendMessage:
            let messagesPath = "\(conversationPath)/messages"
            return WriteCase(
                method: .post, path: messagesPath, token: owner.accessToken,
                valid: ["body": "A fine reply", "private": false, "client_id": "client-1"], success: .created, required: ["body"],
                wrongTypes: [.init("body", 1), .init("body", ["text"]), .init("private", "yes"), .init("private", 1), .init("client_id", 7)],
                invalid: [
                    .init("body", .string(String(repeating: "b", count: Limits.messageBody + 1)), limit: Limits.messageBody),
                    .init("body", ""), .init("body", " \n\t "),
                    .init("client_id", .string(String(repeating: "c", count: 65)), limit: 64), .init("client_id", ""),
                    .init("client_id", "has space"), .init("client_id", "caf\u{E9}"),
                ],
                textFields: [.init("body", multiline: true)],
                state: {
                    let messages = try await api.readState("\(messagesPath)?limit=100", token: owner.accessToken)
                    return messages + (try await api.readState(conversationPath, token: owner.accessToken))
                })

        case .editMessage:
            return WriteCase(
                method: .patch, path: "\(conversationPath)/messages/\(world.ownerMessage.id)", token: owner.accessToken,
                valid: ["body": "An edited reply"], success: .ok, required: ["body"],
                wrongTypes: [.init("body", 1), .init("body", ["b": "x"])],
                invalid: [.init("body", .string(String(repeating: "b", count: Limits.messageBody + 1)), limit: Limits.messageBody),
                          .init("body", ""), .init("body", "\n\n")],
                textFields: [.init("body", multiline: true)],
                state: read("\(conversationPath)/messages?limit=100", owner.accessToken))

        case .markRead:
            // The agent has read nothing yet; the valid marker (the latest seq) clears their unread count.
            let agent = world.agent
            return WriteCase(
                method: .post, path: "\(conversationPath)/read", token: agent.accessToken,
                valid: ["seq": .integer(world.conversation.seq)], success: .ok, required: ["seq"],
                wrongTypes: [.init("seq", "1"), .init("seq", true), .init("seq", [1]), .init("seq", .literal("1.5"))],
                invalid: [.init("seq", -1), .init("seq", .integer(world.conversation.seq + 1), limit: world.conversation.seq),
                          .init("seq", .literal("99999999999999999999999")), .init("seq", .integer(Int.max))],
                state: read(conversationPath, agent.accessToken))
        }
    }

    static let originProbes: [WriteCase.Probe] = [
        .init("allowed_origins", ["ftp://files.example"], reported: "allowed_origins[0]"),
        .init("allowed_origins", ["https://ok.example", "https://a.example/path"], reported: "allowed_origins[1]"),
        .init("allowed_origins", ["https://user@a.example"], reported: "allowed_origins[0]"),
        .init("allowed_origins", ["https://a.example:99999"], reported: "allowed_origins[0]"),
        .init("allowed_origins", ["https://a\u{0}.example"], reported: "allowed_origins[0]"),
        .init("allowed_origins", .array((0...Limits.originsPerSite).map { .string("https://o\($0).example") }), limit: Limits.originsPerSite),
    ]
}
