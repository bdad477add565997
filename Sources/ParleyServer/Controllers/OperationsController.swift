import Foundation
import Hummingbird
import ParleyStore

/// Liveness, readiness, Prometheus metrics and the OpenAPI document.
struct OperationsController {
    let services: ParleyServices
    let migrator: Migrator

    struct Readiness: Encodable, Sendable {
        let status: String
        let database: String
        let schemaVersion: Int
        let pendingMigrations: Int
    }

    func addRoutes(to router: Router<ParleyRequestContext>) {
        router.get("health") { _, _ in JSONResponse(["status": "ok"]) }
        router.get("ready", use: ready)
        router.get("metrics", use: metrics)
        router.get("openapi.json", use: openAPI)
    }

    /// 200 only when the database answers and every migration is applied; 503 otherwise.
    @Sendable func ready(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Readiness> {
        do {
            try await services.store.ping()
            let applied = try await migrator.appliedVersions()
            let pending = Migrator.allVersions.filter { !applied.contains($0) }.count
            let readiness = Readiness(status: pending == 0 ? "ready" : "migrations pending",
                                      database: services.store.dialect.rawValue,
                                      schemaVersion: applied.last ?? 0, pendingMigrations: pending)
            return JSONResponse(readiness, status: pending == 0 ? .ok : .serviceUnavailable)
        } catch {
            context.logger.error("readiness check failed", metadata: ["error": "\(error)"])
            return JSONResponse(Readiness(status: "database unreachable", database: services.store.dialect.rawValue,
                                          schemaVersion: 0, pendingMigrations: 0), status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: services.metrics.render())))
    }

    @Sendable func openAPI(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
    }
}

/// The OpenAPI 3.1 description shipped as a resource (`Resources/openapi.json`).
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"openapi":"3.1.0","info":{"title":"Parley","version":"missing"},"paths":{}}"#.utf8) }
        return Array(data)
    }()
}
