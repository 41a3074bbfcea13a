import Foundation
import PaymentsCore
import Tracing

/// The span of the HTTP request being handled (the server span Hummingbird's tracing middleware starts).
enum RequestSpan {
    /// Adds a payment's ids to the request's span, so that the request is found by `payment_id` like every other
    /// span of the payment.
    static func annotate(paymentID: UUID, clientRef: String?) {
        guard let context = ServiceContext.current,
            let span = InstrumentationSystem.tracer.activeSpan(identifiedBy: context)
        else { return }
        span.attributes["payment_id"] = paymentID.lowercased
        if let clientRef { span.attributes["client_ref"] = clientRef }
    }
}
