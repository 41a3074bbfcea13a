import Foundation
import PaymentsCore
import PaymentsSupport

/// What the bank's answers mean, apart from how they travel: the HTTP client reads its responses with these, and so
/// does the simulator, which plays the sandbox's answers without a network.
public enum BankResponses {
    /// The error a status means whatever was asked (429, 5xx), or `nil` for a status the operation interprets.
    public static func error(status: Int, retryAfter: Duration?) -> BankError? {
        switch status {
        case 429: BankError(.rateLimited, httpStatus: 429, retryAfter: retryAfter)
        case 500...599: BankError(.server, httpStatus: status, retryAfter: retryAfter)
        default: nil
        }
    }

    /// A `POST /v1/payments` answer.
    public static func submission(status: Int, body: Data) throws(BankError) -> BankSubmissionResult {
        switch status {
        case 200, 201:
            guard let bankRef = (try? JSONValue(parsing: body))?["bank_ref"]?.stringValue, !bankRef.isEmpty else {
                throw BankError(.invalidResponse, httpStatus: status)
            }
            return .accepted(bankRef: bankRef)
        case 400..<500:
            // 401 and 429 were handled before; any other 4xx is the bank refusing this payment for good.
            let decoded = try? JSONValue(parsing: body)
            let reason =
                decoded?["reason"]?.stringValue ?? decoded?["error"]?.stringValue
                ?? "rejected by the bank (HTTP \(status))"
            return .rejected(reason: String(reason.prefix(200)))
        default:
            throw BankError(.invalidResponse, httpStatus: status)
        }
    }

    /// A `GET /v1/payments/{payment_id}` answer; `nil` when the bank does not have the payment.
    public static func paymentStatus(status: Int, body: Data) throws(BankError) -> BankPaymentStatus? {
        switch status {
        case 200:
            guard let remote = (try? JSONValue(parsing: body)).flatMap(Self.paymentStatus) else {
                throw BankError(.invalidResponse, httpStatus: status)
            }
            return remote
        case 404:
            return nil
        default:
            throw BankError(.invalidResponse, httpStatus: status)
        }
    }

    /// A `GET /v1/reports/settlements` answer; `nil` when the bank publishes no report.
    public static func settlementPage(status: Int, body: Data) throws(BankError) -> SettlementReportPage? {
        switch status {
        case 200:
            guard let page = try? JSONValue(parsing: body), case .array(let items)? = page["data"] else {
                throw BankError(.invalidResponse, httpStatus: status)
            }
            var entries: [SettlementReportEntry] = []
            for item in items {
                guard let id = item["payment_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                    let remote = Self.paymentStatus(item),
                    let updatedAt = item["updated_at"]?.stringValue.flatMap(Timestamp.parse)
                else { throw BankError(.invalidResponse, httpStatus: status) }
                entries.append(SettlementReportEntry(paymentID: id, status: remote, updatedAt: updatedAt))
            }
            return SettlementReportPage(entries: entries, nextCursor: page["next_cursor"]?.stringValue)
        case 404:
            return nil
        default:
            throw BankError(.invalidResponse, httpStatus: status)
        }
    }

    /// The bank's `{"bank_ref", "status", "return_code"}` in our terms; `nil` for a status we do not know.
    public static func paymentStatus(_ remote: JSONValue) -> BankPaymentStatus? {
        let mapped: PaymentStatus? =
            switch remote["status"]?.stringValue {
            case "pending", "processing": .processing
            case "completed": .completed
            case "returned": .returned
            case "rejected", "failed": .failed
            default: nil
            }
        guard let mapped else { return nil }
        return BankPaymentStatus(
            bankRef: remote["bank_ref"]?.stringValue, status: mapped, returnCode: remote["return_code"]?.stringValue
        )
    }
}
