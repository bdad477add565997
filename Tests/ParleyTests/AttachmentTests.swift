import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ParleyCore
import ParleyServer
import Testing

@Suite("Attachments")
struct AttachmentTests {
    @Test("a visitor's upload becomes a message; its bytes come back only through a signed link, which expires",
          arguments: Backend.allCases)
    func uploadAndDownload(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let visitor = try await api.visitorSession(site)

            let uploaded = try await api.visitorUpload(site, visitor, SampleFile.png, filename: "../../etc/screen shot.png", clientID: "up-1")
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let message = try api.decode(Message.self, uploaded)
            let attachment = try #require(message.attachment)
            #expect(attachment.filename == "screen shot.png", "directories are dropped from the name")
            #expect(attachment.contentType == "image/png" && attachment.image && attachment.byteSize == SampleFile.png.count)
            #expect(message.body == "screen shot.png")
            let retried = try await api.visitorUpload(site, visitor, SampleFile.png, filename: "screen shot.png", clientID: "up-1")
            #expect(retried.status == .ok)
            #expect(try api.decode(Message.self, retried).id == message.id)
            #expect(try storedFiles(api, owner).count == 1, "a retry keeps no second copy")

            // The agent sees it in the conversation and can link to it.
            let history = try api.decode(Page<Message>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(message.conversationId)/messages", token: owner.accessToken))
            #expect(history.items.last?.attachment == attachment)
            let memberLink = try api.decode(AttachmentLink.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/attachments/\(attachment.id)/link", token: owner.accessToken))
            let download = try await api.download(memberLink)
            #expect(download.status == .ok)
            #expect(Array(buffer: download.body) == SampleFile.png)
            #expect(download.headers[.contentType] == "image/png")
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            #expect(download.headers[.contentDisposition]?.hasPrefix("inline; filename=\"screen shot.png\"") == true)

            let visitorLink = try api.decode(AttachmentLink.self, try await api.widget(.get, site, "attachments/\(attachment.id)/link", as: visitor))
            #expect(try await api.download(visitorLink).status == .ok)

            // Tampering with any part of the link, or waiting past its expiry, ends it.
            let tampered = visitorLink.url.replacingOccurrences(of: "expires=", with: "expires=9")
            #expect(try api.problem(try await api.request(.get, tampered)).type == "urn:parley:problem:link-invalid")
            let otherFile = visitorLink.url.replacingOccurrences(of: attachment.id, with: "att_" + String(attachment.id.dropFirst(4).reversed()))
            #expect(try await api.request(.get, otherFile).status == .forbidden)
            api.clock.advance(by: api.runtime.services.config.attachmentURLTTL + 1)
            let expired = try await api.download(visitorLink)
            #expect(expired.status == .forbidden)
            #expect(try api.problem(expired).type == "urn:parley:problem:link-expired")
        }
    }

    @Test("uploads are judged by their content: disguised programs, unknown or disallowed kinds and oversized files are refused and nothing is kept",
          arguments: Backend.allCases)
    func limits(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            try await api.patchWidget(owner, site, ["uploads": ["max_bytes": 1_000, "allowed_types": ["image/png", "text/plain"]]])
            let visitor = try await api.visitorSession(site)

            let disguised = try await api.visitorUpload(site, visitor, SampleFile.windowsProgram, filename: "photo.png")
            #expect(disguised.status == .unsupportedMediaType)
            #expect(try api.problem(disguised).detail?.contains("executable") == true)
            let script = try await api.visitorUpload(site, visitor, Array("#!/bin/sh\nrm -rf /\n".utf8), filename: "notes.txt")
            #expect(script.status == .unsupportedMediaType)
            let pdf = try await api.visitorUpload(site, visitor, SampleFile.pdf, filename: "invoice.pdf")
            #expect(pdf.status == .unsupportedMediaType, "PDF is not among this site's allowed types")
            #expect(try api.problem(pdf).detail?.contains("application/pdf") == true)
            let binary = try await api.visitorUpload(site, visitor, [0x00, 0x01, 0x02, 0xFF], filename: "data.png")
            #expect(binary.status == .unsupportedMediaType)
            let oversized = try await api.visitorUpload(site, visitor, SampleFile.png + Array(repeating: 0, count: 1_000), filename: "big.png")
            #expect(oversized.status == .contentTooLarge)
            #expect(try api.problem(oversized).limit == 1_000)
            let empty = try await api.visitorUpload(site, visitor, [], filename: "empty.txt")
            #expect(empty.status == .unprocessableContent)
            let unnamed = try await api.widget(.post, site, "uploads", as: visitor, bytes: SampleFile.text)
            #expect(try api.problem(unnamed).field == "filename")

            #expect(try storedFiles(api, owner).isEmpty, "refused uploads leave no bytes behind")
            let session = try await api.visitorSession(site, anonymousToken: visitor.anonymousToken)
            #expect(session.conversationId == nil, "refused uploads open no conversation")

            let withNUL = try await api.visitorUpload(site, visitor, SampleFile.text, filename: "note\u{0}.txt")
            #expect(try api.problem(withNUL).field == "filename")
            let text = try await api.visitorUpload(site, visitor, SampleFile.text, filename: "C:\\Users\\ann\\..\\note<1>|.txt")
            #expect(text.status == .created, "\(text.text)")
            let attachment = try #require(try api.decode(Message.self, text).attachment)
            #expect(attachment.filename == "note1.txt")
            #expect(attachment.contentType == "text/plain" && !attachment.image)
        }
    }

