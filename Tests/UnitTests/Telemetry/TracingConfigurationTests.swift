import PaymentsSupport
import Telemetry
import Testing

@Suite struct TracingConfigurationTests {
    @Test func samplerDefaultsToParentBasedAlwaysOn() throws {
        #expect(try TraceSampler(environment: [:]) == .default)
        #expect(TraceSampler.default == TraceSampler(root: .alwaysOn, isParentBased: true))
    }

    @Test(arguments: [
        ("always_on", TraceSampler(root: .alwaysOn, isParentBased: false)),
        ("always_off", TraceSampler(root: .alwaysOff, isParentBased: false)),
        ("traceidratio", TraceSampler(root: .traceIDRatio(0.25), isParentBased: false)),
        ("parentbased_always_on", TraceSampler(root: .alwaysOn, isParentBased: true)),
        ("parentbased_always_off", TraceSampler(root: .alwaysOff, isParentBased: true)),
        ("parentbased_traceidratio", TraceSampler(root: .traceIDRatio(0.25), isParentBased: true)),
    ])
    func samplerReadsEveryStandardName(name: String, expected: TraceSampler) throws {
        let sampler = try TraceSampler(
            environment: ["OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": "0.25"])
        #expect(sampler == expected)
    }

    @Test func samplerRejectsUnknownNamesAndBadRatios() {
        #expect(throws: ConfigurationError.self) {
            try TraceSampler(environment: ["OTEL_TRACES_SAMPLER": "jaeger_remote"])
        }
        do {
            _ = try TraceSampler(environment: ["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"])
            Issue.record("expected an error")
        } catch {
            #expect(error.setting == "OTEL_TRACES_SAMPLER_ARG")
        }
    }

    @Test func batchDefaultsFollowTheSpecification() {
        let configuration = BatchProcessorConfiguration.default
        #expect(configuration.maxQueueSize == 2048)
        #expect(configuration.maxExportBatchSize == 512)
        #expect(configuration.scheduleDelay == .seconds(5))
        #expect(configuration.exportTimeout == .seconds(30))
    }

    @Test func batchConfigurationReadsTheEnvironment() throws {
        let configuration = try BatchProcessorConfiguration(environment: [
            "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "10",
            "OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_EXPORT_TIMEOUT": "1000",
        ])
        #expect(configuration.maxQueueSize == 100)
        #expect(configuration.maxExportBatchSize == 10)
        #expect(configuration.scheduleDelay == .milliseconds(250))
        #expect(configuration.exportTimeout == .seconds(1))
        // A small queue alone caps the default batch size instead of failing.
        #expect(try BatchProcessorConfiguration(environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "8"]).maxExportBatchSize == 8)
    }

    @Test(arguments: [
        ["OTEL_BSP_MAX_QUEUE_SIZE": "lots"],
        ["OTEL_BSP_MAX_QUEUE_SIZE": "0"],
        ["OTEL_BSP_SCHEDULE_DELAY": "-1"],
        ["OTEL_BSP_EXPORT_TIMEOUT": "0"],
        ["OTEL_BSP_MAX_QUEUE_SIZE": "10", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "20"],
    ])
    func batchConfigurationRejectsBadValues(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) {
            try BatchProcessorConfiguration(environment: Environment(environment))
        }
    }
}
