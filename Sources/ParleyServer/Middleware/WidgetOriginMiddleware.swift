import HTTPTypes
import Hummingbird
import ParleyCore
import ParleyStore

/// For the public widget API under `/widget/{site_key}`: finds the site by its key and admits only
/// requests whose `Origin` is one of the site's allowed origins, answering them with CORS headers
/// for that origin alone. A page elsewhere cannot use a site's key; a missing Origin (not a
/// browser) is refused too, so the rule is the same for every caller. Browsers leave Origin out of
/// same-origin GETs: those are recognised by `Sec-Fetch-Site: same-origin` (which page scripts
/// cannot set) and stand for Parley's own origin, as on its demo page.
struct WidgetOriginMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let store: ParleyStore
    /// This server's public origin (`PARLEY_PUBLIC_URL`, else its listening address).
    let ownOrigin: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let site = try await Self.site(key: context.parameters.get("site_key"), store: store)
        let origin = try Self.admittedOrigin(request.headers, for: site, ownOrigin: ownOrigin)
        var context = context
        context.widgetSite = site
        context.attribute("org_id", site.orgID)
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        return response
    }

    static func site(key: String?, store: ParleyStore) async throws -> WidgetSite {
        guard let key, key.count <= 64, let site = try await store.widgetSite(key: key) else { throw Problem.notFound("site") }
        return site
    }

    /// The request's origin in normalized form, if the site allows it; 403 naming the problem otherwise.
    static func admittedOrigin(_ headers: HTTPFields, for site: WidgetSite, ownOrigin: String? = nil) throws -> String {
        var values = headers[values: .origin]
        if values.isEmpty, headers[values: .secFetchSite] == ["same-origin"], let ownOrigin { values = [ownOrigin] }
        guard let header = values.first else {
            throw Problem(.forbidden, code: "origin-required", title: "Origin required",
                          detail: "the widget API answers pages of the site's allowed origins; the request has no Origin header")
        }
        guard values.count == 1 else {
            throw Problem.badRequest("the request has more than one Origin header", field: "Origin")
        }
        guard let origin = try? Origin.normalize(header), site.allows(origin: origin) else {
            throw Problem(.forbidden, code: "origin-not-allowed", title: "Origin not allowed",
                          detail: "this site does not allow the widget on \(header.prefix(100)); add the origin to the site's allowed origins")
        }
        return origin
    }
}
