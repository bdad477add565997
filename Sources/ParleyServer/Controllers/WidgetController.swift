import Foundation
import Hummingbird
import ParleyCore
import ParleyRealtime
import ParleyStore

/// The public API the website widget calls, under `/api/v1/widget/{site_key}`: visitor sessions,
/// the visitor's history and sending. Every route answers only the site's allowed origins
/// (`WidgetOriginMiddleware`); all but session start need a visitor token.
struct WidgetController {
    let services: ParleyServices

    /// `locale` and `timezone` are what the browser reports (`navigator.language`, the
    /// `Intl` time zone), kept as hints for agents.
    struct SessionRequest: Decodable {
        let anonymousToken: String?
        let locale: String?
        let timezone: String?
    }

    struct SessionReply: Encodable, Sendable {
        let visitorId: String
        let visitorToken: String
        let expiresAt: Date
        /// Kept by the browser (local storage) to come back as the same visitor.
        let anonymousToken: String
        let conversationId: String?
    }

    struct HistoryReply: Encodable, Sendable {
        let conversationId: String?
        let items: [Message]
        let nextCursor: String?
    }

    struct IdentityReply: Encodable, Sendable {
        let visitorId: String
        /// Use this token from now on: it may name another visitor (the verified one this browser is).
        let visitorToken: String
        let expiresAt: Date
        let verified: Bool
    }

    /// What the widget needs to draw itself: the site's settings (their members at the top level),
    /// and whether anyone is there.
    struct SettingsReply: Encodable, Sendable {
        let settings: WidgetSettings
        let siteId: String
        let name: String
        let identityRequired: Bool
        let agentsOnline: Bool

        private enum Key: String, CodingKey { case siteId, name, identityRequired, agentsOnline }

        func encode(to encoder: any Encoder) throws {
            try settings.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(siteId, forKey: .siteId)
            try c.encode(name, forKey: .name)
            try c.encode(identityRequired, forKey: .identityRequired)
            try c.encode(agentsOnline, forKey: .agentsOnline)
        }
    }

    struct RatingRequest: Decodable {
        let conversationId: String
        let score: Int
        let comment: String?
    }

    struct SendRequest: Decodable {
        let body: String
        let clientId: String?
    }

