extension DemoRequest {
    /// The requests of a run: `configuration.count` of them, of which `configuration.badRequestCount` are invalid,
    /// spread evenly through the run; valid ones cycle through the recipient kinds, invalid ones through the flaws.
    public static func plan(_ configuration: DemoConfiguration) -> [DemoRequest] {
        let count = configuration.count
        let bad = configuration.badRequestCount
        var requests: [DemoRequest] = []
        requests.reserveCapacity(count)
        var valid = 0
        var invalid = 0
        for index in 0..<count {
            // Request `index` is invalid when the running quota of bad requests steps up at it.
            let isBad = (index + 1) * bad / count > index * bad / count
            let kind: Kind
            if isBad {
                kind = .invalid(Flaw.allCases[invalid % Flaw.allCases.count])
                invalid += 1
            } else {
                kind = .valid(Recipient.allCases[valid % Recipient.allCases.count])
                valid += 1
            }
            requests.append(DemoRequest(number: index + 1, runID: configuration.runID, kind: kind))
        }
        return requests
    }
}
