import FaultlineHTTP

/// A vendor as declared in one scenario file, after validation.
public struct VendorSpec: Sendable {
    public var name: String
    public var title: String?
    public var description: String?
    public var basePaths: [String]
    public var headers: [HeaderSpec]
    public var endpoints: [EndpointSpec]
    /// The error catalog, in file order.
    public var errors: [NamedResponse]
    /// Checks the vendor makes by itself (issue: triggers).
    public var triggers: TriggerSpec
    /// The file it came from (for messages).
    public var file: String
    /// Stored resources (issue: state).
    public var collections: [CollectionSpec] = []
    /// Named values templates read as `{{setting.NAME}}`, replaceable with `--set`.
    public var settings: [(name: String, value: JSONValue)] = []
    /// Sequences a request can name instead of spelling them out: name → `500,500,default`.
    public var sequences: [(name: String, steps: String)] = []
    /// Outcomes injected with a probability into requests that name no scenario (`--chaos` adds to them).
    public var chaos: [ChaosRule] = []
    /// The values a base path's parameter may take (`api_version` → `2024-04`, ...): a path
    /// with any other value there is an unknown path, as it is on the vendor.
    public var basePathParameters: [(name: String, values: [String])] = []
    /// How the vendor asks clients to retry; nil: `RetrySpec.standard`.
    public var retry: RetrySpec?
}

extension VendorSpec {
    /// A vendor's name: lower-case letters, digits and `-`, starting with a letter or digit
    /// (it is a path segment and a file name).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isLowerAlnum else { return false }
        return name.utf8.allSatisfy { $0.isLowerAlnum || $0 == UInt8(ascii: "-") }
    }
}

public struct EndpointSpec: Sendable {
    public var id: String
    public var method: String
    public var path: String
    public var description: String?
    public var response: ResponseSpec
    public var scenarios: [NamedResponse]
    /// The token scope this endpoint requires (Price2b `shipping:write`).
    public var scope: String?
    /// Answered without `triggers.auth`: an operation the vendor serves to anyone (OpenAPI's
    /// `security: []`).
    public var isPublic = false
    /// Checks on the request's fields, in order.
    public var validate: [ValidationRule] = []
    /// What the endpoint's default response does to stored resources.
    public var state: [StateStep] = []
    /// The base paths the endpoint is served under; nil means all of the vendor's. A vendor
    /// whose API generations differ in shape (AfterShip's `/v4` and `/tracking/{api_version}`)
    /// declares each generation's endpoints under its own base path.
    public var basePaths: [String]?
    /// Recorded requests and their answers (`faultline record`, or written by hand): a request
    /// that matches one, and names no scenario, gets its answer before any other judgement.
    public var examples: [ExampleSpec] = []
    /// `path` parsed, when it parses (the validator reports why not): parsed once at load for
    /// the validator and the routes alike.
    var template: PathTemplate?
}

/// A request an endpoint answers in its own way: every condition given must hold.
public struct ExampleSpec: Sendable {
    /// Path parameters and their exact values.
    public var parameters: [(name: String, value: String)] = []
    /// When given: exactly these query parameters (decoded, in any order), Faultline's own
    /// (`scenario`, `faultline_client`, `delay`, `dribble`) left out. A nil value (JSON `null`)
    /// takes any value: a recorded secret (`?api_key=`) must be there, but is not kept.
    public var query: [(name: String, value: String?)]?
    /// When given: the body parsed as JSON equals this (object keys in any order).
    public var body: JSONValue?
    /// Header fields the request must carry, and ones it must not (a credential's presence).
    public var present: [String] = []
    public var absent: [String] = []
    public var response: ResponseSpec
    /// JSON path of the example in its file.
    public var jsonPath: String
}

public struct NamedResponse: Sendable {
    public var name: String
    public var response: ResponseSpec
    /// For catalog entries: the endpoint ids it is limited to; nil means vendor-wide.
    public var endpoints: [String]?
    /// JSON path of the entry in its file.
    public var jsonPath: String
    /// What answering with it does to stored resources.
    public var state: [StateStep] = []
}

public struct HeaderSpec: Sendable {
    public var name: String
    public var value: String
}

public struct ResponseSpec: Sendable {
    public enum Body: Sendable {
        case none
        case json(JSONValue)
        case text(String)
    }

    public var status: Int
    public var description: String?
    public var headers: [HeaderSpec]
    public var body: Body
    /// Wait before answering (`1500`, `"500-1500"`, `"lognormal:300:0.8"`).
    public var delay: DelaySpec?
    /// Break the connection instead of answering whole.
    public var fault: ResponseFault?
    /// Body and own header values are sent as written, `{{` and all: no templates (a recorded
    /// answer that happens to hold `{{`).
    public var literal = false
}

/// Every vendor loaded from a directory.
public struct ScenarioCatalog: Sendable {
    public var vendors: [VendorSpec]

    public init(vendors: [VendorSpec]) {
        self.vendors = vendors
    }

    /// Adds `vendor`, or puts it in the place of the vendor of the same name: a later
    /// directory's file, or an inline one, wins over what came before.
    public mutating func insertOrReplace(_ vendor: VendorSpec) {
        if let i = vendors.firstIndex(where: { $0.name == vendor.name }) {
            vendors[i] = vendor
        } else {
            vendors.append(vendor)
        }
    }
}

/// What is wrong with a scenario file: the file, the JSON path and a message.
public struct ScenarioDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String { "\(file): \(path): \(message)" }
}
