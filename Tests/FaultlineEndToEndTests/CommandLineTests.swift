#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineTesting

/// The `faultline` binary as a container runs it: configured by FAULTLINE_* variables, one
/// start-up line, `faultline health`, and SIGTERM.
@Suite(.serialized) struct CommandLineTests {
    /// The `faultline` built beside this test bundle (`swift build --build-tests` builds both).
    static var binary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = String(decoding: buffer[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // …/debug/FaultlinePackageTests.xctest → …/debug/faultline
        parts.removeLast()
        return parts.joined(separator: "/") + "/faultline"
    }

    /// Records an issue (a failure, not a skip) when the binary is not there to test.
    static func binaryIsBuilt() -> Bool {
        guard access(binary, X_OK) == 0 else {
            Issue.record("\(binary) is missing; build it with swift build --build-tests")
            return false
        }
        return true
    }

    /// Runs `command` with `sh -c`; its exit status.
    static func shell(_ command: String) -> Int32 {
        let status = system(command)
        return (status >> 8) & 0xff
    }

    @Test func environmentVariablesConfigureServeAndHealthAndSIGTERMStopsIt() throws {
        guard Self.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        let out = directory.path + "/out"
        // FAULTLINE_PORT=0 picks a free port; the start-up line says which.
        let pid = try Self.spawn([Self.binary], environment: [
            "FAULTLINE_PORT=0", "FAULTLINE_HOST=0.0.0.0", "FAULTLINE_SCENARIOS=\(TestServer.bundledScenariosDirectory)",
            "FAULTLINE_LOG=1", "FAULTLINE_SET=price2b.quote_validity_seconds=5", "FAULTLINE_LISTEN=aftership=0,trackbot=0",
        ], stdout: out + ".stdout", stderr: out + ".stderr")
        var reaped = false
        defer { if !reaped { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) } }
        let line = Self.firstLine(of: out + ".stderr")
        #expect(line.hasPrefix("faultline 0.1.0 listening on http://0.0.0.0:"))
        #expect(line.contains("; vendors: aftership, flexforward, generic, price2b, trackbot (from \(TestServer.bundledScenariosDirectory)); admin: http://127.0.0.1:"))
        let ports = line.split(separator: "http://0.0.0.0:").dropFirst().map { UInt16($0.prefix { $0.isNumber }) }
        let port = try #require(ports.first ?? nil)
        // FAULTLINE_LISTEN: each vendor at the root of a free port of its own, named in the line.
        #expect(line.contains(", aftership at http://0.0.0.0:") && line.contains(", trackbot at http://0.0.0.0:"))
        let aftershipPort = try #require(ports.count == 3 ? ports[1] : nil)
        let versioned = try TestHTTPClient(port: aftershipPort).request("GET", "/tracking/2026-07/couriers?scenario=429")
        #expect(versioned.status == 429)
        #expect(versioned.text.hasPrefix(#"{"meta":{"code":429,"type":"TooManyRequests""#))
        #expect(line.contains("admin: http://127.0.0.1:\(port)/__faultline/; seed "))

        // `faultline health` finds the server through the same variables, or through flags.
        #expect(Self.shell("FAULTLINE_HOST=0.0.0.0 FAULTLINE_PORT=\(port) '\(Self.binary)' health --quiet") == 0)
        #expect(Self.shell("'\(Self.binary)' health --quiet --port \(port)") == 0)
        #expect(Self.shell("'\(Self.binary)' health --quiet --port \(port == 65535 ? 65534 : port + 1) --timeout 1 2>/dev/null") == 1)

        let client = try TestHTTPClient(port: port)
        #expect(try client.request("GET", "/aftership/v4/couriers?scenario=429").status == 429)

        let start = Self.monotonicMilliseconds()
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while Self.monotonicMilliseconds() - start < 5_000 {
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                break
            }
            usleep(2_000)
        }
        let elapsed = Self.monotonicMilliseconds() - start
        #expect(reaped, "still running 5 s after SIGTERM")
        // WIFEXITED and WEXITSTATUS: a normal exit with status 0.
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "wait status \(status)")
        #expect(elapsed < 1_000, "took \(elapsed) ms to stop on SIGTERM")
        #expect(TemporaryDirectory.text(of: out + ".stdout").contains(#""scenario":"429","status":429"#))
    }

    @Test func aSIGTERMWhileTheServerStartsStopsItAllTheSame() throws {
        guard Self.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        // Signals at several points of the start (reading files, opening sockets, just after):
        // every one must end the process, none may be lost.
        for delay: UInt32 in [0, 2_000, 10_000, 30_000, 80_000] {
            let pid = try Self.spawn([Self.binary, "--port", "0"], environment: ["FAULTLINE_SCENARIOS=\(TestServer.bundledScenariosDirectory)"],
                                     stdout: directory.path + "/out", stderr: directory.path + "/err")
            usleep(delay)
            kill(pid, SIGTERM)
            var status: Int32 = 0
            let start = Self.monotonicMilliseconds()
            var reaped = false
            while Self.monotonicMilliseconds() - start < 5_000 {
                if waitpid(pid, &status, WNOHANG) == pid {
                    reaped = true
                    break
                }
                usleep(2_000)
            }
            if !reaped {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
            }
            #expect(reaped, "SIGTERM \(delay) µs after the start was lost: still running 5 s later")
        }
    }

    @Test func anEnvironmentVariableThatDoesNotParseStopsTheStartWithItsName() throws {
        guard Self.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        let out = directory.path + "/err"
        #expect(Self.shell("FAULTLINE_PORT=eighty '\(Self.binary)' serve 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("FAULTLINE_PORT='eighty' is not a valid UInt16"))
        #expect(Self.shell("FAULTLINE_SCENARIOS=/nonexistent '\(Self.binary)' serve --port 0 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("scenario directory '/nonexistent' does not exist (from FAULTLINE_SCENARIOS)"))
        #expect(Self.shell("'\(Self.binary)' serve --port 0 --listen aftership 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("--listen 'aftership': expected vendor=port, e.g. aftership=8081"))
        #expect(Self.shell("FAULTLINE_LISTEN=nobody=0 '\(Self.binary)' serve --port 0 --scenarios '\(TestServer.bundledScenariosDirectory)' 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("--listen: no vendor named 'nobody'"))
        #expect(Self.shell("'\(Self.binary)' serve --port 0 --scenarios '\(TestServer.bundledScenariosDirectory)' --proxy-unmatched nobody=https://api.example.com 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("--proxy-unmatched: no vendor named 'nobody'"))
        #expect(Self.shell("FAULTLINE_PROXY_UNMATCHED=ftp://x '\(Self.binary)' serve --port 0 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("--proxy-unmatched 'ftp://x': 'ftp://x' is not an http:// or https:// URL"))
    }

    /// `serve` is the default: options without a subcommand are `serve`'s, while a
    /// subcommand's name, help and the version still go to `faultline` itself.
    @Test func withoutASubcommandTheOptionsAreServes() throws {
        guard Self.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        let out = directory.path + "/out"
        #expect(Self.shell("'\(Self.binary)' --version > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out) == "0.1.0\n")
        #expect(Self.shell("COLUMNS=1000 '\(Self.binary)' --help > '\(out)'") == 0)
        let help = TemporaryDirectory.text(of: out)
        #expect(help.contains("USAGE: faultline <subcommand>") && help.contains("serve") && help.contains("validate"), "\(help)")
        #expect(Self.shell("COLUMNS=1000 '\(Self.binary)' help serve > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out).contains("USAGE: faultline serve"))
        // An option only `serve` has: read as serve's, refused with serve's own message.
        #expect(Self.shell("'\(Self.binary)' --port 0 --listen aftership 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("--listen 'aftership': expected vendor=port, e.g. aftership=8081"))
        #expect(Self.shell("'\(Self.binary)' --no-such-option 2> '\(out)'") != 0)
        #expect(TemporaryDirectory.text(of: out).contains("Unknown option '--no-such-option'"))
        #expect(TemporaryDirectory.text(of: out).contains("Usage: faultline serve"))
        #expect(Self.shell("COLUMNS=1000 '\(Self.binary)' serve --port 0 --help > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out).contains("USAGE: faultline serve"))
        #expect(Self.shell("'\(Self.binary)' serve --generate-completion-script bash > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out).contains("_faultline"))
        #expect(Self.shell("'\(Self.binary)' list --scenarios '\(TestServer.bundledScenariosDirectory)' > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out).contains("trackbot"))
    }

    /// Every `serve` option names its variable, and the name is the one the option reads:
    /// FAULTLINE_ and the flag in capitals with `_` for `-`.
    @Test func everyServeOptionNamesTheVariableDerivedFromItsFlag() throws {
        guard Self.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        let out = directory.path + "/help"
        #expect(Self.shell("COLUMNS=1000 '\(Self.binary)' serve --help > '\(out)'") == 0)
        let help = TemporaryDirectory.text(of: out)
        let flags = help.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("--"), !trimmed.hasPrefix("--help"), !trimmed.hasPrefix("--version"), !trimmed.hasPrefix("--scenarios") else { return nil }
            return String(trimmed.dropFirst(2).prefix { $0.isLetter || $0 == "-" })
        }
        #expect(flags.count >= 25, "\(flags)")
        for flag in flags {
            let variable = "$FAULTLINE_" + String(flag.uppercased().map { $0 == "-" ? "_" : $0 })
            #expect(help.contains(variable), "--\(flag) does not name \(variable)")
        }
    }

    /// `faultline record` proxies, and on SIGTERM writes a file `faultline validate` accepts.
    @Test func recordWritesItsFileOnSIGTERM() throws {
        guard Self.binaryIsBuilt() else { return }
        let upstream = try TestServer.start()
        defer { upstream.stop() }
        let directory = try TemporaryDirectory()
        let out = directory.path + "/rec"
        let pid = try Self.spawn([Self.binary, "record", "--upstream", "http://127.0.0.1:\(upstream.port)/trackbot", "--vendor", "bot", "--out", out, "--port", "0"], environment: [], stdout: out + ".stdout", stderr: out + ".stderr")
        var reaped = false
        defer { if !reaped { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) } }
        let line = Self.firstLine(of: out + ".stderr")
        #expect(line.hasPrefix("faultline record: proxying http://127.0.0.1:"), "\(line)")
        #expect(line.contains(" to http://127.0.0.1:\(upstream.port)/trackbot as vendor bot; "))
        let port = try #require(UInt16(line.dropFirst("faultline record: proxying http://127.0.0.1:".count).prefix { $0.isNumber }))
        let answer = try TestHTTPClient(port: port).request("GET", "/v1/couriers?scenario=429", headers: [("Authorization", "Bearer t")])
        #expect(answer.status == 429)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 where !reaped {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true } else { usleep(10_000) }
        }
        #expect(reaped && (status >> 8) & 0xff == 0, "wait status \(status)")
        #expect(TemporaryDirectory.text(of: out + ".stderr").contains("wrote \(out)/bot.json: 1 exchanges, 1 endpoints and 1 scenarios added"))
        #expect(Self.shell("'\(Self.binary)' validate '\(out)' > /dev/null") == 0)
    }

    /// The first line a process writes to `file` (its start-up line), waiting up to 2 s for it.
    static func firstLine(of file: String) -> String {
        for _ in 0..<200 {
            let text = TemporaryDirectory.text(of: file)
            if text.contains("\n") { return String(text.prefix { $0 != "\n" }) }
            usleep(10_000)
        }
        return ""
    }

    /// Starts `arguments` with exactly `environment`, standard output and error into files.
    static func spawn(_ arguments: [String], environment: [String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The test runner's signal mask is not the child's business: start it with none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnFailure(code: result) }
        return pid
    }

    struct SpawnFailure: Error {
        let code: Int32
    }

    static func monotonicMilliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}
