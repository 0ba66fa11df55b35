import Testing
import FaultlineHTTP
import FaultlineScenarios

/// Field validation rendered in each vendor's shape, from real requests (no `?scenario=`).
@Suite struct ValidationTests: BundledEngineSuite {
    let engine: ScenarioEngine

    init() throws {
        engine = try Self.loadBundledEngine()
    }

    let trackBot: HTTPHeaders = ["Authorization": "Bearer t"]
    let flex: HTTPHeaders = ["Authorization": "Bearer t", "Content-Type": "application/json"]
    let price2b: HTTPHeaders = ["Authorization": "Bearer t", "Accept": "application/json"]
    let afterShip: HTTPHeaders = ["aftership-api-key": "k"]
    let generic: HTTPHeaders = ["X-API-Key": "k"]

    // MARK: The seeds' own examples, produced by the requests that cause them

    @Test func trackBotsSeedExampleComesFromLimit101AndPage0() {
        let response = send("GET", "/trackbot/v1/shipments?limit=101&page=0", trackBot)
        #expect(response.status == 400)
        #expect(response.body == #"{"error":{"status":400,"message":"Input parameters validation failed.","code":"validation_failed","errors":[{"field":"Limit","message":"'Limit' must be less than or equal to '100'."},{"field":"Page","message":"'Page' must be greater than or equal to '1'."}]}}"#)
        #expect(response.headers["Faultline-Trigger"] == "validation")
        #expect(send("GET", "/trackbot/v1/shipments?limit=100&page=1", trackBot).status == 200)
    }

    @Test func flexForwardsSeedExampleComesFromABadCountryAndAZeroWeight() {
        let response = send("POST", "/flexforward/labels", flex, body: ValidBodies.label(countryCode: "XX", weight: "0"))
        #expect(response.status == 400)
        #expect(response.body == #"{"error":"Validation failed","details":[{"field":"shipment.shipTo.address.countryCode","message":"must be a valid ISO 3166-1 alpha-2 country code"},{"field":"shipment.parcels[0].weight","message":"must be greater than 0"}]}"#)
    }

