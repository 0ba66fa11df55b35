// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Faultline",
    products: [
        .executable(name: "faultline", targets: ["faultline"]),
        .library(name: "FaultlineHTTP", targets: ["FaultlineHTTP"]),
        .library(name: "FaultlineScenarios", targets: ["FaultlineScenarios"]),
        .library(name: "FaultlineTesting", targets: ["FaultlineTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
