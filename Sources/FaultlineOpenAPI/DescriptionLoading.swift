import FaultlineScenarios
import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat
import Yams

/// Reads a description (JSON or YAML, OpenAPI 3.0, 3.1 or 3.2) into OpenAPIKit's 3.1 model and
/// the raw tree. Every failure names the JSON pointer and the problem.
enum DescriptionLoading {
    /// Largest description read.
    static let maxFileSize = 64 * 1024 * 1024

    static func load(_ bytes: [UInt8]) throws(ImportError) -> (document: OpenAPIKit.OpenAPI.Document, raw: RawDocument, version: String) {
        let isJSON = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{")
        var rawJSON: JSONValue?
        if isJSON {
            do {
                rawJSON = try JSONParser.parse(bytes)
            } catch {
                throw ImportError(pointer: "", message: "not valid JSON: line \(error.line), column \(error.column): \(error.message)")
            }
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw ImportError(pointer: "", message: "not UTF-8 text")
        }
        if let rawJSON {
            // libyaml refuses JSON's surrogate-pair escapes (`\ud83d\ude00`); written out again,
            // the same JSON has the characters themselves.
            text = rawJSON.serializedString
        } else if let problem = nestingProblem(bytes) {
            throw ImportError(pointer: "", message: problem)
        }
        let node: Node
        do {
            // As YAMLDecoder composes: only merge keys resolved, scalars typed when read.
            guard let composed = try Yams.compose(yaml: text, Resolver.basic.appending(Resolver.Rule.merge)) else { throw ImportError(pointer: "", message: "the file is empty") }
            node = composed
        } catch let error as ImportError {
            throw error
        } catch {
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw ImportError(pointer: "", message: "not valid \(isJSON ? "JSON" : "YAML"): \(firstLine)")
        }
        let raw: RawDocument
        if let rawJSON {
            raw = RawDocument(root: rawJSON)
        } else {
            var budget = RawDocument.maxValues(bytes: bytes.count)
            guard let root = RawDocument.json(node, depth: 0, budget: &budget) else {
                throw ImportError(pointer: "", message: "more than \(RawDocument.maxValues(bytes: bytes.count)) values or \(RawDocument.maxDepth) levels once YAML aliases are expanded")
            }
            raw = RawDocument(root: root)
        }
        guard case .object = raw.root else { throw ImportError(pointer: "", message: "expected an OpenAPI description (an object), found \(kind(raw.root))") }
        if let swagger = raw.root["swagger"] {
            throw ImportError(pointer: "/swagger", message: "Swagger \(ImportContext.headerText(swagger) ?? "2.0") is not supported: convert it to OpenAPI 3 first (e.g. swagger2openapi)")
        }
        guard let version = raw.root["openapi"] else {
            throw ImportError(pointer: "/openapi", message: "missing: not an OpenAPI description (no 'openapi' version)")
        }
        guard case .string(let versionText) = version else {
            throw ImportError(pointer: "/openapi", message: "expected the version as a string such as \"3.1.0\", found \(kind(version))")
        }
        let decoder = YAMLDecoder()
        // Vendor extensions (`x-…`) are not read: OpenAPIKit decodes each object a second time,
        // whole, to find them, which was half the import's time (perf, 500 operations).
        // (OpenAPIKit30's key is the same key.)
        let userInfo: [CodingUserInfoKey: Any] = [OpenAPIKit.VendorExtensionsConfiguration.enabledKey: false]
        do {
            if versionText.hasPrefix("3.0.") {
                let old = try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: node, userInfo: userInfo)
                return (old.convert(to: .v3_1_1), raw, versionText)
            }
            if versionText.hasPrefix("3.1.") || versionText.hasPrefix("3.2.") {
                return (try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: node, userInfo: userInfo), raw, versionText)
            }
        } catch {
            throw describe(error)
        }
        throw ImportError(pointer: "/openapi", message: "OpenAPI \(versionText) is not supported (3.0.x, 3.1.x and 3.2.x are)")
    }

    /// Deepest YAML nesting read: composing recurses once per level.
    static let maxNesting = 512

    /// Whether YAML text nests deeper than composing may recurse: flow brackets open at once,
    /// or a line's indentation and leading `- ` entries. Brackets inside quoted text count too,
    /// which only ever over-counts.
    static func nestingProblem(_ bytes: [UInt8]) -> String? {
        var brackets = 0
        var lineStart = true
        var indentation = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets += 1
                if brackets > maxNesting { return "nested deeper than \(maxNesting) levels" }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                brackets = max(0, brackets - 1)
            default:
                break
            }
            if byte == UInt8(ascii: "\n") {
                lineStart = true
                indentation = 0
            } else if lineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") {
                    indentation += 1
                    if indentation > 4 * maxNesting { return "nested deeper than \(maxNesting) levels" }
                } else {
                    lineStart = false
                }
            }
        }
        return nil
    }

    /// OpenAPIKit's error with its coding path as a JSON pointer.
    static func describe(_ error: Swift.Error) -> ImportError {
        let described = OpenAPIKit.OpenAPI.Error(from: error)
        let pointer = described.codingPath.map { "/" + Pointer.escape($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
        return ImportError(pointer: pointer, message: described.localizedDescription)
    }

    private static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
