/// Every documented error of the five seed documents (`shared/seeds/`), written out here by
/// hand from the seed text as the tests' oracle: the request that selects it and the exact
/// status, headers and body the vendor documents. Bodies are the seed's JSON made compact;
/// `{{uuid}}` in an expected body stands for a fresh lowercase UUID.
public struct SeedExpectation: Sendable, CustomStringConvertible {
    public var vendor: String
    public var method: String
    public var target: String
    public var requestBody: String?
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public var description: String { "\(vendor) \(method) \(target) → \(status)" }

    public static func make(_ vendor: String, _ method: String, _ target: String, requestBody: String? = nil, status: Int, headers: [(String, String)] = [], body: String) -> SeedExpectation {
        SeedExpectation(vendor: vendor, method: method, target: target, requestBody: requestBody, status: status, headers: headers, body: body)
    }

    /// Whether `actual` is `body` with each `{{uuid}}` filled by a lowercase v4-shaped UUID.
    public func bodyMatches(_ actual: String) -> Bool {
        let pieces = body.split(separator: "{{uuid}}", omittingEmptySubsequences: false)
        var rest = Substring(actual)
        for (i, piece) in pieces.enumerated() {
            guard rest.hasPrefix(piece) else { return false }
            rest = rest.dropFirst(piece.count)
            if i < pieces.count - 1 {
                let candidate = rest.prefix(36)
                guard SeedExpectation.isUUID(candidate) else { return false }
                rest = rest.dropFirst(36)
            }
        }
        return rest.isEmpty
    }

    public static func isUUID(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if b != UInt8(ascii: "-") { return false }
            } else if !((b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))) {
                return false
            }
        }
        return bytes[14] == UInt8(ascii: "4")
    }
}

public enum SeedExpectations {
    static let afterShipJSON = ("Content-Type", "application/json; charset=utf-8")

