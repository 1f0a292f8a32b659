import Billing
import Contracts
import Testing

@Suite("Balance thresholds")
struct BalanceThresholdsTests {
    let thresholds = BalanceThresholds()

    @Test("BI-01, BI-04: the defaults are ₹500 low balance, −₹10 minimum, ₹100 credit limit")
    func defaults() {
        #expect(thresholds.lowBalance == Money.rupees(500))
        #expect(thresholds.minimumBalance == Money.rupees(-10))
        #expect(thresholds.creditLimit == Money.rupees(100))
    }

    @Test("D-19: each threshold fires once when crossed, not on every charge below it")
    func firesOncePerCrossing() {
        #expect(thresholds.crossings(from: .rupees(600), to: .rupees(499)) == [.low])
        #expect(thresholds.crossings(from: .rupees(499), to: .rupees(300)) == [])
        #expect(thresholds.crossings(from: .rupees(300), to: Money(paise: -1_001)) == [.minimum])
        #expect(thresholds.crossings(from: .rupees(-50), to: .rupees(-90)) == [])
        #expect(thresholds.crossings(from: .rupees(-100), to: Money(paise: -10_001)) == [.suspended])
        #expect(thresholds.crossings(from: .rupees(-150), to: .rupees(-200)) == [])
    }

    @Test("D-19, BI-03: a charge that falls through several thresholds fires each of them once")
    func fallsThroughAll() {
        #expect(thresholds.crossings(from: .rupees(1_000), to: .rupees(-500)) == [.low, .minimum, .suspended])
        #expect(thresholds.crossings(from: .rupees(100), to: .rupees(50)) == [])
    }

    @Test("D-19: exactly at a threshold is not below it")
    func boundaries() {
        #expect(thresholds.crossings(from: .rupees(600), to: .rupees(500)) == [])
        #expect(thresholds.crossings(from: .rupees(0), to: .rupees(-100)) == [.minimum])
    }

    @Test("D-19: after a top-up the same threshold fires again on the next crossing")
    func firesAgainAfterRecovery() {
        #expect(thresholds.crossings(from: .rupees(499), to: .rupees(2_000)) == [])
        #expect(thresholds.crossings(from: .rupees(2_000), to: .rupees(450)) == [.low])
    }

    @Test("D-19, BI-03: refresh resumes only at or above the minimum balance")
    func resume() {
        #expect(!thresholds.allowsResume(balance: .rupees(-11)))
        #expect(thresholds.allowsResume(balance: .rupees(-10)))
        #expect(thresholds.allowsResume(balance: .rupees(1_500)))
    }

    @Test("D-15, BI-07: a reservation must leave ₹1 after everything already reserved")
    func reservations() {
        #expect(BalanceThresholds.canReserve(.rupees(99), balance: .rupees(100), reserved: .zero))
        #expect(!BalanceThresholds.canReserve(Money(paise: 9_901), balance: .rupees(100), reserved: .zero))
        #expect(!BalanceThresholds.canReserve(.rupees(50), balance: .rupees(100), reserved: .rupees(50)))
        #expect(BalanceThresholds.canReserve(.rupees(49), balance: .rupees(100), reserved: .rupees(50)))
        #expect(!BalanceThresholds.canReserve(.zero, balance: .rupees(100), reserved: .zero))
    }

    @Test("D-19: auto-recharge starts on every downward crossing, and when switched on below the alert")
    func D_19_auto_recharge_below_the_alert() {
        let thresholds = BalanceThresholds()
        #expect(BalanceThresholds.startsAutoRecharge(thresholds.crossings(from: .rupees(600), to: .rupees(400))))
        #expect(BalanceThresholds.startsAutoRecharge(thresholds.crossings(from: .rupees(5), to: .rupees(-20))), "a second try at the minimum")
        #expect(!BalanceThresholds.startsAutoRecharge(thresholds.crossings(from: .rupees(400), to: .rupees(300))))
        #expect(thresholds.startsAutoRecharge(balance: .rupees(300), autoRecharge: true))
        #expect(!thresholds.startsAutoRecharge(balance: .rupees(300), autoRecharge: false))
        #expect(!thresholds.startsAutoRecharge(balance: .rupees(500), autoRecharge: true))
    }
}
