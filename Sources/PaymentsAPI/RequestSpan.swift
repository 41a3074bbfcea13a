import Foundation
import PaymentsCore
import Tracing

/// The span of the HTTP request being handled (the server span ``RequestTracingMiddleware`` starts).
enum RequestSpan {
    /// Adds a payment's ids to the request's span, so that the request is found by `payment_id` like every other
    /// span of the payment.
    static func annotate(_ context: APIRequestContext, paymentID: UUID, clientRef: String?) {
        guard let span = context.requestSpan, span.isRecording else { return }
        span.updateAttributes { attributes in
            attributes["payment_id"] = paymentID.lowercased
            if let clientRef { attributes["client_ref"] = clientRef }
        }
    }
}
