/// The kinds of file Parley accepts as attachments, recognised by their first bytes: the name and
/// the declared type are the sender's claims, the content is what a downloader's software sees.
public enum FileKind: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, pdf, zip, text

    public var mimeType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .zip: "application/zip"
        case .text: "text/plain"
        }
    }

    /// Shown inline by clients; everything else is offered as a download.
    public var isImage: Bool { [.png, .jpeg, .gif, .webp].contains(self) }

    public static let defaultAllowed: [FileKind] = [.png, .jpeg, .gif, .webp, .pdf, .text]

    public init?(mimeType: String) {
        guard let kind = Self.allCases.first(where: { $0.mimeType == mimeType }) else { return nil }
        self = kind
    }

    /// What the content is, or why it is refused.
    public enum Sniffed: Equatable, Sendable {
        case kind(FileKind)
        case executable
        case unknown
    }

    public static func sniff(_ bytes: some Collection<UInt8>) -> Sniffed {
        let head = Array(bytes.prefix(16))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0x4D, 0x5A]) || starts([0x7F, 0x45, 0x4C, 0x46]) || starts([0x23, 0x21])
            || starts([0xCF, 0xFA, 0xED, 0xFE]) || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xCA, 0xFE, 0xBA, 0xBE])
        {
            return .executable  // Windows PE, ELF, a #! script, Mach-O
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .kind(.png) }
        if starts([0xFF, 0xD8, 0xFF]) { return .kind(.jpeg) }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .kind(.gif) }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .kind(.webp) }
        if starts(Array("%PDF-".utf8)) { return .kind(.pdf) }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .kind(.zip) }
        return isPlainText(bytes) ? .kind(.text) : .unknown
    }

    /// Valid UTF-8 without NUL or other control characters than tab, line breaks and form feed.
    static func isPlainText(_ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.value == 0x0C
        }
    }
}
