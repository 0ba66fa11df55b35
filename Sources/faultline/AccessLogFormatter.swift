import FaultlineHTTP
import FaultlineScenarios
#if canImport(Glibc)
import Glibc
#endif

/// One JSON object per line on standard output:
/// `{"time":"2026-11-21T19:25:02Z","method":"POST","path":"/aftership/v4/trackings","scenario":"4003","status":400,"duration_ms":0.041}`
enum AccessLogFormatter {
    @Sendable static func write(_ record: AccessLogRecord) {
        var path = Substring(record.target)
        if let q = path.firstIndex(of: "?") { path = path[..<q] }
        let millis = Double(record.durationNanoseconds) / 1_000_000
        let rounded = (millis * 1000).rounded() / 1000
        let line = JSONValue.object([
            JSONMember(key: "time", value: .string(HTTPDate.iso8601Now())),
            JSONMember(key: "method", value: .string(record.method)),
            JSONMember(key: "path", value: .string(String(path))),
            JSONMember(key: "scenario", value: record.label.map { .string($0) } ?? .null),
            JSONMember(key: "status", value: .number(String(record.status))),
            JSONMember(key: "duration_ms", value: .number(String(rounded))),
        ])
        var bytes = line.serialized
        bytes.append(0x0A)
        // One write per line: lines from different loops never interleave (under PIPE_BUF).
        _ = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
    }
}