    @Test func price2bsSeedExampleComesFromABadCountryAndAZeroWeight() {
        let response = send("POST", "/price2b/api/v1/customs/calculate", price2b, body: #"{"destination_country":"Germany","declared_value":120,"weight":0}"#)
        #expect(response.status == 422)
        #expect(response.body == #"{"success":false,"message":"The given data was invalid.","error_code":"VAL_001","errors":{"destination_country":["The destination country must be a valid 2-letter ISO code."],"weight":["The weight must be greater than 0."]}}"#)
    }

    @Test func theGenericPagesMissingUserIdMessage() {
        let response = send("POST", "/generic/api/v1/users", generic, body: #"{"email":"a@b.co"}"#)
        #expect(response.status == 400)
        #expect(response.body == #"{"error":{"code":"INVALID_REQUEST","message":"Missing required 'user_id' parameter."}}"#)
        #expect(send("POST", "/generic/api/v1/users", generic, body: #"{"user_id":"u1","email":"nope"}"#).body == #"{"error":{"code":"INVALID_REQUEST","message":"Invalid 'email' parameter: must be a valid email address."}}"#)
        #expect(send("POST", "/generic/api/v1/users", generic, body: #"{"user_id":"u1"}"#).status == 201)
    }

    // MARK: Every violation, or the first as its own code

    @Test func flexForwardListsEveryViolationWithBracketIndices() {
        let body = #"{"idempotencyKey":"k","courier":7,"service":{"shipperAccountId":"not-a-uuid","productCode":"P"},"shipment":{"shipTo":{"contact":{"email":"x"},"address":{"countryCode":"US"}},"parcels":[{"weight":1},{"weight":-2},{}]}}"#
        let response = send("POST", "/flexforward/labels", flex, body: body)
        #expect(response.body == #"{"error":"Validation failed","details":[{"field":"courier","message":"must be a string"},{"field":"service.shipperAccountId","message":"must be a valid UUID"},{"field":"shipment.shipTo.contact.email","message":"must be a valid email address"},{"field":"shipment.parcels[1].weight","message":"must be greater than 0"},{"field":"shipment.parcels[2].weight","message":"is required"}]}"#)
    }

    @Test func aMissingParentIsReportedOnceNotForEachChild() {
        let response = send("POST", "/flexforward/labels", flex, body: #"{"idempotencyKey":"k","courier":"ups"}"#)
        #expect(response.body == #"{"error":"Validation failed","details":[{"field":"service","message":"is required"},{"field":"shipment","message":"is required"}]}"#)
    }

    @Test func price2bGroupsMessagesByFieldInLaravelsWords() {
        let response = send("POST", "/price2b/api/v1/inventory/products", price2b, body: #"{"stock":-1}"#)
        #expect(response.status == 422)
        #expect(response.body.hasSuffix(#""errors":{"sku":["The SKU field is required."],"name":["The name field is required."],"stock":["The stock must be at least 0."]}}"#))
        let paging = send("GET", "/price2b/api/v1/orders?per_page=500", price2b)
        #expect(paging.body.contains(#""per_page":["The per page must not be greater than 100."]"#))
    }

    @Test func trackBotChecksBodyFieldsInFluentValidationWords() {
        let body = #"{"tracking_code":"ab","type":"lost","recipient_email":"nobody"}"#
        let response = send("POST", "/trackbot/v1/shipments", trackBot, body: body)
        #expect(response.body.contains(#"{"field":"Tracking Code","message":"'Tracking Code' is not in the correct format."}"#))
        #expect(response.body.contains(#"{"field":"Type","message":"'Type' has a range of values which does not include 'lost'."}"#))
        #expect(response.body.contains(#"{"field":"Recipient Email","message":"'Recipient Email' is not a valid email address."}"#))
        let long = String(repeating: "x", count: 101)
        #expect(send("POST", "/trackbot/v1/shipments", trackBot, body: #"{"tracking_code":"ABCD1234","order_number":"\#(long)"}"#).body.contains("The length of 'Order Number' must be 100 characters or fewer. You entered 101 characters."))
        #expect(send("GET", "/trackbot/v1/shipments?limit=ten", trackBot).body.contains("The value 'ten' is not valid for Limit."))
        #expect(send("GET", "/trackbot/v1/shipments?created_after=2026-11-21T10:00:00Z", trackBot).status == 200)
        #expect(send("GET", "/trackbot/v1/shipments?created_after=yesterday", trackBot).body.contains("'Created After' is not a valid ISO 8601 date-time."))
    }

    @Test(arguments: [
        (#"{}"#, 4006, "tracking object is required."),
        (#"{"tracking":[]}"#, 4006, "tracking object is required."),
        (#"{"tracking":{}}"#, 4007, "tracking_number is required."),
        (#"{"tracking":{"tracking_number":"!"}}"#, 4005, "The value of tracking_number is invalid."),
        (#"{"tracking":{"tracking_number":"1Z999","slug":"UPS!"}}"#, 4010, "The value of slug is invalid."),
        (#"{"tracking":{"tracking_number":"1Z999","title":7}}"#, 4008, "The value of title is invalid."),
        (#"{"tracking":{"tracking_number":"1Z999","tracking_destination_country":"DE"}}"#, 4008, "The value of tracking_destination_country is invalid."),
        (#"{"tracking":{"tracking_number":"1Z999","slug":"acme-post"}}"#, 4010, "The value of slug is invalid."),
        (#"{"tracking":{"tracking_number":"PK123456","slug":"dpd-uk"}}"#, 4011, "Missing or invalid value of the required fields for this courier. Besides tracking_number, also required: tracking_postal_code"),
        (#"{"tracking":{"tracking_number":"PK123456","slug":"dhl-global-forwarding"}}"#, 4011, "Missing or invalid value of the required fields for this courier. Besides tracking_number, also required: tracking_ship_date"),
        (#"{"tracking":{"tracking_number":"12345","slug":"ups"}}"#, 4017, "The format of tracking_number is invalid."),
    ])
    func afterShipAnswersTheFirstViolationWithItsSpecificCode(_ body: String, _ code: Int, _ message: String) {
        let response = send("POST", "/aftership/v4/trackings", afterShip, body: body)
        #expect(response.status == 400)
        #expect(response.body == #"{"meta":{"code":\#(code),"type":"BadRequest","message":"\#(message)"},"data":{}}"#)
    }

    @Test func afterShipAcceptsWhatEachCourierNeeds() {
        #expect(send("POST", "/aftership/v4/trackings", afterShip, body: #"{"tracking":{"tracking_number":"1Z999AA10123456784","slug":"ups"}}"#).status == 201)
        #expect(send("POST", "/aftership/v4/trackings", afterShip, body: #"{"tracking":{"tracking_number":"PK123456","slug":"dpd-uk","tracking_postal_code":"EC1A 1BB"}}"#).status == 201)
        // Requirements of one courier do not apply to another.
        #expect(send("POST", "/aftership/v4/trackings", afterShip, body: #"{"tracking":{"tracking_number":"PK123456","slug":"dpd-de"}}"#).status == 201)
    }

    @Test func afterShipChecksIdsAndNotificationObjects() {
        #expect(send("GET", "/aftership/v4/trackings/short-id", afterShip).body.contains(#""code":4015"#))
        // A well-formed id passes the format check and reaches the store, which has no such tracking.
        #expect(send("GET", "/aftership/v4/trackings/5b7658cec7c33c0e007de3c5", afterShip).body.contains(#""code":4004"#))
        #expect(send("POST", "/aftership/v4/notifications/ups/1Z999/add", afterShip, body: #"{"emails":[]}"#).body.contains(#""code":4014"#))
    }

    @Test func flexForwardAnswersANonUUIDLabelIdWith404() {
        let response = send("GET", "/flexforward/labels/LBL-123", flex)
        #expect(response.status == 404)
        #expect(response.body == #"{"error":"Not Found"}"#)
        // A UUID passes the format check; no label has it, so the store answers 404 as well.
        let unknown = send("GET", "/flexforward/labels/a1b2c3d4-e5f6-7890-abcd-ef1234567890", flex)
        #expect(unknown.status == 404 && unknown.headers["Faultline-Trigger"] == "state")
    }

    @Test func reportsAtMostAHundredViolations() {
        let parcels = Array(repeating: #"{"weight":-1}"#, count: 500).joined(separator: ",")
        let body = #"{"idempotencyKey":"k","courier":"ups","service":{"shipperAccountId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","productCode":"P"},"shipment":{"shipTo":{"address":{"countryCode":"US"}},"parcels":[\#(parcels)]}}"#
        let response = send("POST", "/flexforward/labels", flex, body: body)
        #expect(response.status == 400)
        #expect(response.body.split(separator: #""message":"must be greater than 0""#).count - 1 == 100)
    }

    @Test func aNamedScenarioStillWinsOverValidation() {
        let response = send("GET", "/trackbot/v1/shipments?limit=999&scenario=429", trackBot)
        #expect(response.status == 429)
    }

    // MARK: Declarations

    struct BadDeclaration: CustomTestStringConvertible, Sendable {
        let name: String
        let endpoints: String
        let triggers: String
        let path: String
        let message: String
        var testDescription: String { name }
    }

    static let badDeclarations: [BadDeclaration] = [
        BadDeclaration(name: "rules without a renderer", endpoints: #"[{"id":"a","method":"POST","path":"/t","validate":[{"field":"x","required":true}],"response":{"status":201}}]"#, triggers: "{}", path: "$.endpoints[0].validate[0]", message: "need $.triggers.validation"),
        BadDeclaration(name: "unknown type", endpoints: #"[{"id":"a","method":"POST","path":"/t","validate":[{"field":"x","type":"text"}],"response":{"status":201}}]"#, triggers: #"{"validation":{"mode":"first","response":"401"}}"#, path: "$.endpoints[0].validate[0].type", message: "unknown type 'text'"),
        BadDeclaration(name: "invalid pattern", endpoints: #"[{"id":"a","method":"POST","path":"/t","validate":[{"field":"x","pattern":"(["}],"response":{"status":201}}]"#, triggers: #"{"validation":{"mode":"first","response":"401"}}"#, path: "$.endpoints[0].validate[0].pattern", message: "cannot be used: unterminated character class"),
        BadDeclaration(name: "path rule for a missing parameter", endpoints: #"[{"id":"a","method":"GET","path":"/t","validate":[{"in":"path","field":"id","format":"uuid"}],"response":{"status":200}}]"#, triggers: #"{"validation":{"mode":"first","response":"401"}}"#, path: "$.endpoints[0].validate[0].field", message: "no parameter 'id'"),
        BadDeclaration(name: "at outside the body", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"validation":{"mode":"all","response":"401","at":"details"}}"#, path: "$.triggers.validation.at", message: "'details' is not a path in the body"),
        BadDeclaration(name: "unknown message kind", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"validation":{"mode":"first","response":"401","messages":{"missing":"x"}}}"#, path: "$.triggers.validation.messages.missing", message: "unknown rule kind 'missing'"),
        BadDeclaration(name: "unknown catalog reference", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"unknownPath":"404"}"#, path: "$.triggers.unknownPath", message: "'404' is not in this vendor's error catalog"),
        BadDeclaration(name: "rate group with an unknown endpoint", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"rateLimits":{"groups":[{"name":"g","limit":1,"window":1,"endpoints":["b"]}],"exceeded":"401"}}"#, path: "$.triggers.rateLimits.groups[0].endpoints[0]", message: "unknown endpoint id 'b'"),
        BadDeclaration(name: "two catch-all rate groups", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"rateLimits":{"groups":[{"name":"g","limit":1,"window":1},{"name":"h","limit":2,"window":1}],"exceeded":"401"}}"#, path: "$.triggers.rateLimits.groups[1]", message: "only one group may cover the rest"),
        BadDeclaration(name: "auth credential for an unknown base path", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"auth":{"credentials":[{"header":"X-Key","basePaths":["/v2"]}],"missing":"401","invalid":"401"}}"#, path: "$.triggers.auth.credentials[0].basePaths[0]", message: "not one of this vendor's basePaths"),
        BadDeclaration(name: "endless rate window", endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#, triggers: #"{"rateLimits":{"groups":[{"name":"g","limit":1,"window":1e400}],"exceeded":"401"}}"#, path: "$.triggers.rateLimits.groups[0].window", message: "at most a year"),
        BadDeclaration(name: "scope without auth", endpoints: #"[{"id":"a","method":"POST","path":"/t","scope":"things:write","response":{"status":201}}]"#, triggers: "{}", path: "$.endpoints[0].scope", message: "needs $.triggers.auth"),
    ]

    @Test(arguments: badDeclarations)
    func rejectsABadTriggerDeclarationWithItsPath(_ bad: BadDeclaration) {
        let file = VendorFile.make(endpoints: bad.endpoints, extra: #","triggers":\#(bad.triggers)"#)
        guard case .failure(let failure) = ScenarioLoader.parse(file, file: "acme.json") else {
            Issue.record("the file was accepted")
            return
        }
        #expect(failure.diagnostics.contains { $0.path == bad.path && $0.message.contains(bad.message) }, "got \(failure.diagnostics)")
    }
}
