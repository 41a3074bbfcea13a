import Foundation
import PaymentsCore
import PaymentsSupport
import Synchronization

/// What the simulated world notices as the code runs: the payments each step touched, every payment ever stored, the
/// leases the store handed out, the faults injected, and any broken rule seen at the moment it broke.
final class SimulationLedger: Sendable {
    private struct Lease {
        var token: UUID
        var expires: Date
    }

    private struct State {
        var touched: Set<UUID> = []
        var stored: [UUID] = []
        var storedSet: Set<UUID> = []
        var leases: [UUID: Lease] = [:]
        var violations: [(rule: String, paymentID: UUID?)] = []
        var faults: [String: Int] = [:]
        var claims = 0
    }

    private let state = Mutex(State())

    /// Notes that a call concerned `paymentID`.
    func touch(_ paymentID: UUID) {
        state.withLock { _ = $0.touched.insert(paymentID) }
    }

    /// Notes that `paymentID` was written to the store (whoever learnt of it).
    func stored(_ paymentID: UUID) {
        state.withLock { state in
            state.touched.insert(paymentID)
            if state.storedSet.insert(paymentID).inserted { state.stored.append(paymentID) }
        }
    }

    /// The payments touched since the last call, in a stable order.
    func takeTouched() -> [UUID] {
        state.withLock { state in
            defer { state.touched.removeAll(keepingCapacity: true) }
            return state.touched.sorted { $0.uuidString < $1.uuidString }
        }
    }

    /// Every payment ever stored, in the order they were.
    var allStored: [UUID] { state.withLock { $0.stored } }

    /// Records the claims a store handed out at `now`: a job still leased to another claim must not be claimed.
    func claimed(_ jobs: [Job], now: Date, lease: Duration) {
        state.withLock { state in
            state.claims += jobs.count
            for job in jobs {
                if let held = state.leases[job.id], held.token != job.leaseToken, held.expires > now {
                    state.violations.append(
                        (
                            "job \(job.id.uuidString.lowercased()) (\(job.kind.rawValue), payment "
                                + "\(job.paymentID.uuidString.lowercased())) claimed while another claim's lease runs",
                            job.paymentID
                        ))
                }
                state.leases[job.id] = Lease(token: job.leaseToken, expires: now.addingTimeInterval(lease.timeInterval))
            }
        }
    }

    /// Jobs claimed so far.
    var claims: Int { state.withLock { $0.claims } }

    /// Records that a claim's outcome was stored, which ends its lease: only the latest claim of a job may store
    /// one.
    func concluded(_ job: Job, as operation: String) {
        state.withLock { state in
            guard let held = state.leases[job.id], held.token == job.leaseToken else {
                state.violations.append(
                    (
                        "job \(job.id.uuidString.lowercased()) (\(job.kind.rawValue)) \(operation) by a claim that had "
                            + "lost its lease", job.paymentID
                    ))
                return
            }
            state.leases[job.id] = nil
        }
    }

    /// Records a broken rule.
    func violation(_ text: String, about paymentID: UUID?) {
        state.withLock { $0.violations.append((text, paymentID)) }
    }

    /// The broken rules seen since the last call, with the payment each is about.
    func takeViolations() -> [(rule: String, paymentID: UUID?)] {
        state.withLock { state in
            defer { state.violations.removeAll() }
            return state.violations
        }
    }

    /// Counts an injected fault.
    func fault(_ name: String) {
        state.withLock { $0.faults[name, default: 0] += 1 }
    }

    /// Faults injected so far, by name.
    var faults: [String: Int] { state.withLock { $0.faults } }
}
