import Testing
@testable import FaultlineScenarios

/// Violation messages and list items, rendered from templates compiled at load.
@Suite struct ViolationMessageTests {
    let violation = Violation(kind: .maximum, field: "shipment.parcels[0].weight", name: "Weight", message: "too heavy",
                              limit: "100", expected: nil, actual: "150", response: nil)

    @Test func everyKindsOrdinalIsItsPlaceInAllCases() {
        for (index, kind) in ValidationKind.allCases.enumerated() {
            #expect(kind.ordinal == index, "\(kind)")
        }
    }

    @Test func eachKindGetsItsOwnTemplateOrTheDefault() throws {
        let spec = ValidationSpec(mode: .all, response: "bad", responses: [:], at: nil, collection: .list, item: nil,
                                  messages: ["maximum": "'{{violation.name}}' is over {{violation.limit}} (got {{violation.actual}})."],
                                  nameStyle: .capitalized)
        let messages = RequestValidator.messages(for: spec)
        #expect(RequestValidator.render(messages[.maximum], violation) == "'Weight' is over 100 (got 150).")
        #expect(RequestValidator.render(messages[.required], violation) == "is required")
        #expect(RequestValidator.render(messages[.minimum], violation) == "must be greater than or equal to 100")
    }

    @Test func aMissingValueTakesThePlaceholdersFallbackAndTextMayBeNonASCII() throws {
        let parts = try TemplateString.parse("«{{violation.expected|none}}» für {{violation.name}}").get()
        #expect(RequestValidator.render(parts, violation) == "«none» für Weight")
    }

    @Test func aListItemFillsEveryPlaceholderAndKeepsFixedValues() throws {
        let template = try JSONParser.parse(Array(#"{"field":"{{violation.field}}","code":"E1","at":[1,"{{violation.limit}}"],"text":{"m":"{{violation.message}}!"}}"#.utf8))
        let item = ViolationItem(template)
        #expect(item.filled(with: violation).serializedString == #"{"field":"shipment.parcels[0].weight","code":"E1","at":[1,"100"],"text":{"m":"too heavy!"}}"#)
        #expect(ViolationItem.standard.filled(with: violation).serializedString == #"{"field":"shipment.parcels[0].weight","message":"too heavy"}"#)
        guard case .fixed = ViolationItem(.object([JSONMember(key: "a", value: .string("plain {text}"))])) else {
            Issue.record("an item without placeholders is used as written")
            return
        }
    }

    @Test(arguments: [
        ("validation_failed (validation)", "validation_failed"),
        ("rate_limited (rate limit)", "rate_limited (rate"),
        ("plain", "plain"),
        ("no space)", "no"),
        ("nospace)", "nospace)"),
        (")", ")"),
        ("name (x)", "name"),
        ("é (x)", "é"),
    ])
    func aLabelsScenarioNameIsWhatComesBeforeItsLastSpace(label: String, name: String) {
        #expect(ScenarioEngine.scenarioName(label) == name)
    }
}
