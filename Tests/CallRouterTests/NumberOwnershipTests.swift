@testable import CallRouter
import Contracts
import Testing

@Suite("CallRouter number ownership")
struct NumberOwnershipTests {
    @Test("BI-19, CR-68: a number is registered only if the company rents it, or as a shared number of the operator's pool")
    func bi19OwnershipRule() {
        #expect(NumberOwnership.check(shared: false, inPool: false, rented: true) == .allowed)
        #expect(NumberOwnership.check(shared: false, inPool: false, rented: false) == .notRented)
        // Being in the pool does not make a number the company's own: registered as purchased, it needs a rental.
        #expect(NumberOwnership.check(shared: false, inPool: true, rented: false) == .notRented)
        #expect(NumberOwnership.check(shared: true, inPool: true, rented: false) == .allowed)
        #expect(NumberOwnership.check(shared: true, inPool: false, rented: true) == .notShared)
    }

    @Test("CR-68: the shared pool reads comma-separated E.164 numbers and refuses anything else")
    func cr68SharedPool() throws {
        let pool = try SharedNumberPool(" +918000000001, +918000000002 ,,")
        #expect(pool.numbers == [PhoneNumber(e164: "+918000000001")!, PhoneNumber(e164: "+918000000002")!])
        #expect(try SharedNumberPool("").numbers.isEmpty)
        #expect(throws: (any Error).self) { try SharedNumberPool("+918000000001,08000000002") }
    }
}