    @Test("links are only for those who may see the file: not another organization, another visitor, a private note or a deleted message",
          arguments: Backend.allCases)
    func linkScoping(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let visitor = try await api.visitorSession(site)
            _ = try await api.visitorSend(site, visitor, "Here comes a file")
            let first = try api.decode(Message.self, try await api.visitorUpload(site, visitor, SampleFile.png, filename: "a.png"))
            let attachment = try #require(first.attachment)

            let stranger = try await api.signUp(org: "Stranger")
            for org in [owner.orgID, stranger.orgID] {
                let response = try await api.request(.get, "/api/v1/orgs/\(org)/attachments/\(attachment.id)/link", token: stranger.accessToken)
                #expect(response.status == .notFound)
                #expect(!response.text.contains(attachment.id))
            }
            let strangerSite = try await api.createSite(stranger)
            let strangerVisitor = try await api.visitorSession(strangerSite)
            #expect(try await api.widget(.get, strangerSite, "attachments/\(attachment.id)/link", as: strangerVisitor).status == .notFound)
            let otherVisitor = try await api.visitorSession(site)
            #expect(try await api.widget(.get, site, "attachments/\(attachment.id)/link", as: otherVisitor).status == .notFound)

            // An agent's file in a private note is for members only.
            let upload = "/api/v1/orgs/\(owner.orgID)/conversations/\(first.conversationId)/uploads?filename=internal.pdf&private=true"
            let note = try api.decode(Message.self, try await api.request(.post, upload, raw: .init(bytes: SampleFile.pdf), token: owner.accessToken))
            let noteFile = try #require(note.attachment)
            #expect(note.private && noteFile.contentType == "application/pdf")
            #expect(try await api.widget(.get, site, "attachments/\(noteFile.id)/link", as: visitor).status == .notFound)
            #expect(try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/attachments/\(noteFile.id)/link", token: owner.accessToken).status == .ok)
            let strangerUpload = "/api/v1/orgs/\(stranger.orgID)/conversations/\(first.conversationId)/uploads?filename=x.png"
            #expect(try await api.request(.post, strangerUpload, raw: .init(bytes: SampleFile.png), token: stranger.accessToken).status == .notFound)

            // A deleted message takes its file's links with it, including links already handed out.
            let link = try api.decode(AttachmentLink.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/attachments/\(noteFile.id)/link", token: owner.accessToken))
            let deleted = try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/conversations/\(first.conversationId)/messages/\(note.id)",
                                                token: owner.accessToken)
            #expect(deleted.status == .ok)
            #expect(try api.decode(Message.self, deleted).attachment == nil)
            #expect(try await api.download(link).status == .notFound)
        }
    }

    @Test("uploads and leads count against the widget's per-address limit; a refused upload keeps nothing", arguments: Backend.allCases)
    func uploadLimits(_ backend: Backend) async throws {
        try await withParley(backend, configure: { config in
            config.widgetAddressBurst = 3
            config.widgetAddressRate = 0.01
        }) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let visitor = try await api.visitorSession(site)  // the first of the three
            #expect(try await api.visitorUpload(site, visitor, SampleFile.png, filename: "one.png").status == .created)
            let lead = try await api.widget(.post, site, "leads", as: visitor, json: ["source": "offline", "email": "a@example.com", "message": "hi"])
            #expect(lead.status == .created)
            let refused = try await api.visitorUpload(site, visitor, SampleFile.png, filename: "two.png")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            #expect(try storedFiles(api, owner).count == 1)
        }
    }

    @Test("the sweeper removes the files of deleted messages and of deleted sites; it keeps held files, young ones and those of organizations the database does not know",
          arguments: Backend.allCases)
    func sweeper(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let doomed = try await api.createSite(owner, name: "Doomed")
            let upload = { (site: Site, name: String) in
                try api.decode(Message.self, try await api.visitorUpload(site, try await api.visitorSession(site), SampleFile.png, filename: name))
            }
            let held = try await upload(site, "held.png")
            let deleted = try await upload(site, "deleted.png")
            _ = try await upload(doomed, "of a deleted site.png")
            let org = "/api/v1/orgs/\(owner.orgID)"
            #expect(try await api.request(.delete, "\(org)/conversations/\(deleted.conversationId)/messages/\(deleted.id)",
                                          token: owner.accessToken).status == .ok)
            #expect(try await api.request(.delete, "\(org)/sites/\(doomed.id)", token: owner.accessToken).status == .noContent)

            // Stored a moment ago by an upload whose message has not committed yet; and a file of an
            // organization this database has never heard of (the wrong database, say).
            let storage = api.runtime.services.attachmentStorage
            let young = "\(owner.orgID)/att_young", foreign = "org_elsewhere/att_foreign"
            for key in [young, foreign] { try await storage.put(ByteBuffer(bytes: SampleFile.png), key: key) }
            let root = URL(fileURLWithPath: api.runtime.services.config.attachmentsDirectory)
            for key in try await storage.keys(writtenBefore: .distantFuture) {
                let age: TimeInterval = key == young ? 60 : 2 * 3600
                try FileManager.default.setAttributes([.modificationDate: api.clock.now().addingTimeInterval(-age)],
                                                      ofItemAtPath: root.appendingPathComponent(key).path)
            }

            let sweeper = AttachmentSweeper(store: api.store, storage: storage, clock: api.clock, logger: quietLogger("sweeper"))
            #expect(try await sweeper.sweep() == 2)
            let heldKey = "\(owner.orgID)/\(try #require(held.attachment).id)"
            #expect(Set(try await storage.keys(writtenBefore: .distantFuture)) == [heldKey, young, foreign])
            #expect(try await sweeper.sweep() == 0)
            let link = try api.decode(AttachmentLink.self, try await api.request(
                .get, "\(org)/attachments/\(try #require(held.attachment).id)/link", token: owner.accessToken))
            #expect(try await api.download(link).status == .ok)
        }
    }
}

/// The attachment files on disk for the account's organization.
private func storedFiles(_ api: TestAPI, _ account: Account) throws -> [String] {
    let directory = URL(fileURLWithPath: api.runtime.services.config.attachmentsDirectory).appendingPathComponent(account.orgID)
    return (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
}
