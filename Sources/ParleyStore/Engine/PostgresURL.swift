import Foundation
import PostgresNIO

/// Turns `postgres://user:password@host:port/database?sslmode=…` into a client configuration.
enum PostgresURL {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ string: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: string), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw Invalid(description: "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let user = url.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let database = String(url.path.drop(while: { $0 == "/" }))
        let query = Dictionary(url.queryItems?.map { ($0.name, $0.value ?? "") } ?? [], uniquingKeysWith: { $1 })
        if let socketDir = query["host"], socketDir.hasPrefix("/") {
            let port = url.port ?? 5432
            return .init(unixSocketPath: "\(socketDir)/.s.PGSQL.\(port)", username: user, password: password,
                         database: database.isEmpty ? nil : database)
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return .init(host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: user, password: password,
                     database: database.isEmpty ? nil : database, tls: tls)
    }
}
