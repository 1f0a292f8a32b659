@testable import Campaigns
import Testing

@Suite("WhatsApp opt-outs (CA-01)")
struct OptOutTests {
    @Test("CA-01: a message that is only STOP or START (any case, punctuation, emoji, Hindi) changes the choice; a sentence does not")
    func ca01Keywords() {
        #expect(OptOut.keyword(in: "STOP") == .stop)
        #expect(OptOut.keyword(in: "  stop. ") == .stop)
        #expect(OptOut.keyword(in: "Stop  all!") == .stop)
        #expect(OptOut.keyword(in: "STOP 🛑") == .stop)
        #expect(OptOut.keyword(in: "UNSUBSCRIBE") == .stop)
        #expect(OptOut.keyword(in: "opt-out") == .stop)
        #expect(OptOut.keyword(in: "Stop promotions") == .stopMarketing, "Meta's quick-reply button stops marketing only")
        #expect(OptOut.keyword(in: "STOP‼️") == .stop, "an emoji with its variation selector")
        #expect(OptOut.keyword(in: "stop 🙅‍♂️") == .stop, "an emoji joined with a zero-width joiner")
        #expect(OptOut.keyword(in: "stop\u{200B}") == .stop)
        #expect(OptOut.keyword(in: "बन्द करो") == .stop)
        #expect(OptOut.keyword(in: "band") == nil, "an English word on its own")
        #expect(OptOut.keyword(in: "बंद करो।") == .stop)
        #expect(OptOut.keyword(in: "Band karo") == .stop)
        #expect(OptOut.keyword(in: "Start") == .start)
        #expect(OptOut.keyword(in: "opt in") == .start)
        #expect(OptOut.keyword(in: "शुरू") == .start)
        #expect(OptOut.keyword(in: "please stop calling me") == nil)
        #expect(OptOut.keyword(in: "stopped") == nil)
        #expect(OptOut.keyword(in: "🛑") == nil)
        #expect(OptOut.keyword(in: nil) == nil)
    }

    @Test("CA-01: the business's opt-out and the customer's STOP stop every template; Meta's 131050 stops marketing only")
    func ca01WhatEachBlocks() {
        #expect(OptOut.blocks(customerOut: true, customerSource: .keyword, businessOut: false, category: "utility"))
        #expect(OptOut.blocks(customerOut: false, customerSource: nil, businessOut: true, category: "authentication"))
        #expect(OptOut.blocks(customerOut: true, customerSource: .provider, businessOut: false, category: "marketing"))
        #expect(!OptOut.blocks(customerOut: true, customerSource: .provider, businessOut: false, category: "utility"))
        #expect(!OptOut.blocks(customerOut: false, customerSource: .keyword, businessOut: false, category: "marketing"), "opted in again")
        #expect(DeliveryFailureReason(code: OptOut.refusalCode) == .blockedOrOptedOut)
    }
}