    private static func afterShip(_ scenario: String, status: Int, code: Int, type: String, message: String, method: String = "POST", path: String = "/aftership/v4/trackings", extraHeaders: [(String, String)] = []) -> SeedExpectation {
        .make("aftership", method, "\(path)\(path.contains("?") ? "&" : "?")scenario=\(scenario)", requestBody: method == "GET" ? nil : "{}", status: status,
              headers: [afterShipJSON, ("X-RateLimit-Limit", "10")] + extraHeaders,
              body: #"{"meta":{"code":\#(code),"type":"\#(type)","message":"\#(message)"},"data":{}}"#)
    }

    /// AfterShip seed 000: the Request Errors table, one row each.
    public static let afterShip: [SeedExpectation] = [
        afterShip("400", status: 400, code: 400, type: "BadRequest", message: "The request was invalid or cannot be otherwise served."),
        afterShip("4001", status: 400, code: 4001, type: "BadRequest", message: "Invalid JSON data."),
        afterShip("4003", status: 400, code: 4003, type: "BadRequest", message: "Tracking already exists."),
        afterShip("4004", status: 404, code: 4004, type: "BadRequest", message: "Tracking does not exist.", method: "GET", path: "/aftership/v4/trackings/ups/1Z12345E0205271688"),
        afterShip("4005", status: 400, code: 4005, type: "BadRequest", message: "The value of tracking_number is invalid."),
        afterShip("4006", status: 400, code: 4006, type: "BadRequest", message: "tracking object is required."),
        afterShip("4007", status: 400, code: 4007, type: "BadRequest", message: "tracking_number is required."),
        afterShip("4008", status: 400, code: 4008, type: "BadRequest", message: "The value of title is invalid.", path: "/aftership/v4/trackings?field=title"),
        afterShip("4009", status: 400, code: 4009, type: "BadRequest", message: "order_id is required.", path: "/aftership/v4/trackings?field=order_id"),
        afterShip("4010", status: 400, code: 4010, type: "BadRequest", message: "The value of slug is invalid."),
        afterShip("4011", status: 400, code: 4011, type: "BadRequest", message: "Missing or invalid value of the required fields for this courier. Besides tracking_number, also required: tracking_postal_code"),
        afterShip("4012", status: 400, code: 4012, type: "BadRequest", message: "Cannot detect courier. Activate courier at https://admin.aftership.com/settings/couriers"),
        afterShip("4013", status: 400, code: 4013, type: "BadRequest", message: "Retrack is not allowed. You can only retrack an inactive tracking.", path: "/aftership/v4/trackings/ups/1Z12345E0205271688/retrack"),
        afterShip("4014", status: 400, code: 4014, type: "BadRequest", message: "notification object is required.", path: "/aftership/v4/notifications/ups/1Z12345E0205271688/add"),
        afterShip("4015", status: 400, code: 4015, type: "BadRequest", message: "The value of id is invalid.", method: "GET", path: "/aftership/v4/trackings/not-an-id"),
        afterShip("4016", status: 400, code: 4016, type: "BadRequest", message: "Retrack is not allowed. You can only retrack each shipment once.", path: "/aftership/v4/trackings/5b7658cec7c33c0e007de3c5/retrack"),
        afterShip("4017", status: 400, code: 4017, type: "BadRequest", message: "The format of tracking_number is invalid."),
        afterShip("401", status: 401, code: 401, type: "Unauthorized", message: "Invalid API key.", method: "GET"),
        afterShip("403", status: 403, code: 403, type: "Forbidden", message: "The request is understood, but it has been refused or access is not allowed.", method: "GET"),
        afterShip("404", status: 404, code: 404, type: "NotFound", message: "The URI requested is invalid or the resource requested does not exist.", method: "GET"),
        afterShip("429", status: 429, code: 429, type: "TooManyRequests", message: "You have exceeded the API call rate limit. The default limit is 10 requests per second.", method: "GET", extraHeaders: [("X-RateLimit-Remaining", "0")]),
        afterShip("500", status: 500, code: 500, type: "InternalError", message: "Something went wrong on AfterShip's end."),
        afterShip("502", status: 502, code: 502, type: "InternalError", message: "Something went wrong on AfterShip's end."),
        afterShip("503", status: 503, code: 503, type: "InternalError", message: "Something went wrong on AfterShip's end."),
        afterShip("504", status: 504, code: 504, type: "InternalError", message: "Something went wrong on AfterShip's end."),
        // The versioned API generation serves the same catalog.
        afterShip("4003", status: 400, code: 4003, type: "BadRequest", message: "Tracking already exists.", path: "/aftership/tracking/2026-07/trackings"),
    ]

    private static func trackBot(_ scenario: String, status: Int, body: String, method: String = "GET", path: String = "/trackbot/v1/shipments") -> SeedExpectation {
        .make("trackbot", method, "\(path)?scenario=\(scenario)", requestBody: method == "GET" ? nil : "{}", status: status, body: body)
    }

    /// TrackBot Pro seed 001: the status table, the error-code table and the examples.
    public static let trackBot: [SeedExpectation] = [
        trackBot("400", status: 400, body: #"{"error":{"status":400,"message":"The request is invalid."}}"#),
        trackBot("validation_failed", status: 400, body: #"{"error":{"status":400,"message":"Input parameters validation failed.","code":"validation_failed","errors":[{"field":"Limit","message":"'Limit' must be less than or equal to '100'."},{"field":"Page","message":"'Page' must be greater than or equal to '1'."}]}}"#),
        trackBot("invalid_courier", status: 400, body: #"{"error":{"status":400,"message":"The courier slug you specified doesn't exist.","code":"invalid_courier"}}"#, method: "POST"),
        trackBot("shipment_already_exists", status: 400, body: #"{"error":{"status":400,"message":"A shipment with the same tracking code and courier already exists.","code":"shipment_already_exists"}}"#, method: "POST"),
        trackBot("401", status: 401, body: #"{"error":{"status":401,"message":"The API token in the request is missing or is invalid."}}"#),
        trackBot("402", status: 402, body: #"{"error":{"status":402,"message":"No active plan for the account or plan doesn't allow API/endpoint usage."}}"#),
        trackBot("404", status: 404, body: #"{"error":{"status":404,"message":"The requested resource does not exist."}}"#, path: "/trackbot/v1/shipments/Ye7KwZ3"),
        trackBot("429", status: 429, body: #"{"error":{"status":429,"message":"The API rate limit has been exceeded."}}"#),
        trackBot("500", status: 500, body: #"{"error":{"status":500,"message":"An unexpected internal server error has occurred."}}"#),
    ]

    private static let failedLabel = #"{"id":"{{uuid}}","status":"failed","courier":"yunexpress","courierOrderNumber":null,"courierTrackingNumber":null,"error":{"code":"COURIER_ERROR","message":"Address validation failed at courier"}}"#

    /// Flex Forward seed 002: the three shapes.
    public static let flexForward: [SeedExpectation] = [
        .make("flexforward", "POST", "/flexforward/labels?scenario=validation_failed", requestBody: "{}", status: 400,
              body: #"{"error":"Validation failed","details":[{"field":"shipment.shipTo.address.countryCode","message":"must be a valid ISO 3166-1 alpha-2 country code"},{"field":"shipment.parcels[0].weight","message":"must be greater than 0"}]}"#),
        .make("flexforward", "POST", "/flexforward/labels?scenario=unauthorized", requestBody: "{}", status: 401, body: #"{"error":"Unauthorized"}"#),
        .make("flexforward", "GET", "/flexforward/labels/a1b2c3d4-e5f6-7890-abcd-ef1234567890?scenario=forbidden", status: 403, body: #"{"error":"Forbidden"}"#),
        .make("flexforward", "GET", "/flexforward/labels/a1b2c3d4-e5f6-7890-abcd-ef1234567890?scenario=not_found", status: 404, body: #"{"error":"Not Found"}"#),
        .make("flexforward", "GET", "/flexforward/tracking/a1b2c3d4-e5f6-7890-abcd-ef1234567890?scenario=method_not_allowed", status: 405, body: #"{"error":"Method Not Allowed"}"#),
        .make("flexforward", "POST", "/flexforward/labels?scenario=internal_error", requestBody: "{}", status: 500, body: #"{"error":"Internal Server Error"}"#),
        .make("flexforward", "POST", "/flexforward/labels?scenario=courier_error", requestBody: "{}", status: 502, body: failedLabel),
        .make("flexforward", "POST", "/flexforward/labels?scenario=courier_error_201", requestBody: "{}", status: 201, body: failedLabel),
        .make("flexforward", "POST", "/flexforward/labels?scenario=courier_error_200", requestBody: "{}", status: 200, body: failedLabel),
    ]

    private static func generic(_ code: String, status: Int, message: String, method: String = "GET", path: String = "/generic/api/v1/users", headers: [(String, String)] = [], details: String? = nil) -> SeedExpectation {
        let detailsPart = details.map { #","details":\#($0)"# } ?? ""
        return .make("generic", method, "\(path)?scenario=\(code)", requestBody: method == "GET" ? nil : "{}", status: status, headers: headers,
                     body: #"{"error":{"code":"\#(code)","message":"\#(message)"\#(detailsPart)}}"#)
    }

    /// The generic "API Error Codes" seed 003.
    public static let generic: [SeedExpectation] = [
        SeedExpectations.generic("INVALID_REQUEST", status: 400, message: "Missing required 'user_id' parameter.", method: "POST"),
        SeedExpectations.generic("UNAUTHENTICATED", status: 401, message: "Authentication credentials not provided or invalid."),
        SeedExpectations.generic("PERMISSION_DENIED", status: 403, message: "You do not have permission to perform this action.", method: "DELETE", path: "/generic/api/v1/users/42"),
        SeedExpectations.generic("RESOURCE_NOT_FOUND", status: 404, message: "The requested resource could not be found.", path: "/generic/api/v1/users/42"),
        SeedExpectations.generic("RATE_LIMIT_EXCEEDED", status: 429, message: "You have exceeded your allowed request rate. Please try again later.", headers: [("Retry-After", "60")]),
        SeedExpectations.generic("INTERNAL_SERVER_ERROR", status: 500, message: "An unexpected error occurred. Please try again later or contact support if the problem persists."),
        SeedExpectations.generic("SERVICE_UNAVAILABLE", status: 503, message: "The service is temporarily unavailable. Please try again later.", headers: [("Retry-After", "30")]),
        SeedExpectations.generic("INSUFFICIENT_BALANCE", status: 402, message: "Your account balance is insufficient to complete this transaction.", method: "POST", details: #"{"required":"100.00","available":"50.50"}"#),
    ]

    private static func price2b(_ code: String, status: Int, body: String, method: String = "POST", path: String, headers: [(String, String)] = []) -> SeedExpectation {
        // Price2b's documented limits: 30 quotes a minute, 60 for the standard group.
        let limit = path.hasSuffix("/shipping/quotes") ? "30" : "60"
        return .make("price2b", method, "\(path)?scenario=\(code)", requestBody: method == "GET" ? nil : "{}", status: status,
                     headers: [("X-RateLimit-Limit", limit)] + headers, body: body)
    }

    private static func price2bSimple(_ code: String, _ message: String, status: Int, method: String = "POST", path: String) -> SeedExpectation {
        price2b(code, status: status, body: #"{"success":false,"message":"\#(message)","error_code":"\#(code)"}"#, method: method, path: path)
    }

    /// Price2b seed 004: every code, with the seed's example bodies where it gives one.
    public static let price2b: [SeedExpectation] = [
        price2b("AUTH_001", status: 401, body: #"{"success":false,"message":"Unauthenticated.","error_code":"AUTH_001"}"#, method: "GET", path: "/price2b/api/v1/orders"),
        price2b("AUTH_002", status: 403, body: #"{"success":false,"message":"You do not have permission to access this resource.","error_code":"AUTH_002"}"#, method: "GET", path: "/price2b/api/v1/orders"),
        price2b("AUTH_003", status: 403, body: #"{"success":false,"message":"This action requires the 'shipping:write' scope.","error_code":"AUTH_003"}"#, path: "/price2b/api/v1/shipping/quotes"),
        price2b("VAL_001", status: 422, body: #"{"success":false,"message":"The given data was invalid.","error_code":"VAL_001","errors":{"destination_country":["The destination country must be a valid 2-letter ISO code."],"weight":["The weight must be greater than 0."]}}"#, path: "/price2b/api/v1/shipping/quotes"),
        price2bSimple("INV_001", "Product not found.", status: 404, method: "GET", path: "/price2b/api/v1/inventory/products/12345"),
        price2b("INV_002", status: 422, body: #"{"success":false,"message":"Insufficient stock for product PROD-001","error_code":"INV_002","meta":{"product_id":12345,"available_stock":50,"requested_quantity":100}}"#, path: "/price2b/api/v1/orders/1001/ship"),
        price2bSimple("INV_003", "SKU already exists.", status: 409, path: "/price2b/api/v1/inventory/products"),
        price2b("SHIP_001", status: 422, body: #"{"success":false,"message":"This quote has expired. Please request a new quote.","error_code":"SHIP_001","meta":{"quote_id":"QT-2026-001234","expired_at":"2026-01-30T23:59:59Z"}}"#, path: "/price2b/api/v1/shipping/labels"),
        price2bSimple("SHIP_002", "Carrier unavailable.", status: 422, path: "/price2b/api/v1/shipping/quotes"),
        price2b("SHIP_003", status: 422, body: #"{"success":false,"message":"The recipient address could not be validated.","error_code":"SHIP_003","errors":{"recipient.postal_code":["Invalid postal code for the specified city."],"recipient.state":["State does not match postal code."]}}"#, path: "/price2b/api/v1/shipping/quotes"),
        price2bSimple("SHIP_004", "Label generation failed.", status: 422, path: "/price2b/api/v1/shipping/labels"),
        price2bSimple("CUST_001", "HS code not found.", status: 404, path: "/price2b/api/v1/customs/calculate"),
        price2bSimple("CUST_002", "Country not supported.", status: 422, path: "/price2b/api/v1/customs/calculate"),
        price2bSimple("CUST_003", "Calculation failed.", status: 422, path: "/price2b/api/v1/customs/calculate"),
        price2bSimple("ORD_001", "Order not found.", status: 404, method: "GET", path: "/price2b/api/v1/orders/1001"),
        price2bSimple("ORD_002", "Order already shipped.", status: 409, path: "/price2b/api/v1/orders/1001/ship"),
        price2bSimple("ORD_003", "Order cancelled.", status: 422, path: "/price2b/api/v1/orders/1001/ship"),
        price2bSimple("FUL_001", "Warehouse not available.", status: 422, path: "/price2b/api/v1/orders/1001/ship"),
        price2bSimple("FUL_002", "Insufficient balance.", status: 422, path: "/price2b/api/v1/orders/1001/ship"),
        price2b("RATE_001", status: 429, body: #"{"success":false,"message":"Too many requests. Please retry after 60 seconds.","error_code":"RATE_001","retry_after":60}"#, method: "GET", path: "/price2b/api/v1/orders", headers: [("Retry-After", "60"), ("X-RateLimit-Remaining", "0")]),
    ]

    public static let all: [SeedExpectation] = afterShip + trackBot + flexForward + generic + price2b
}
