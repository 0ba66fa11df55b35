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
        ("trigger.message", .triggerMessage),
        ("uuid", .uuid),
        ("each", .each([])),
        (" \tbody.a[1][2].b \t", .body([.key("a"), .index(1), .index(2), .key("b")])),
        ("item.[3]", .item([.index(3)])),
        ("body.é", .body([.key("é")])),
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
        ("", "unknown template source ''"),
        ("body.a..b", "'body.a..b' has an empty name"),
        ("body.a.", "'body.a.' has an empty name"),
        ("item.a[x]", "'item.a[x]' has an invalid [index]"),
        ("item.a[-1]", "'item.a[-1]' has an invalid [index]"),
        ("each.a[1", "'each.a[1' has an invalid [index]"),
        ("body.a[1]b", "'body.a[1]b' has text after an [index]"),
        ("auth.scopes", "unknown template source 'auth.scopes'"),
    ])
    func aWrongSourceSaysWhatIsWrong(text: String, message: String) {
        guard case .message(let actual) = Self.source(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(actual.hasPrefix(message), "\(actual)")
    }

    @Test func alternativesAndFallbacksAreSplitOnBarsAndTrimmed() throws {
        let parts = try TemplateString.parse("{{ query.a | header.B |\t\"7\" }}x{{path.id|}}{{uuid}}").get()
        #expect(parts.count == 4)
        guard case .placeholder(let first) = parts[0], case .literal("x") = parts[1], case .placeholder(let second) = parts[2],
              case .placeholder(let third) = parts[3] else {
            Issue.record("\(parts)")
            return
        }
        #expect(first.source == .query("a"))
        #expect(first.alternatives == [.header("B")])
        #expect(first.fallback == "7" && first.quotedFallback)
        #expect(second.source == .path("id") && second.alternatives.isEmpty && second.fallback == "" && !second.quotedFallback)
        #expect(third.source == .uuid && third.fallback == nil)
    }
}
