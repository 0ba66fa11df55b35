/// Responses and the templates in them: placeholders that parse, path parameters the endpoint
/// has, settings the vendor declares.
extension SpecValidator {
    /// `path` is made only when there is something to report.
    mutating func validateResponse(_ response: ResponseSpec, at path: @autoclosure () -> String, pathParameters: [String]?) {
        if !response.headers.isEmpty, !response.literal {
            validateTemplates(response.headers, at: JSONPath.child(path(), "headers"), pathParameters: pathParameters)
        }
        switch response.body {
        case .none: break
        case _ where response.literal: break
        case .text(let text): validateTemplate(text, at: JSONPath.child(path(), "text"), pathParameters: pathParameters)
        case .json(let json): validateJSONTemplates(json, at: JSONPath.child(path(), "body"), pathParameters: pathParameters)
        }
        if !HTTPStatusRules.allowsBody(response.status), !isEmptyBody(response.body) {
            report(JSONPath.child(path(), "status"), "status \(response.status) cannot carry a body (RFC 9110); remove 'body'/'text' or change the status")
        }
    }

    private func isEmptyBody(_ body: ResponseSpec.Body) -> Bool {
        if case .none = body { return true }
        return false
    }

    mutating func validateTemplates(_ headers: [HeaderSpec], at path: @autoclosure () -> String, pathParameters: [String]?) {
        for header in headers {
            validateTemplate(header.value, at: JSONPath.child(path(), header.name), pathParameters: pathParameters)
        }
    }

    /// Walks a body; a path string is only built for a string that holds a placeholder.
    mutating func validateJSONTemplates(_ json: JSONValue, at path: @autoclosure () -> String, pathParameters: [String]?) {
        var trail: [(key: String?, index: Int)] = []
        func visit(_ value: JSONValue, _ validator: inout SpecValidator) {
            switch value {
            case .string(let s) where TemplateString.mayHoldPlaceholder(s):
                validator.validateTemplate(s, at: trail.reduce(path()) { partial, step in step.key.map { JSONPath.child(partial, $0) } ?? JSONPath.index(partial, step.index) }, pathParameters: pathParameters)
            case .array(let items):
                for (i, item) in items.enumerated() {
                    trail.append((nil, i))
                    visit(item, &validator)
                    trail.removeLast()
                }
            case .object(let members):
                for member in members {
                    trail.append((member.key, 0))
                    visit(member.value, &validator)
                    trail.removeLast()
                }
            default:
                break
            }
        }
        visit(json, &self)
    }

    mutating func validateTemplate(_ text: String, at path: @autoclosure () -> String, pathParameters: [String]?) {
        guard TemplateString.mayHoldPlaceholder(text) else { return }
        switch TemplateString.parse(text) {
        case .failure(let error):
            report(path(), error.message)
        case .success(let parts):
            for case .placeholder(let placeholder) in parts {
                for source in [placeholder.source] + placeholder.alternatives {
                    if case .path(let name) = source, let pathParameters, !pathParameters.contains(name) {
                        let known = pathParameters.sorted().joined(separator: ", ")
                        report(path(), "template uses path.\(name), but the path has no parameter '\(name)' (known: \(known.isEmpty ? "none" : known))")
                    }
                    switch source {
                    case .setting(let name), .timeFromSetting(let name, _):
                        if !settingNames.contains(name) {
                            report(path(), "template uses setting '\(name)', which $.settings does not declare (declared: \(settingNames.isEmpty ? "none" : settingNames.sorted().joined(separator: ", ")))")
                        }
                    default: break
                    }
                }
            }
        }
    }
}
