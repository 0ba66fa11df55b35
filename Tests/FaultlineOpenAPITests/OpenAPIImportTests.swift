import Testing
import FaultlineScenarios
@testable import FaultlineOpenAPI

@Suite struct OpenAPIImportTests {
    /// The file without its description, which names the source file.
    static func withoutDescription(_ file: JSONValue) -> JSONValue {
        .object((file.objectMembers ?? []).filter { $0.key != "description" })
    }

    @Test(arguments: [("petstore-3.0.yaml", "petstore-3.0.json"), ("shop-3.1.json", "shop-3.1.yaml")])
    func theSameDescriptionInYAMLAndJSONGivesTheSameFile(_ pair: (String, String)) throws {
        let a = try Fixture.imported(pair.0, vendor: "v")
        let b = try Fixture.imported(pair.1, vendor: "v")
        #expect(Self.withoutDescription(a.file).prettyPrinted == Self.withoutDescription(b.file).prettyPrinted)
    }

    @Test func aThreeZeroDescriptionBecomesEndpointsRulesAndACatalog() throws {
        let result = try Fixture.imported("petstore-3.0.yaml", vendor: "petstore")
        let file = result.file
        #expect(file["basePaths"] == .array([.string("/v1")]))
        let ids = file["endpoints"]?.arrayItems?.compactMap { $0["id"]?.stringValue }
        #expect(ids == ["listPets", "createPet", "showPetById", "deletePet", "uploadPhoto", "listTrees", "health"])
        #expect(file.at("endpoints", 2, "path") == .string("/pets/{petId}"))
        #expect(file.at("endpoints", 6, "public") == .bool(true))
        #expect(file.at("endpoints", 0, "public") == nil)
        // 3.0's boolean exclusiveMinimum, readOnly left out of the request, allOf merged with
        // the second part's `required`, nested objects and array items.
        let rules = file.at("endpoints", 1, "validate")?.arrayItems?.map(\.serializedString) ?? []
        #expect(rules == [
            #"{"field":"name","required":true,"type":"string","maxLength":50}"#,
            #"{"field":"tag","type":"string"}"#,
            #"{"field":"price","required":true,"type":"number","exclusiveMinimum":0}"#,
            #"{"field":"born","type":"string","format":"date-time"}"#,
            #"{"field":"owner","type":"object"}"#,
            #"{"field":"owner.email","required":true,"type":"string","format":"email"}"#,
            #"{"field":"owner.phones","type":"array"}"#,
            #"{"field":"owner.phones[*]","type":"string","pattern":"^\\+[0-9]{6,15}$"}"#,
        ])
        #expect(file.at("endpoints", 0, "validate", 1)?.serializedString == #"{"in":"query","field":"status","type":"string","enum":["available","pending","sold"]}"#)
        #expect(file.at("endpoints", 2, "validate", 0)?.serializedString == #"{"in":"path","field":"petId","type":"integer","minimum":1}"#)
        // No example: a minimal body from the schema; a recursive schema stops where it repeats.
        #expect(file.at("endpoints", 2, "response", "body")?.serializedString == #"{"id":0,"name":"string"}"#)
        #expect(file.at("endpoints", 5, "response", "body")?.serializedString == #"{"name":"root","children":[]}"#)
        #expect(file.at("endpoints", 6, "response")?.serializedString == #"{"status":200,"headers":{"Content-Type":"text/plain"},"text":"ok"}"#)

        let errors = file["errors"]?.objectMembers?.map(\.key)
        #expect(errors == ["unauthorized", "rate_limited", "400", "pet_exists", "pet_archived", "not_found"])
        #expect(file.at("errors", "not_found", "endpoints") == .array([.string("showPetById"), .string("deletePet")]))
        #expect(file.at("errors", "unauthorized", "endpoints") == nil)
        #expect(file.at("errors", "rate_limited", "headers")?.serializedString == #"{"Retry-After":"{{rate.retryAfter|30}}"}"#)

        let triggers = file["triggers"]
        #expect(triggers?.at("auth", "credentials")?.serializedString == #"[{"header":"Authorization","scheme":"Bearer"}]"#)
        #expect(triggers?.at("auth", "missing") == .string("unauthorized"))
        #expect(triggers?.at("rateLimits", "groups", 0, "limit") == .number("100"))
        #expect(triggers?.at("rateLimits", "exceeded") == .string("rate_limited"))
        #expect(triggers?.at("validation")?.serializedString == #"{"mode":"all","at":"details","collection":"list","item":{"field":"{{violation.field}}","message":"{{violation.message}}"},"response":"400"}"#)
    }

    @Test func whatCannotBeMappedIsListedWithWhereItIs() throws {
        let result = try Fixture.imported("petstore-3.0.yaml", vendor: "petstore")
        let lines = result.notes.lines
        #expect(lines.contains("callbacks (not mapped): /paths/~1pets/post/callbacks"))
        #expect(lines.contains("responses for a status range or 'default' (no single status; not mapped): /paths/~1pets~1{petId}/delete/responses/default"))
        #expect(lines.contains { $0.hasPrefix("HEAD operations") && $0.hasSuffix("/paths/~1pets~1{petId}/head") })
        #expect(lines.contains("XML and other bodies that are not JSON or text (not mapped): /paths/~1pets~1{petId}~1photo/put/responses/200/content"))
        let description = result.file["description"]?.stringValue ?? ""
        for line in lines { #expect(description.contains(line)) }

        let shop = try Fixture.imported("shop-3.1.json", vendor: "shop").notes.lines
        #expect(shop.contains { $0.hasPrefix("oneOf with alternatives") && $0.hasSuffix("/components/schemas/NewOrder/properties/payment") })
        #expect(shop.contains("links (not mapped): /paths/~1orders/post/responses/201/links"))
        #expect(shop.contains("webhooks (not mapped): /webhooks"))
        #expect(shop.contains("header and cookie parameters (not checked): /paths/~1orders~1{orderId}/get/parameters/2"))
    }

    @Test func aThreeOneDescriptionKeepsServerVariablesTypeArraysAndNamedExamples() throws {
        let file = try Fixture.imported("shop-3.1.json", vendor: "shop").file
        #expect(file["basePaths"] == .array([.string("/api/{version}")]))
        #expect(file["basePathParameters"]?.serializedString == #"{"version":["v1","v2"]}"#)
        let rules = file.at("endpoints", 0, "validate")?.arrayItems?.map(\.serializedString) ?? []
        #expect(rules == [
            #"{"field":"sku","required":true,"type":"string","pattern":"^[A-Z]{3}-\\d{4}$"}"#,
            #"{"field":"quantity","required":true,"type":"integer","maximum":99,"exclusiveMinimum":0}"#,
            #"{"field":"note","type":"string","maxLength":200}"#,
            #"{"field":"email","type":"string","format":"email"}"#,
            #"{"field":"gift","type":"boolean"}"#,
        ])
        #expect(file.at("endpoints", 1, "validate", 1)?.serializedString == #"{"in":"query","field":"expand","type":"string","enum":["lines"]}"#)
        #expect(file.at("endpoints", 0, "scenarios")?.objectMembers?.map(\.key) == ["created", "backordered"])
        #expect(file.at("triggers", "validation")?.serializedString == #"{"mode":"all","at":"errors","collection":"map","response":"422"}"#)
        #expect(file.at("triggers", "auth", "credentials")?.serializedString == #"[{"header":"X-Api-Key"}]"#)
        // No documented 401: one is made, and the description says so.
        #expect(file.at("errors", "401")?.serializedString == #"{"status":401,"body":{"message":"Unauthorized"}}"#)
        #expect(file["description"]?.stringValue?.contains("documents no 401") == true)
        #expect(file.at("errors", "ORDER_NOT_FOUND", "endpoints") == .array([.string("getOrder")]))
        #expect(file.at("errors", "500", "headers")?.serializedString == #"{"Content-Type":"application/problem+json"}"#)
    }
}