    func addPublicRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("sessions", use: startSession)
        group.get("settings", use: settings)
        for path in ["sessions", "settings", "messages", "identify", "leads", "uploads", "rating", "attachments/:attachment/link"] {
            group.on(RouterPath(path), method: .options, use: preflight)
        }
    }

    func addVisitorRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("messages", use: history)
        group.post("messages", use: send)
        group.post("identify", use: identify)
        group.post("leads", use: leaveLead)
        group.post("uploads", use: upload)
        group.post("rating", use: rate)
        group.get("attachments/:attachment/link", use: attachmentLink)
    }

    /// Starts (or resumes, with a known anonymous token) a visitor session. Creates no conversation.
    @Sendable func startSession(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<SessionReply> {
        let site = try admitWrite(request, context: context)
        let body = request.headers[.contentLength] == "0" ? nil
            : try await request.decodeJSON(SessionRequest.self, limit: services.config.maxBodyBytes)
        let presented = try body?.anonymousToken.map(Self.anonymousToken)
        let hints = try Self.hints(body, request: request)  // checked before anything is written
        let fresh = "anon_" + RandomToken.make()
        let session = try await services.store.visitorSession(site: site, presentedHash: presented.map(TokenService.hash),
                                                              freshHash: TokenService.hash(fresh), hints: hints)
        let visitor = session.scope
        let token = try await services.tokens.visitorToken(
            VisitorIdentity(orgID: visitor.orgID, siteID: visitor.siteID, visitorID: visitor.visitorID))
        let reply = SessionReply(visitorId: visitor.visitorID, visitorToken: token.token, expiresAt: token.expiresAt,
                                 anonymousToken: session.isNew ? fresh : presented ?? fresh,
                                 conversationId: try await services.store.currentConversationID(visitor))
        return JSONResponse(reply, status: session.isNew ? .created : .ok)
    }

    /// Hints are optional and unverified; a malformed one is refused (422) rather than stored.
    static func hints(_ body: SessionRequest?, request: Request) throws -> VisitorHints {
        let userAgent = request.headers[.userAgent].map { String($0.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0 != "\u{7F}" }.prefix(300)) }
        return VisitorHints(
            locale: try hint(body?.locale, field: "locale", lengths: 2...35, punctuation: "-", example: "a language tag such as de-DE"),
            timezone: try hint(body?.timezone, field: "timezone", lengths: 1...64, punctuation: "/_+-",
                               example: "a time zone name such as Europe/Berlin"),
            userAgent: userAgent?.isEmpty == true ? nil : userAgent)
    }

    /// A hint of ASCII letters, digits and the given punctuation, its length in `lengths`.
    private static func hint(_ raw: String?, field: String, lengths: ClosedRange<Int>, punctuation: String,
                             example: String) throws(ValidationError) -> String? {
        guard let raw else { return nil }
        guard lengths.contains(raw.count), raw.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || punctuation.contains($0)) }) else {
            throw ValidationError(field: field, reason: "must be \(example)")
        }
        return raw
    }

    @Sendable func settings(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<SettingsReply> {
        guard let site = context.widgetSite else { throw Problem.notFound("site") }
        var settings = site.settings
        settings.uploads.maxBytes = uploadLimit(site)  // what uploads will meet
        let online = try await services.store.agentsOnline(orgID: site.orgID,
                                                           freshAfter: services.clock.now().addingTimeInterval(-PresenceTracker.ttl))
        return JSONResponse(SettingsReply(settings: settings, siteId: site.id, name: site.name, identityRequired: site.identityRequired,
                                          agentsOnline: online))
    }

    /// `?before=SEQ` pages back through the visitor's current conversation (default: the latest page).
    @Sendable func history(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<HistoryReply> {
        let visitor = try context.requireVisitor()
        let query = QueryParameters(request: request)
        let before = try query.integer("before", in: 0...Limits.sequenceMax)
        let result = try await services.store.messages(visitor, direction: .before(before), limit: try query.limit())
        return JSONResponse(HistoryReply(conversationId: result.conversationID, items: result.page.items,
                                         nextCursor: result.page.nextCursor))
    }

    /// 201 for a new message (opening a conversation if the visitor has none open); 200 with the
    /// original when `client_id` was already used.
    @Sendable func send(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let visitor = try context.requireVisitor()
        try admitWrite(request, context: context)
        let body = try await request.decodeJSON(SendRequest.self, limit: services.config.maxBodyBytes)
        let draft = MessageDraft(body: try Rules.messageBody.check(body.body), isPrivate: false,
                                 clientID: try body.clientId.map(MessageController.clientID))
        let result = try await services.store.sendMessage(visitor, draft: draft)
        return JSONResponse(result.message, status: result.created ? .created : .ok)
    }

    /// Verifies (with a hash) or records (without, where the site allows it) who the visitor is.
    @Sendable func identify(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<IdentityReply> {
        let visitor = try context.requireVisitor()
        guard let site = context.widgetSite else { throw Problem.notFound("site") }
        let body = try await request.decodeJSON(WidgetIdentity.Request.self, limit: services.config.maxBodyBytes)
        let (claim, verified) = try WidgetIdentity.check(body, site: site)
        let continued = try await services.store.identify(visitor, claim: claim, verified: verified)
        let token = try await services.tokens.visitorToken(
            VisitorIdentity(orgID: continued.orgID, siteID: continued.siteID, visitorID: continued.visitorID))
        return JSONResponse(IdentityReply(visitorId: continued.visitorID, visitorToken: token.token, expiresAt: token.expiresAt,
                                          verified: verified))
    }

    /// The pre-chat or offline form: 201 with the lead.
    @Sendable func leaveLead(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Lead> {
        let visitor = try context.requireVisitor()
        let site = try admitWrite(request, context: context)
        let form = try await request.decodeJSON(LeadForm.self, limit: services.config.maxBodyBytes)
        return JSONResponse(try await services.store.createLead(visitor, draft: try form.draft(for: site.settings)), status: .created)
    }

    /// CSAT for the visitor's resolved conversation: 201 with the rating, 409 when still open or already rated.
    @Sendable func rate(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Rating> {
        let visitor = try context.requireVisitor()
        guard let site = context.widgetSite else { throw Problem.notFound("site") }
        guard site.settings.csatEnabled else { throw Problem.forbidden("this site does not ask for ratings") }
        let body = try await request.decodeJSON(RatingRequest.self, limit: services.config.maxBodyBytes)
        guard Rating.scores.contains(body.score) else {
            throw ValidationError(field: "score", reason: "must be an integer from 1 to 5", limit: Rating.scores.upperBound)
        }
        let comment = try TextRule(field: "comment", maxLength: 2_000, minLength: 0, allowsNewlines: true).check(optional: body.comment)
        let rating = try await services.store.rate(visitor, conversationID: body.conversationId, score: body.score,
                                                   comment: comment?.isEmpty == true ? nil : comment)
        return JSONResponse(rating, status: .created)
    }

    /// Counts a write (session start, message, upload, lead) against the widget's abuse limits for
    /// the client's address and the site; 429 beyond them.
    @discardableResult
    func admitWrite(_ request: Request, context: ParleyRequestContext) throws -> WidgetSite {
        guard let site = context.widgetSite else { throw Problem.notFound("site") }
        try services.widgetLimits.admit(site: site, address: context.clientAddress(request, trustProxy: services.config.trustProxy))
        return site
    }

    /// The largest upload a site's visitors may send: the site's limit, within the server's.
    func uploadLimit(_ site: WidgetSite) -> Int {
        min(site.settings.uploads.maxBytes, services.config.maxUploadBytes)
    }

    /// CORS preflight: the origin was already admitted by the middleware.
    @Sendable func preflight(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        Response(status: .noContent, headers: [
            .accessControlAllowMethods: "GET, POST, OPTIONS",
            .accessControlAllowHeaders: "Authorization, Content-Type",
            .accessControlMaxAge: "600",
        ])
    }

    /// Anonymous tokens are what this server handed out: `anon_` and 43 letters or digits.
    static func anonymousToken(_ raw: String) throws -> String {
        let suffix = raw.dropFirst("anon_".count)
        guard raw.hasPrefix("anon_"), suffix.count == 43, suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError(field: "anonymous_token", reason: "must be a token this server issued (anon_ and 43 letters or digits)")
        }
        return raw
    }
}
