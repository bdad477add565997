import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore

/// The browser code (`Public/`: the widget and the dashboard), served by exact name: only files
/// that exist under the root with a known extension, so no request path can reach anything else.
///
/// Bundled files are read once at start-up. With `PARLEY_WEB_ROOT` the files are read from that
/// directory on every request instead, so front-end work needs no rebuild.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    private let root: URL
    private let preloaded: [String: Asset]?

    static let contentTypes = [
        "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "html": "text/html; charset=utf-8", "svg": "image/svg+xml",
    ]

    /// `directory` nil: the files bundled with the server, preloaded.
    init(directory: String?) {
        if let directory {
            root = URL(fileURLWithPath: directory, isDirectory: true)
            preloaded = nil
        } else {
            root = Bundle.module.resourceURL?.appendingPathComponent("Public", isDirectory: true)
                ?? URL(fileURLWithPath: "/nonexistent")
            preloaded = Self.loadAll(under: root)
        }
    }

    /// The asset at `path` (relative, `/`-separated), or nil when there is none.
    func asset(at path: String) -> Asset? {
        guard Self.isServable(path) else { return nil }
        if let preloaded { return preloaded[path] }
        return Self.load(root.appendingPathComponent(path), name: path)
    }

    /// Lower-case names of letters, digits, `.`, `_` and `-`, two directory levels at most, a known
    /// extension, and no segment starting with a dot.
    static func isServable(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...3).contains(segments.count), let ext = path.split(separator: ".").last,
              contentTypes[String(ext)] != nil else { return false }
        return segments.allSatisfy { segment in
            guard let first = segment.first, first != "." else { return false }
            return segment.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
        }
    }

    private static func loadAll(under root: URL) -> [String: Asset] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [:] }
        var assets: [String: Asset] = [:]
        let prefix = root.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            let name = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            if isServable(name), let asset = load(url, name: name) { assets[name] = asset }
        }
        return assets
    }

    private static func load(_ url: URL, name: String) -> Asset? {
        guard let ext = name.split(separator: ".").last, let type = contentTypes[String(ext)],
              let data = try? Data(contentsOf: url) else { return nil }
        let digest = Hex.encode(SHA256.hash(data: data).prefix(12))
        return Asset(bytes: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
    }
}

/// Serves `StaticAssets`: the widget at `/widget.js` and `/widget/…` to any origin (its modules are
/// fetched in CORS mode from customers' pages), and the dashboard at `/app/…` to Parley's own origin
/// only, under a strict CSP. Dashboard paths that name no file get its `index.html`, so the
/// dashboard's client-side routes survive a reload.
struct StaticAssetController {
    let assets: StaticAssets

    static let dashboardPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'"

    func addRoutes(to router: Router<ParleyRequestContext>) {
        router.get("widget.js") { request, _ in try self.serveWidget("widget.js", request) }
        router.get("widget/:file") { request, context in
            try self.serveWidget("widget/" + (context.parameters.get("file") ?? ""), request)
        }
        router.get("app") { request, _ in try self.serveDashboard("", request) }
        router.get("app/**") { request, context in
            try self.serveDashboard(context.parameters.getCatchAll().joined(separator: "/"), request)
        }
    }

    private func serveWidget(_ path: String, _ request: Request) throws -> Response {
        guard let asset = assets.asset(at: path) else { throw Problem.notFound("file") }
        return serve(asset, request, headers: [
            // Short: the loader's URL never changes, so updates must reach pages within minutes.
            .cacheControl: "public, max-age=300",
            .accessControlAllowOrigin: "*",
            .crossOriginResourcePolicy: "cross-origin",
        ])
    }

    /// `path` is relative to `app/`. A last segment without a dot is a client-side route.
    private func serveDashboard(_ path: String, _ request: Request) throws -> Response {
        let isRoute = !(path.split(separator: "/").last?.contains(".") ?? false)
        guard let asset = assets.asset(at: isRoute ? "app/index.html" : "app/" + path) else { throw Problem.notFound("file") }
        return serve(asset, request, headers: [
            // Module URLs carry no version, so every load revalidates (a 304 when unchanged).
            .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.dashboardPolicy,
            .xFrameOptions: "DENY",
            .referrerPolicy: "same-origin",
            .crossOriginResourcePolicy: "same-origin",
        ])
    }

    private func serve(_ asset: StaticAssets.Asset, _ request: Request, headers extra: HTTPFields) -> Response {
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .xContentTypeOptions: "nosniff"]
        headers.append(contentsOf: extra)
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
    }
}
