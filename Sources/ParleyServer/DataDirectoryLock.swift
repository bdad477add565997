import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data-dir>/parley.lock`, held while `parley serve` runs on SQLite.
public struct DataDirectoryLock: Sendable {
    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "another Parley server is already using \(path); stop it first, or use PostgreSQL (DATABASE_URL) to run several"
        }
    }

    public struct Unopenable: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "cannot open the lock file \(path): check the data directory's permissions" }
    }

    private let descriptor: Int32

    public static func acquire(directory: String) throws -> DataDirectoryLock {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: directory).appendingPathComponent("parley.lock").path
        let descriptor = open(path, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0 else { throw Unopenable(path: path) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Held(path: directory)
        }
        return DataDirectoryLock(descriptor: descriptor)
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
