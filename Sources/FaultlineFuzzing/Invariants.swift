import FaultlineHTTP
import FaultlineScenarios

/// What every answer must be, whatever the input: a real status, header fields that cannot
/// split or corrupt the head, a JSON body that parses when it says it is JSON, and bytes on
/// the wire that a client reads back as the same response.
enum Invariants {
    static func check(_ response: HTTPResponse, jsonBody: Bool = true, _ context: @autoclosure () -> String) {
        precondition((100...599).contains(response.status), "status \(response.status) for \(context())")
        for field in response.headers {
            precondition(!field.name.isEmpty && field.name.utf8.allSatisfy(isTokenByte), "header name \(field.name.debugDescription) for \(context())")
            // RFC 9110 §5.5: field values are visible characters, spaces and tabs (and obs-text).
            precondition(field.value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }, "header \(field.name): \(field.value.debugDescription) for \(context())")
        }
        if jsonBody, !response.body.isEmpty, let type = response.headers["Content-Type"], type.contains("json") {
            do {
                _ = try JSONParser.parse(response.body)
            } catch {
                preconditionFailure("\(type) body is not JSON (\(error)) for \(context()): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            }
        }
        var wire: [UInt8] = []
        HTTPResponseWriter.write(response, headOnly: false, close: false, announceKeepAlive: false, date: Array("Thu, 01 Jan 1970 00:00:00 GMT".utf8), into: &wire)
        let head = wire.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A])
        precondition(head != nil, "no end of head for \(context())")
        let lines = wire[..<head!.lowerBound].split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        precondition(lines.first?.hasPrefix("HTTP/1.1 \(response.status) ") == true, "status line \(lines.first ?? "") for \(context())")
        let length = lines.first { $0.lowercased().hasPrefix("content-length:") }.flatMap { Int($0.dropFirst("content-length:".count).trimmingWhitespace()) }
        let body = wire.count - head!.upperBound
        precondition(length == nil ? body == 0 : length == body, "Content-Length \(String(describing: length)) with \(body) body bytes for \(context())")
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }
}
