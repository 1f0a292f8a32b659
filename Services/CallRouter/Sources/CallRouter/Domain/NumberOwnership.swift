import Contracts
import Foundation
import ServiceKit

/// CR-68: the operator's shared numbers, the only ones a company may register without renting them (BI-19).
struct SharedNumberPool: Sendable {
    let numbers: Set<PhoneNumber>

    /// `text` is `MYOP_CALLROUTER_SHARED_NUMBERS`: E.164 numbers separated by commas; an unreadable entry stops the
    /// service at start rather than leaving a number silently unregistrable.
    init(_ text: String) throws {
        var numbers: Set<PhoneNumber> = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let number = PhoneNumber(e164: trimmed) else {
                throw ConfigurationError(variable: CallRouterService.sharedNumbersVariable, message: "\(trimmed) is not an E.164 number")
            }
            numbers.insert(number)
        }
        self.numbers = numbers
    }
}

/// BI-19, CR-68: whether a company may register `number`. A number routes a company's calls only if the company rents
/// it (paid through Billing), or it is one of the operator's shared numbers registered as shared; otherwise any
/// company could take over another's calls by registering its number first.
enum NumberOwnership: Equatable {
    case allowed
    case notRented
    case notShared

    static func check(shared: Bool, inPool: Bool, rented: Bool) -> NumberOwnership {
        if shared { return inPool ? .allowed : .notShared }
        return rented ? .allowed : .notRented
    }
}
