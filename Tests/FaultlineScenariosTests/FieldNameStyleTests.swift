import Testing
@testable import FaultlineScenarios

/// How a validation message names a field, in each vendor's style.
@Suite struct FieldNameStyleTests {
    @Test(arguments: [
        ("destination_country", ValidationSpec.NameStyle.path, "destination_country"),
        ("shipment.destination_country", .path, "shipment.destination_country"),
        ("shipment.destination_country", .key, "destination_country"),
        ("shipment.destination_country", .words, "destination country"),
        ("shipment.destination_country", .capitalized, "Destination Country"),
        ("items[0].unit_price", .capitalized, "Unit Price"),
        ("a__b", .capitalized, "A B"),
        ("_x_", .capitalized, "X"),
        ("état_civil", .capitalized, "État Civil"),
        ("Already_Upper", .capitalized, "Already Upper"),
        ("1st_line", .capitalized, "1st Line"),
        ("trailing.", .key, "trailing"),
        ("", .key, ""),
        ("ship_to.état", .words, "état"),
        ("...", .key, "..."),
        ("a.b..", .capitalized, "B"),
        ("__", .capitalized, ""),
    ])
    func namesFollowTheVendorsStyle(field: String, style: ValidationSpec.NameStyle, name: String) {
        #expect(RequestValidator.name(for: field, style: style) == name)
    }
}
