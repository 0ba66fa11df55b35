// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Faultline",
    products: [
        .executable(name: "faultline", targets: ["faultline"]),
        .executable(name: "faultline-openapi", targets: ["faultline-openapi"]),
        .library(name: "FaultlineHTTP", targets: ["FaultlineHTTP"]),
        .library(name: "FaultlineScenarios", targets: ["FaultlineScenarios"]),
        .library(name: "FaultlineTesting", targets: ["FaultlineTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // OpenAPI import (faultline-openapi only): the issue names them for the job. Without the
        // ExternalLoading trait (remote $refs through Swift concurrency) OpenAPIKit builds faster,
        // and import resolves local references only.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFaultlineOpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CFaultlineZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CFaultlineSystem"),
        .target(
            name: "FaultlineHTTP",
            dependencies: ["CFaultlineSystem", "CFaultlineOpenSSL", "CFaultlineZlib"]
        ),
        .target(
            name: "FaultlineScenarios",
            dependencies: ["FaultlineHTTP"]
        ),
        // Fuzz targets (FaultlineFuzzing) and their libFuzzer driver (faultline-fuzz): scripts/fuzz.sh
        // builds the driver with -sanitize=fuzzer; the test suite replays every committed input.
        .target(
            name: "FaultlineFuzzing",
            dependencies: ["FaultlineHTTP", "FaultlineScenarios"]
        ),
        .executableTarget(
            name: "faultline-fuzz",
            dependencies: ["FaultlineFuzzing"]
        ),
        .target(
            name: "FaultlineTesting",
            dependencies: ["FaultlineHTTP", "FaultlineScenarios", "CFaultlineOpenSSL"]
        ),
        .executableTarget(
            name: "faultline",
            dependencies: [
                "FaultlineHTTP",
                "FaultlineScenarios",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // OpenAPIKit imports full Foundation (ICU) in a few files, which the server's release
        // binary must not link (scripts/verify-binary.sh); so the import lives in its own
        // executable, which `faultline import openapi` runs.
        .target(
            name: "FaultlineOpenAPI",
            dependencies: [
                "FaultlineHTTP",
                "FaultlineScenarios",
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "faultline-openapi",
            dependencies: [
                "FaultlineOpenAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "SeedFixtures",
            path: "Tests/SeedFixtures"
        ),
        .testTarget(
            name: "FaultlineHTTPTests",
            dependencies: ["FaultlineHTTP"]
        ),
        .testTarget(
            name: "FaultlineScenariosTests",
            dependencies: ["FaultlineScenarios", "FaultlineHTTP", "FaultlineTesting", "SeedFixtures"]
        ),
        .testTarget(
            name: "FaultlineOpenAPITests",
            dependencies: ["FaultlineOpenAPI", "FaultlineScenarios", "FaultlineTesting"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FaultlineFuzzingTests",
            dependencies: ["FaultlineFuzzing"]
        ),
        .testTarget(
            name: "FaultlineEndToEndTests",
            dependencies: ["FaultlineTesting", "FaultlineScenarios", "FaultlineHTTP", "SeedFixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
