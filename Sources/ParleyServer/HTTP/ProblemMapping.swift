import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Turns every error a handler can throw into a `Problem`. Unknown errors become a 500 whose body
/// says nothing about the cause (that goes to the log).
enum ProblemMapping {
    static func problem(for error: any Error) -> Problem? {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ValidationError:
            return .validation(error)
        case let error as StoreError:
            switch error {
            case .notFound(let what): return .notFound(what)
            case .conflict(let detail): return .conflict(detail)
            case .forbidden(let detail): return .forbidden(detail)
            case .invalid(let validation): return .validation(validation)
            }
        case let error as DecodingError:
            return decoding(error)
        case let error as HTTPError:
            return Problem(error.status, code: "http-\(error.status.code)", title: error.status.reasonPhrase,
                           detail: error.body, headers: error.headers)
        default:
            return nil
        }
    }

    static let internalError = Problem(.internalServerError, code: "internal", title: "Internal server error",
                                       detail: "the error was logged; quote the request id when reporting it")

    /// Names the offending JSON path: `labels[2]`, `assignee_id`.
    private static func decoding(_ error: DecodingError) -> Problem {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            var text = ""
            for key in all {
                if let index = key.intValue { text += "[\(index)]" } else {
                    text += (text.isEmpty ? "" : ".") + snakeCase(key.stringValue)
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            return .validation(ValidationError(field: field, reason: "is required"))
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .validation(ValidationError(field: field, reason: "must be \(describe(type))"))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("the body is not valid JSON (UTF-8)")
            }
            let field = path(context.codingPath)
            return .validation(ValidationError(field: field, reason: "has an invalid value: \(context.debugDescription)"))
        @unknown default:
            return .badRequest("the body could not be decoded")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "an array of strings"
        default: "of type \(type)"
        }
    }

    /// The decoder converts snake_case to camelCase; report the name the client sent.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
