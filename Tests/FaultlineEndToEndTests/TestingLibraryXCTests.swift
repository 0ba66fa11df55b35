import XCTest
import FaultlineTesting

/// FaultlineTesting from XCTest: started in the test, stopped by a teardown block whatever
/// the test does.
final class TestingLibraryXCTests: XCTestCase {
    func testAfterShipAnswersAScenarioAndTheServerStopsInTeardown() throws {
        let faultline = try TestServer.start()
        let port = faultline.port
        addTeardownBlock {
            faultline.stop()
            XCTAssertThrowsError(try TestHTTPClient(port: port, timeout: 1), "the server still accepts connections after stop()")
        }
        let response = try faultline.client().request("POST", "/aftership/v4/trackings?scenario=4003", body: "{}")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.text, #"{"meta":{"code":4003,"type":"BadRequest","message":"Tracking already exists."},"data":{}}"#)
        XCTAssertEqual(faultline.baseURLString, "http://127.0.0.1:\(port)")
    }
}
