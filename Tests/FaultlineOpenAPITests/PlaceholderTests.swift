import Testing
@testable import FaultlineOpenAPI
