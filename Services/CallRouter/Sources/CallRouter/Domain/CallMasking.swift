import Contracts
import Foundation
import ServiceKit

/// CR-75: anonymous calls. The platform answers a call to a masking number first and hides the caller's number
/// (CLI): the agents it rings see the virtual number on their phones, and in the call log an agent sees only the last
/// four digits. The customer sees only the virtual number too, also when an agent calls them back through it.
/// Routing (IVR, extensions, API) is unchanged, and owners, admins and managers keep the full number for the audit
/// trail; events to the company's CRM carry it as well.
enum CallMasking {
    /// The caller ID an agent's phone shows for a call: the virtual number when masked; nil lets the switch show
    /// the caller's own number.
    static func agentCallerID(masked: Bool, did: PhoneNumber) -> PhoneNumber? {
        masked ? did : nil
    }

    /// How the caller's number is shown to `role`.
    static func shown(_ customer: PhoneNumber, masked: Bool, to role: Role) -> String {
        guard masked, role == .agent else { return customer.e164 }
        let digits = customer.e164.dropFirst()
        let kept = digits.suffix(4)
        return "+" + String(repeating: "X", count: max(0, digits.count - kept.count)) + kept
    }
}

extension CallMasking {
    /// Why a callback cannot be placed.
    struct Refusal: Error, Equatable {
        var code: String
        var field: String
        var message: String

        var apiError: APIError { APIError.unprocessable(code, message, field: field) }
    }

    /// CR-75: calling back the customer of `call`. A masked call goes back through the number the customer called
    /// unless another of the company's numbers is chosen (a shared number cannot call out, CR-68), and only by
    /// click-to-call, where the platform bridges both legs and the agent's client never holds the customer's number.
    static func callback(
        of call: CallRecord, callerID: PhoneNumber?, method: OutboundMethod, at: Date
    ) -> Result<CallControl.Outbound, Refusal> {
        guard let customer = call.customer else {
            return .failure(Refusal(code: "call.callback.no_customer", field: "callback_of", message: "The call has no customer number to call back."))
        }
        guard call.state.masked == true else {
            return .success(CallControl.Outbound(customer: customer, callerID: callerID, method: method, at: at))
        }
        guard method == .clickToCall else {
            return .failure(Refusal(
                code: "call.callback.method", field: "method",
                message: "A masked call is returned by click-to-call, so that the customer's number stays hidden (CR-75)."))
        }
        return .success(CallControl.Outbound(customer: customer, callerID: callerID ?? call.did, method: method, at: at, masked: true))
    }
}
