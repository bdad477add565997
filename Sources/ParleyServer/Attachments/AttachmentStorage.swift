import Foundation
import NIOCore
import NIOPosix

/// Where attachment bytes live. Keys are `<organization id>/<attachment id>`, so each
/// organization's files sit under their own prefix; an S3-compatible store would map keys to
/// object names the same way.
public protocol AttachmentStorage: Sendable {
    func put(_ bytes: ByteBuffer, key: String) async throws
    /// nil when there is no such object.
    func get(key: String) async throws -> ByteBuffer?
    func delete(key: String) async throws
    /// Every stored key whose object was last written before `date` (for the sweeper).
    func keys(writtenBefore date: Date) async throws -> [String]
}

/// Attachments as files on local disk under one root directory (`<data dir>/attachments`).
/// Blocking file I/O runs on NIO's thread pool, never on the request's executor.
public struct LocalDiskStorage: AttachmentStorage {
    let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    public func put(_ bytes: ByteBuffer, key: String) async throws {
        let file = try url(for: key)
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes.readableBytesView).write(to: file, options: .atomic)  // readers never see half a file
        }
    }

    public func get(key: String) async throws -> ByteBuffer? {
        let file = try url(for: key)
        return try await NIOThreadPool.singleton.runIfActive {
            guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            return ByteBuffer(bytes: try Data(contentsOf: file))
        }
    }

    public func delete(key: String) async throws {
        let file = try url(for: key)
        try await NIOThreadPool.singleton.runIfActive {
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        }
    }

    public func keys(writtenBefore date: Date) async throws -> [String] {
        let root = self.root
        return try await NIOThreadPool.singleton.runIfActive {
            let files = FileManager.default
            let organizations = (try? files.contentsOfDirectory(atPath: root.path)) ?? []
            return organizations.flatMap { organization in
                let directory = root.appendingPathComponent(organization, isDirectory: true)
                return ((try? files.contentsOfDirectory(atPath: directory.path)) ?? []).compactMap { name -> String? in
                    let key = organization + "/" + name
                    // Only Parley's own keys: not a half-written temporary file of an atomic write.
                    guard let url = try? self.url(for: key),
                        let written = try? files.attributesOfItem(atPath: url.path)[.modificationDate] as? Date,
                        written < date else { return nil }
                    return key
                }
            }
        }
    }

    struct InvalidKey: Error {}

    /// Keys are made by Parley, but a key that could leave the root is refused all the same.
    func url(for key: String) throws -> URL {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ part in
            !part.isEmpty && part.first != "." && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }) else { throw InvalidKey() }
        return root.appendingPathComponent(String(parts[0]), isDirectory: true).appendingPathComponent(String(parts[1]))
    }
}
