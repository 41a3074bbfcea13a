import Foundation
import PaymentsSupport

/// The entity that produced the telemetry (`opentelemetry.proto.resource.v1.Resource`): a process, a service
/// instance.
public struct OTLPResource: Sendable, Hashable {
    /// The resource's attributes, such as `service.name`.
    public var attributes: OTLPAttributes
    /// How many attributes were dropped before export.
    public var droppedAttributesCount: UInt32

    /// Creates a resource.
    public init(attributes: OTLPAttributes = [:], droppedAttributesCount: UInt32 = 0) {
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }

    /// Creates the resource described by the standard variables: `OTEL_RESOURCE_ATTRIBUTES`
    /// (`k=v,k2=v2`, percent-decoded values) and `OTEL_SERVICE_NAME`, which wins over a `service.name` there.
    ///
    /// `serviceVersion` and `serviceInstanceID` are set when given and not already set by the environment.
    ///
    /// - Throws: ``ConfigurationError`` naming `OTEL_RESOURCE_ATTRIBUTES` when an entry is malformed.
    public init(
        environment: Environment, defaultServiceName: String, serviceVersion: String? = nil,
        serviceInstanceID: String? = nil
    ) throws(ConfigurationError) {
        var attributes = OTLPAttributes()
        attributes["service.name"] = .string(defaultServiceName)
        for (key, value) in try environment.value(TelemetrySettings.resourceAttributes) ?? [] {
            attributes[key] = .string(value)
        }
        if let name = try environment.value(TelemetrySettings.serviceName) {
            attributes["service.name"] = .string(name)
        }
        if let serviceVersion, attributes["service.version"] == nil {
            attributes["service.version"] = .string(serviceVersion)
        }
        if let serviceInstanceID, attributes["service.instance.id"] == nil {
            attributes["service.instance.id"] = .string(serviceInstanceID)
        }
        self.init(attributes: attributes)
    }
}
