import Billing
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// BI-20, BI-22, NO-06: plan years paid one at a time, against a running Billing: reminders, the lapse, the renewal.
@Suite("Billing plan renewals")
struct BillingRenewalTests {
    @Test("BI-20, BI-22, NO-06: a reminder before expiry, a lapse that stops the services, a renewal that brings them back")
    func bi22PlanRenewal() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let tap = try await EventTap.open("renewals", bindings: ["billing.plan.expiring", "billing.account.*"])
            let mine = { (type: EventType) in { (event: EncodedEnvelope) in event.header.type == type && event.header.companyID == company } }
            let price = try await billing.database.count("SELECT annual_price::int FROM billing.plans WHERE plan = 'compact'")
            try #require(price > 0)

            // A new account's first year counts as paid; renewal opens 30 days before it ends.
            let early = try await billing.call("POST", "/v1/billing/plan/renewal", as: company)
            #expect(early.status == 409)
            #expect(try early.errorCode() == "plan.renewal_not_open")
            #expect(try await billing.call("POST", "/v1/billing/plan/renewal", as: company, role: .agent).status == 403)

            // Ten days left: the 15-day reminder is the one due, once however often the job looks.
            try await billing.database.query(
                "UPDATE billing.accounts SET plan_paid_until = now() + interval '10 days', renewal_step_at = now() WHERE company_id = \(company.uuid)")
            let reminders = try await tap.events(matching: mine(.billingPlanExpiring), timeout: .seconds(30), linger: .seconds(3))
            #expect(reminders.count == 1)
            let reminder = try #require(reminders.first).decode(PlanExpiring.self).data
            #expect(reminder.reminder == 15)
            #expect(reminder.daysLeft == 10)
            #expect(reminder.plan == "compact")
            #expect(reminder.amount == Money(paise: Int64(price)))
            #expect(reminder.total == Money(paise: Int64(price)) + Tax.gst(on: Money(paise: Int64(price))))
            #expect(try await billing.database.count(
                "SELECT renewal_reminded FROM billing.accounts WHERE company_id = '\(company.uuid)'") == 15)

            // Expired unpaid: the plan lapses, the services stop, and nothing but a renewal can be bought.
            try await billing.database.query(
                "UPDATE billing.accounts SET plan_paid_until = now() - interval '1 minute', renewal_step_at = now() WHERE company_id = \(company.uuid)")
            let suspensions = try await tap.events(matching: mine(.billingAccountSuspended), timeout: .seconds(30), linger: .seconds(2))
            #expect(suspensions.count == 1)
            #expect(try suspensions.first?.decode(AccountSuspended.self).data.reason == .planExpired)
            let lapsed = try await billing.call("GET", "/v1/billing/account", as: company).json()
            #expect(lapsed["status"] as? String == "suspended")
            #expect(lapsed["suspension_reasons"] as? [String] == ["plan_expired"])
            #expect(lapsed["plan_lapsed_at"] != nil)
            let hold = try await billing.call("POST", "/v1/billing/reservations", as: company, role: .manager, json: #"{"amount":10000}"#)
            #expect(hold.status == 402)
            #expect(try hold.errorCode() == "plan.expired")
            let upgrade = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"sedan"}"#)
            #expect(try upgrade.errorCode() == "plan.expired")
            // Suspended for its balance as well: a refresh clears that, not what a renewal has to, and resumes nothing.
            try await billing.database.query(
                "UPDATE billing.accounts SET status = 'suspended', suspended_at = now() WHERE company_id = \(company.uuid)")
            #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["suspension_reasons"] as? [String]
                == ["credit_limit", "plan_expired"])
            let refreshed = try await billing.call("POST", "/v1/billing/refresh", as: company).json()
            #expect(refreshed["status"] as? String == "suspended")
            #expect(refreshed["suspension_reasons"] as? [String] == ["plan_expired"])

            // The renewal: one at a time, a year from when it is paid, and the services come back.
            let renewal = try await billing.call("POST", "/v1/billing/plan/renewal", as: company)
            #expect(renewal.status == 201, "\(renewal.text)")
            #expect(try renewal.json()["purpose"] as? String == "plan_renewal")
            #expect(try renewal.json()["amount"] as? Int == price)
            let second = try await billing.call("POST", "/v1/billing/plan/renewal", as: company)
            #expect(try second.errorCode() == "plan.renewal_pending")
            try await billing.capture(renewal)
            try await billing.capture(renewal)
            let renewed = try await billing.call("GET", "/v1/billing/account", as: company).json()
            #expect(renewed["status"] as? String == "active")
            #expect(renewed["suspension_reasons"] as? [String] == [])
            #expect(renewed["plan_lapsed_at"] == nil)
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND plan_paid_until BETWEEN now() + interval '364 days' AND now() + interval '366 days' AND renewal_reminded IS NULL") == 1)
            let resumed = try await tap.events(matching: mine(.billingAccountResumed), timeout: .seconds(30), linger: .seconds(2))
            #expect(resumed.count == 1)
            #expect(try await billing.balance(company) == .rupees(1_500), "a renewal is paid directly, not from the wallet")
            let invoices = try #require(try await billing.call("GET", "/v1/billing/invoices", as: company).json()["items"] as? [[String: any Sendable]])
            #expect(invoices.filter { $0["reason"] as? String == "plan_renewal" }.count == 1)
            await tap.close()
        }
    }

    @Test("BI-20, BI-21: a downgrade waits for the end of the paid year; a renewal into it fixes the next year's plan")
    func bi21DowngradeAtYearEnd() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            try await billing.capture(try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"sedan"}"#))
            let downgrade = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"compact"}"#)
            #expect(try downgrade.json()["pending_plan"] as? String == "compact")
            // The monthly cycle comes and goes: the paid year is Sedan's to its end.
            try await billing.database.query(
                "UPDATE billing.accounts SET next_cycle_at = now() - interval '1 minute' WHERE company_id = \(company.uuid)")
            try await eventually(timeout: .seconds(30), "the cycle job ran") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND next_cycle_at > now()") == 1
            }
            #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["plan"] as? String == "sedan")

            // Renewed early into the downgrade: priced at Compact, and Compact it is from the end of this year.
            try await billing.database.query(
                "UPDATE billing.accounts SET plan_paid_until = now() + interval '10 days', renewal_step_at = now() + interval '1 hour' WHERE company_id = \(company.uuid)")
            let compact = try await billing.database.count("SELECT annual_price::int FROM billing.plans WHERE plan = 'compact'")
            let renewal = try await billing.call("POST", "/v1/billing/plan/renewal", as: company)
            #expect(try renewal.json()["amount"] as? Int == compact)
            #expect(try renewal.json()["subject"] as? String == "compact")
            try await billing.capture(renewal)
            let renewed = try await billing.call("GET", "/v1/billing/account", as: company).json()
            #expect(renewed["plan"] as? String == "sedan")
            #expect(renewed["pending_plan"] as? String == "compact")
            #expect(renewed["pending_plan_from"] != nil)
            // The next year is paid on Compact: no withdrawing the downgrade, no upgrade priced as if it were Sedan's.
            for plan in ["sedan", "suv"] {
                let change = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"\#(plan)"}"#)
                #expect(change.status == 409)
                #expect(try change.errorCode() == "plan.change_locked")
            }
            // The year ends: the renewal job switches the plan.
            try await billing.database.query(
                "UPDATE billing.accounts SET pending_plan_from = now() - interval '1 second', renewal_step_at = now() WHERE company_id = \(company.uuid)")
            try await eventually(timeout: .seconds(30), "the plan switched") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND plan = 'compact' AND pending_plan IS NULL AND pending_plan_from IS NULL") == 1
            }
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND renewal_step_at > now() + interval '300 days'") == 1,
                "next: the reminders of the year paid")
        }
    }

    @Test("BI-20: a renewal captured after the year it was priced for was paid otherwise is credited to the wallet")
    func bi20StaleRenewalCredited() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            try await billing.database.query(
                "UPDATE billing.accounts SET plan_paid_until = now() + interval '5 days', renewal_step_at = now() WHERE company_id = \(company.uuid)")
            let renewal = try await billing.call("POST", "/v1/billing/plan/renewal", as: company)
            #expect(renewal.status == 201, "\(renewal.text)")
            let amount = try #require(try renewal.json()["amount"] as? Int)
            // Meanwhile the year was paid by another renewal (this one expired unpaid after an hour, a second was paid).
            try await billing.database.query(
                "UPDATE billing.accounts SET plan_paid_until = plan_paid_until + interval '365 days' WHERE company_id = \(company.uuid)")
            let before = try await billing.database.count(
                "SELECT extract(epoch FROM plan_paid_until)::int FROM billing.accounts WHERE company_id = '\(company.uuid)'")
            try await billing.capture(renewal)
            #expect(try await billing.balance(company) == .rupees(1_500) + Money(paise: Int64(amount)))
            #expect(try await billing.database.count(
                "SELECT extract(epoch FROM plan_paid_until)::int FROM billing.accounts WHERE company_id = '\(company.uuid)'") == before,
                "no second year")
        }
    }
}
