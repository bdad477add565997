import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
@testable import ParleyServer
import Testing

@Suite("Widget files")
struct StaticAssetTests {
    @Test("the widget's files are served to any origin with validators; nothing else is reachable through their paths")
    func serving() async throws {
        try await withParley(.sqlite) { api in
            let loader = try await api.request(.get, "/widget.js")
            #expect(loader.status == .ok)
            #expect(loader.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(loader.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "*")
            #expect(loader.text.contains("data-site") || loader.text.contains("dataset"), "the loader reads the site key from its tag")
            let etag = try #require(loader.headers[.eTag])
            let cached = try await api.request(.get, "/widget.js", headers: [.ifNoneMatch: etag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)

            #expect(try await api.request(.get, "/widget/main.js").status == .ok)
            #expect(try await api.request(.get, "/widget/widget.css").headers[.contentType] == "text/css; charset=utf-8")
            for path in ["/widget/..%2F..%2FPackage.swift", "/widget/%2e%2e", "/widget/.hidden.js", "/widget/MAIN.JS", "/widget/main.js.map",
                         "/widget/nothing.js", "/widget/resources.json"] {
                #expect(try await api.request(.get, path).status == .notFound, "\(path)")
            }
        }
    }

    @Test("only lower-case names with a known extension, at most two directories deep, are servable")
    func servableNames() {
        for name in ["widget.js", "widget/main.js", "widget/widget.css", "app/index.html", "widget/icon-2.svg", "app/settings/sites.js"] {
            #expect(StaticAssets.isServable(name), "\(name)")
        }
        for name in ["../x.js", "widget/../x.js", ".env.js", "widget/.x.js", "a/b/c/d.js", "app/.x/y.js", "x.json", "X.js", "widget//x.js", "", "/x.js", "x.js/"] {
            #expect(!StaticAssets.isServable(name), "\(name)")
        }
    }

    @Test("the dashboard: its files under a strict CSP, its client-side routes answered with index.html, nothing else")
    func dashboard() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("parley-app-\(RandomToken.make(length: 8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app/settings"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("<!doctype html><title>Parley</title>".utf8).write(to: root.appendingPathComponent("app/index.html"))
        try Data("export const main = 1;".utf8).write(to: root.appendingPathComponent("app/main.js"))
        try Data("export const sites = 1;".utf8).write(to: root.appendingPathComponent("app/settings/sites.js"))
        try await withParley(.sqlite, configure: { $0.webRoot = root.path }) { api in
            for route in ["/app", "/app/", "/app/login", "/app/o/org_1/inbox/mine", "/app/o/org_1/c/cnv_2", "/app/o/org_1/settings/sites"] {
                let page = try await api.request(.get, route)
                #expect(page.status == .ok, "\(route)")
                #expect(page.text.contains("<title>Parley</title>"), "\(route)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                let policy = try #require(page.headers[.contentSecurityPolicy], "\(route)")
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe"))
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(page.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil, "the dashboard is not for other origins")
            }
            #expect(try await api.request(.get, "/app/main.js").text == "export const main = 1;")
            #expect(try await api.request(.get, "/app/settings/sites.js").text == "export const sites = 1;")
            for path in ["/app/nothing.js", "/app/..%2F..%2FPackage.swift", "/app/settings/../main.js.map", "/app/a/b/c/d.js", "/app/MAIN.JS"] {
                #expect(try await api.request(.get, path).status == .notFound, "\(path)")
            }
        }
    }

    @Test("with a web root the files are read from disk on every request")
    func webRoot() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("parley-web-\(RandomToken.make(length: 8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("widget"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("widget/main.js")
        try Data("export const version = 1;".utf8).write(to: file)
        try await withParley(.sqlite, configure: { $0.webRoot = root.path }) { api in
            #expect(try await api.request(.get, "/widget/main.js").text == "export const version = 1;")
            try Data("export const version = 2;".utf8).write(to: file)
            #expect(try await api.request(.get, "/widget/main.js").text == "export const version = 2;")
            #expect(try await api.request(.get, "/widget.js").status == .notFound)
        }
    }
}
