import Foundation
import ParleyCore
import ParleyStore

/// A visitor's pre-chat or offline form, checked against the site's settings.
struct LeadForm: Decodable {
    let source: Lead.Source
    let name: String?
    let email: String?
    let message: String?
    let fields: [String: String]?

    /// Pre-chat forms must fill the site's required fields and name no others; offline forms need
    /// an email address to answer and a message.
    func draft(for settings: WidgetSettings) throws -> ParleyStore.LeadDraft {
        let name = try Rules.name().check(optional: blankToNil(name))
        let email = try blankToNil(email).map { try Email.normalize($0) }
        let message = try TextRule(field: "message", maxLength: Limits.messageBody, allowsNewlines: true).check(optional: blankToNil(message))
        var extra: [String: String] = [:]
        let known = Dictionary(settings.prechat.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, raw) in fields ?? [:] {
            guard known[key] != nil, key != "name", key != "email" else {
                throw ValidationError(field: "fields.\(key)", reason: "is not a field of this site's form")
            }
            if let value = try blankToNil(raw).map({ try TextRule(field: "fields.\(key)", maxLength: 1_000, allowsNewlines: true).check($0) }) {
                extra[key] = value
            }
        }
        switch source {
        case .prechat:
            let columns = ["name": name, "email": email]
            for field in settings.prechat.fields where field.required {
                let isColumn = columns.keys.contains(field.name)
                if (isColumn ? columns[field.name] ?? nil : extra[field.name]) == nil {
                    throw ValidationError(field: isColumn ? field.name : "fields.\(field.name)", reason: "is required")
                }
            }
        case .offline:
            if email == nil { throw ValidationError(field: "email", reason: "is required, so that the team can answer") }
            if message == nil { throw ValidationError(field: "message", reason: "is required") }
        }
        return ParleyStore.LeadDraft(source: source, name: name, email: email, message: message, fields: extra)
    }

    private func blankToNil(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text
    }
}
