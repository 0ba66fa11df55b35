import Testing
@testable import FaultlineScenarios

@Suite struct AuthenticatorTests {
    @Test(arguments: [
        ("Bearer s3cret", "s3cret"),
        ("bearer s3cret", "s3cret"),
        ("BEARER   s3cret", "s3cret"),
        ("Bearer    ", ""),
        ("Bearer", ""),
        ("Bearer ", ""),
        ("Bearerx s3cret", ""),
        ("Basic s3cret", ""),
        ("Bearer café", "café"),
    ])
    func theTokenFollowsTheSchemeWhateverItsCase(header: String, token: String) {
        #expect(Authenticator.token(in: header, scheme: "Bearer") == token)
    }
}
