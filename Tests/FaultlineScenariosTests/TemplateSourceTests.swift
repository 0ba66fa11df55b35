import Testing
@testable import FaultlineScenarios

/// What each `{{source}}` a scenario file may write names, and the message for one it may not.
@Suite struct TemplateSourceTests {
    enum Outcome: Equatable {
        case source(TemplateSource)
        case message(String)
    }

    static func source(_ text: String) -> Outcome {
        switch TemplateString.parse("{{" + text + "}}") {
        case .success(let parts):
            guard parts.count == 1, case .placeholder(let p) = parts[0] else { return .message("not one placeholder") }
            return .source(p.source)
        case .failure(let error):
            return .message(error.message)
        }
    }

    @Test(arguments: [
        ("list.total", TemplateSource.list(.total)),
        ("list.hasNext", .list(.hasNext)),
        ("setting.ttl", .setting("ttl")),
        ("now+setting.ttl", .timeFromSetting("ttl", epoch: false)),
        ("epoch+setting.a.b", .timeFromSetting("a.b", epoch: true)),
        ("item.a.b[0]", .item([.key("a"), .key("b"), .index(0)])),
        ("each.x", .each([.key("x")])),
        ("body.shipment.weight", .body([.key("shipment"), .key("weight")])),
        ("violation.field", .violation(.field)),
        ("rate.retryAfter", .rate(.retryAfter)),
        ("path.id", .path("id")),
        ("query.page.size", .query("page.size")),
        ("header.X-Api-Key", .header("X-Api-Key")),
        ("now+60", .now(offset: 60)),
        ("epoch-5", .epoch(offset: -5)),
        ("items", .items),
        ("auth.scope", .requiredScope),
    ])
    func aSourceNamesWhatItSays(text: String, expected: TemplateSource) {
        #expect(Self.source(text) == .source(expected))
    }

    @Test(arguments: [
        ("list.nope", "'list.nope': list values are list.total, list.page"),
        ("setting.", "'setting.' needs a setting name"),
        ("epoch+setting.", "'epoch+setting.' needs a setting name"),
        ("violation.x", "'violation.x': violation values are violation.field"),
        ("rate.x", "'rate.x': rate values are rate.limit"),
        ("path.", "'path.' needs a parameter name"),
        ("query.", "'query.' needs a parameter name"),
        ("header.", "'header.' needs a header name"),
        ("now+5.5", "'now+5.5': the offset after now must be whole seconds"),
        ("items.x", "unknown template source 'items.x'"),
        ("list", "unknown template source 'list'"),
    ])
    func aWrongSourceSaysWhatIsWrong(text: String, message: String) {
        guard case .message(let actual) = Self.source(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(actual.hasPrefix(message), "\(actual)")
    }
}
